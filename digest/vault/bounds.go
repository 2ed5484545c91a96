package vault

import (
	"fmt"

	"github.com/goccy/go-yaml/token"
)

// The bounds on what one note may cost. A YAML parser's time and memory
// grow with the square of the nesting of a collection (a frontmatter of
// 100 KB of "[" takes gigabytes), so the frontmatter's size and nesting are
// checked before it is parsed; real clippings stay far inside both. Of a
// note larger than MaxFileSize only the start is read.
const (
	MaxFrontmatter = 32 << 10 // bytes
	MaxDepth       = 16       // collections inside collections
	MaxFileSize    = 4 << 20  // bytes
)

// tooDeep reports the first token of tks that nests collections deeper
// than MaxDepth: flow collections ([…], {…}) and block entries opened on
// one line ("- - - x", "? ? x").
func tooDeep(tks token.Tokens) (*token.Token, bool) {
	flow, block, line := 0, 0, 0
	for _, tk := range tks {
		if tk.Position != nil && tk.Position.Line != line {
			line, block = tk.Position.Line, 0
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingKeyType:
			block++
		default:
			continue
		}
		if flow+block > MaxDepth {
			return tk, true
		}
	}
	return nil, false
}

// msgTooDeep is the reason a frontmatter nesting too deep is not read.
var msgTooDeep = fmt.Sprintf("frontmatter nests more than %d levels deep, not read", MaxDepth)
