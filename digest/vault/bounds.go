package vault

import (
	"bytes"
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

// MaxMarkdownDepth bounds the containers (block quotes, list items) a line
// of a body may open, counting two columns of indentation before them as
// one: goldmark's time grows with the square of that nesting (64 KB of ">"
// took 1.3 s), and real notes stay far inside it.
const MaxMarkdownDepth = 64

// maxLinkScan bounds the bytes goldmark would scan for the ends of link
// destinations left open ("[a](" repeated: 64 KB took 2.8 s).
const maxLinkScan = 16 << 20

// bodyTooCostly reports the line of a body that goldmark would take time
// growing with the square of its size to parse, and why; line is 0 for a
// body within the bounds. It looks at the bytes once.
func bodyTooCostly(body []byte) (line int, why string) {
	n := 1
	var open, openSum, scan int // link destinations left open, the sum of their offsets, bytes to scan for their ends
	for pos := 0; pos < len(body); {
		l, next := nextLine(body, pos)
		if d := containerDepth(l); d > MaxMarkdownDepth {
			return n, fmt.Sprintf("Markdown nests more than %d levels deep, body not read", MaxMarkdownDepth)
		}
		if len(bytes.TrimSpace(l)) == 0 { // a paragraph ends: so do open destinations
			scan += open*pos - openSum
			open, openSum = 0, 0
		}
		for i := 0; i < len(l); i++ {
			switch {
			case l[i] == ']' && i+1 < len(l) && l[i+1] == '(':
				open++
				openSum += pos + i
			case l[i] == ')' && open > 0:
				scan += open*(pos+i) - openSum
				open, openSum = 0, 0
			}
			if scan > maxLinkScan {
				return n, "Markdown leaves too many links open, body not read"
			}
		}
		pos = next
		n++
	}
	if scan += open*len(body) - openSum; scan > maxLinkScan {
		return n - 1, "Markdown leaves too many links open, body not read"
	}
	return 0, ""
}

// containerDepth counts the block quote and list markers that open a line,
// and its indentation before them in steps of two columns.
func containerDepth(l []byte) int {
	d, indent := 0, 0
	for i := 0; i < len(l); {
		switch c := l[i]; {
		case c == ' ':
			indent++
			i++
		case c == '\t':
			indent += 4
			i++
		case c == '>':
			d++
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(l) && (l[i+1] == ' ' || l[i+1] == '\t'):
			d++
			i += 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(l) && j-i < 9 && l[j] >= '0' && l[j] <= '9' {
				j++
			}
			if j+1 < len(l) && (l[j] == '.' || l[j] == ')') && (l[j+1] == ' ' || l[j+1] == '\t') {
				d++
				i = j + 2
				continue
			}
			return depthWith(d, indent)
		default:
			return depthWith(d, indent)
		}
	}
	return depthWith(d, indent)
}

// depthWith adds indentation to the markers counted, when there are any:
// an indented line without markers is code or a continuation.
func depthWith(markers, indent int) int {
	if markers == 0 {
		return 0
	}
	return markers + indent/2
}
