package text

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	gtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// obsidian extends goldmark with the Obsidian syntax PlainText reads.
type obsidian struct{}

func (obsidian) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithInlineParsers(
			util.Prioritized(wikiParser{}, 150), // before links (200), after footnotes (101)
			util.Prioritized(starParser{}, 499), // before goldmark's emphasis (500)
			util.Prioritized(highlightParser{}, 500),
			util.Prioritized(commentParser{}, 500),
			util.Prioritized(mathParser{}, 500),
		),
		parser.WithBlockParsers(
			util.Prioritized(fenceParser{}, 650),
		),
	)
}

var (
	kindWikiLink  = ast.NewNodeKind("ObsidianWikiLink")
	kindHighlight = ast.NewNodeKind("ObsidianHighlight")
	kindComment   = ast.NewNodeKind("ObsidianComment")
	kindFence     = ast.NewNodeKind("ObsidianFence")
)

// wikiLink is [[target|alias]], or ![[embed]] when embed is set.
type wikiLink struct {
	ast.BaseInline
	text  []byte // what Obsidian shows
	embed bool
}

func (n *wikiLink) Kind() ast.NodeKind { return kindWikiLink }
func (n *wikiLink) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Text": string(n.text)}, nil)
}

type wikiParser struct{}

// wikiMax is the longest [[link]] read, in bytes.
const wikiMax = 1024

func (wikiParser) Trigger() []byte { return []byte{'!', '['} }

func (wikiParser) Parse(parent ast.Node, block gtext.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	i := 0
	if len(line) > 0 && line[0] == '!' {
		i = 1
	}
	if !bytes.HasPrefix(line[i:], []byte("[[")) {
		return nil
	}
	inner := line[i+2:]
	// A link is short; looking further would make a line of "[[" quadratic.
	end := bytes.Index(inner[:min(len(inner), wikiMax)], []byte("]]"))
	if end < 0 {
		return nil
	}
	inner = inner[:end]
	if len(bytes.TrimSpace(inner)) == 0 || bytes.ContainsAny(inner, "[]\n") {
		return nil
	}
	block.Advance(i + 2 + end + 2)
	return &wikiLink{text: wikiText(inner), embed: i == 1}
}

// wikiText is what Obsidian shows for a link to target: the alias after
// "|" (written "\|" in tables), else the note name without "#heading" or
// "#^block", else the heading of a link within the note.
func wikiText(target []byte) []byte {
	if k := bytes.IndexByte(target, '|'); k >= 0 {
		alias := bytes.TrimSpace(target[k+1:])
		if len(alias) > 0 {
			return alias
		}
		target = bytes.TrimSuffix(target[:k], []byte{'\\'})
	}
	if k := bytes.IndexByte(target, '#'); k > 0 {
		target = target[:k]
	} else if k == 0 {
		target = bytes.TrimLeft(target, "#^")
	}
	return bytes.TrimSpace(target)
}

// highlight is ==marked text==.
type highlight struct{ ast.BaseInline }

func (n *highlight) Kind() ast.NodeKind         { return kindHighlight }
func (n *highlight) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type highlightDelimiter struct{}

func (highlightDelimiter) IsDelimiter(b byte) bool { return b == '=' }
func (highlightDelimiter) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}
func (highlightDelimiter) OnMatch(consumes int) ast.Node { return &highlight{} }

type highlightParser struct{}

func (highlightParser) Trigger() []byte { return []byte{'='} }

func (highlightParser) Parse(parent ast.Node, block gtext.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	node := parser.ScanDelimiter(line, before, 2, highlightDelimiter{})
	if node == nil || node.OriginalLength != 2 || before == '=' {
		return nil
	}
	node.Segment = segment.WithStop(segment.Start + node.OriginalLength)
	block.Advance(node.OriginalLength)
	pc.PushDelimiter(node)
	return node
}

func (highlightParser) CloseBlock(parent ast.Node, pc parser.Context) {}

// comment is an Obsidian %%comment%% within a line.
type comment struct{ ast.BaseInline }

func (n *comment) Kind() ast.NodeKind         { return kindComment }
func (n *comment) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type commentParser struct{}

func (commentParser) Trigger() []byte { return []byte{'%'} }

func (commentParser) Parse(parent ast.Node, block gtext.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if !bytes.HasPrefix(line, []byte("%%")) {
		return nil
	}
	end := bytes.Index(line[2:], []byte("%%"))
	if end < 0 {
		return nil
	}
	block.Advance(2 + end + 2)
	return &comment{}
}

// mathParser reads Obsidian's inline math, $x^2$, as its text without the
// dollars: a "$" followed by a non-space opens it, a "$" after a non-space
// and not before a digit closes it, so "$5 and $10" stays as it is.
type mathParser struct{}

// mathMax is the longest inline math read, in bytes.
const mathMax = 256

func (mathParser) Trigger() []byte { return []byte{'$'} }

func (mathParser) Parse(parent ast.Node, block gtext.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 3 || line[1] == '$' || line[1] == ' ' || line[1] == '\t' || block.PrecendingCharacter() == '$' {
		return nil
	}
	rest := line[1:min(len(line), mathMax)]
	for i := 1; i < len(rest); i++ {
		if rest[i] != '$' {
			continue
		}
		if rest[i-1] == ' ' || rest[i-1] == '\t' || rest[i-1] == '\\' {
			continue
		}
		if i+1 < len(rest) && rest[i+1] >= '0' && rest[i+1] <= '9' {
			return nil
		}
		block.Advance(i + 2)
		s := ast.NewString(bytes.Clone(rest[:i]))
		s.SetCode(true)
		return s
	}
	return nil
}

// fence is a block between $$ lines (math) or %% lines (a comment);
// as in Obsidian, one that is never closed runs to the end of the note.
type fence struct {
	ast.BaseBlock
	delim  []byte
	closed bool
}

func (n *fence) Kind() ast.NodeKind         { return kindFence }
func (n *fence) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type fenceParser struct{}

func (fenceParser) Trigger() []byte { return []byte{'$', '%'} }

func (fenceParser) Open(parent ast.Node, reader gtext.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, _ := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos+2 > len(line) || line[pos] != line[pos+1] || line[pos] != '$' && line[pos] != '%' {
		return nil, parser.NoChildren
	}
	delim := line[pos : pos+2]
	rest := bytes.TrimRightFunc(line[pos+2:], unicode.IsSpace)
	node := &fence{delim: bytes.Clone(delim)}
	if bytes.Contains(rest, delim) {
		if !bytes.HasSuffix(rest, delim) {
			return nil, parser.NoChildren // "%%a%% text" is inline
		}
		node.closed = true
	}
	reader.AdvanceToEOL()
	return node, parser.NoChildren
}

func (fenceParser) Continue(node ast.Node, reader gtext.Reader, pc parser.Context) parser.State {
	n := node.(*fence)
	if n.closed {
		return parser.Close
	}
	line, _ := reader.PeekLine()
	reader.AdvanceToEOL()
	if bytes.Contains(line, n.delim) {
		return parser.Close
	}
	return parser.Continue | parser.NoChildren
}

func (fenceParser) Close(node ast.Node, reader gtext.Reader, pc parser.Context) {}
func (fenceParser) CanInterruptParagraph() bool                                 { return true }
func (fenceParser) CanAcceptIndentedLine() bool                                 { return false }

// starParser reads * and ** like goldmark's emphasis parser, except
// that punctuation next to the stars does not stop them from opening or
// closing when the character on their other side is Chinese or Japanese, so
// that この**「重点」**です is bold, as in Obsidian, rather than literal stars
// (the CommonMark flanking rules assume spaces around emphasis).
type starParser struct{}

func (starParser) Trigger() []byte { return []byte{'*'} }

func (starParser) Parse(parent ast.Node, block gtext.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	n := 0
	for n < len(line) && line[n] == '*' {
		n++
	}
	if n == 0 {
		return nil
	}
	after := ' '
	if n < len(line) {
		after, _ = utf8.DecodeRune(line[n:])
	}
	beforeSpace, afterSpace := util.IsSpaceRune(before), util.IsSpaceRune(after)
	beforePunct, afterPunct := util.IsPunctRune(before), util.IsPunctRune(after)
	canOpen := !afterSpace && (!afterPunct || beforeSpace || beforePunct || unspaced(before))
	canClose := !beforeSpace && (!beforePunct || afterSpace || afterPunct || unspaced(after))
	node := parser.NewDelimiter(canOpen, canClose, n, '*', starDelimiter{})
	node.Segment = segment.WithStop(segment.Start + n)
	block.Advance(n)
	pc.PushDelimiter(node)
	return node
}

func (starParser) CloseBlock(parent ast.Node, pc parser.Context) {}

type starDelimiter struct{}

func (starDelimiter) IsDelimiter(b byte) bool { return b == '*' }
func (starDelimiter) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}
func (starDelimiter) OnMatch(consumes int) ast.Node { return ast.NewEmphasis(consumes) }
