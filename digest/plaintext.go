package digest

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// PlainText returns what a reader sees of a clipping's Markdown, as plain
// text with one paragraph per block and a blank line between blocks.
//
// It reads CommonMark with the GFM extensions (tables, strikethrough, task
// lists, footnotes) and Obsidian's syntax: [[target|alias]] shows the alias,
// [[target#heading]] the target, ![[embeds]] and images are dropped, ==marks==
// and callout markers (> [!note] Title) are unwrapped, %%comments%% and $$math$$
// blocks are dropped. HTML tags are removed and entities decoded. Code keeps
// its lines; table rows are lines of tab-separated cells.
func PlainText(markdown []byte) string {
	var b strings.Builder
	plainWalk(markdown, func(blk plainBlock) bool {
		if blk.text == "" {
			return true
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(blk.text)
		return true
	})
	return b.String()
}

// plainBlockKind says where a block of text came from, which is what
// FirstParagraph judges it by; the kinds after plainHTML are never
// paragraphs.
type plainBlockKind uint8

const (
	plainParagraph    plainBlockKind = iota // a paragraph at the top level of the document
	plainQuoted                             // a paragraph inside a blockquote or a callout
	plainListItem                           // a paragraph inside a list item
	plainHTML                               // the text of an HTML block
	plainCalloutTitle                       // the title line of a callout
	plainHeading
	plainCode
	plainTable
)

// plainBlock is one block of a document as plain text.
type plainBlock struct {
	kind plainBlockKind
	text string // whitespace collapsed, except in code and tables
	// linked is true when every letter and digit of text is the text of a
	// link, like a row of "Read on Omnivore | Read Original" links.
	linked bool
}

// plainParser parses Markdown the way Obsidian shows it; goldmark parsers are
// safe for concurrent use.
var plainParser = sync.OnceValue(func() parser.Parser {
	md := goldmark.New(goldmark.WithExtensions(
		extension.Table,
		extension.Strikethrough,
		extension.TaskList,
		extension.Footnote,
		plainObsidian{},
	))
	return md.Parser()
})

// plainWalk parses markdown and hands each block of text, in document order,
// to emit until emit returns false.
func plainWalk(markdown []byte, emit func(plainBlock) bool) {
	doc := plainParser().Parse(text.NewReader(markdown))
	w := plainWalker{src: markdown, emit: emit}
	w.blocks(doc, plainParagraph)
}

type plainWalker struct {
	src     []byte
	emit    func(plainBlock) bool
	stopped bool

	// State of the inline text being gathered for the current block.
	buf        []byte
	inLink     int
	linkedRune int    // letters and digits written inside links
	skipTag    string // "script" or "style" while inside such an inline element
	firstBreak int    // offset in buf of the first line break, -1 if none
	linkedAtBr int    // linkedRune at firstBreak
}

func (w *plainWalker) send(kind plainBlockKind, text string, linkedRunes int) {
	if w.stopped || text == "" {
		return
	}
	linked := false
	if linkedRunes > 0 {
		linked = plainCountLetters(text) <= linkedRunes
	}
	if !w.emit(plainBlock{kind: kind, text: text, linked: linked}) {
		w.stopped = true
	}
}

func (w *plainWalker) blocks(parent ast.Node, ctx plainBlockKind) {
	for n := parent.FirstChild(); n != nil && !w.stopped; n = n.NextSibling() {
		w.block(n, ctx)
	}
}

// plainNested returns the context of a block nested in ctx: the first
// container a paragraph is in decides its kind.
func plainNested(ctx, inner plainBlockKind) plainBlockKind {
	if ctx == plainParagraph {
		return inner
	}
	return ctx
}

// calloutMarker matches the "[!type]" that opens an Obsidian callout, with
// its optional fold sign.
var calloutMarker = regexp.MustCompile(`^\s*\[![^\]\s]*\][+-]?`)

// blockquote emits a blockquote's paragraphs; a callout's first line is its
// title, without the [!type] marker, and the rest its body.
func (w *plainWalker) blockquote(n ast.Node, ctx plainBlockKind) {
	first := n.FirstChild()
	if first == nil || first.Kind() != ast.KindParagraph || first.Lines().Len() == 0 {
		w.blocks(n, ctx)
		return
	}
	if line := first.Lines().At(0); !calloutMarker.Match(line.Value(w.src)) {
		w.blocks(n, ctx)
		return
	}
	w.inlineBlock(first)
	title, body := w.buf, []byte(nil)
	linkedTitle, linkedBody := w.linkedRune, 0
	if w.firstBreak >= 0 {
		title, body = w.buf[:w.firstBreak], w.buf[w.firstBreak:]
		linkedTitle, linkedBody = w.linkedAtBr, w.linkedRune-w.linkedAtBr
	}
	if loc := calloutMarker.FindIndex(title); loc != nil {
		title = title[loc[1]:]
	}
	w.send(plainCalloutTitle, plainFinish(title), linkedTitle)
	w.send(ctx, plainFinish(body), linkedBody)
	for c := first.NextSibling(); c != nil && !w.stopped; c = c.NextSibling() {
		w.block(c, ctx)
	}
}

// block walks one block node; blocks walks all children of a node.
func (w *plainWalker) block(n ast.Node, ctx plainBlockKind) {
	switch n.Kind() {
	case ast.KindParagraph, ast.KindTextBlock:
		w.inlineBlock(n)
		w.send(ctx, plainFinish(w.buf), w.linkedRune)
	case ast.KindHeading:
		w.inlineBlock(n)
		w.send(plainHeading, plainFinish(w.buf), w.linkedRune)
	case ast.KindBlockquote:
		w.blockquote(n, plainNested(ctx, plainQuoted))
	case ast.KindList, ast.KindListItem:
		w.blocks(n, plainNested(ctx, plainListItem))
	case ast.KindCodeBlock, ast.KindFencedCodeBlock:
		w.send(plainCode, plainCodeText(n.Lines(), w.src), 0)
	case ast.KindHTMLBlock:
		w.htmlBlock(n.(*ast.HTMLBlock))
	case east.KindTable:
		w.table(n)
	case ast.KindThematicBreak, ast.KindLinkReferenceDefinition,
		east.KindFootnoteList, kindPlainFence:
		// Nothing a reader reads: rules, definitions, footnotes, math, comments.
	default:
		w.blocks(n, ctx)
	}
}

func (w *plainWalker) table(n ast.Node) {
	var rows []string
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			w.inlineBlock(cell)
			cells = append(cells, plainFinish(w.buf))
		}
		if r := strings.TrimSpace(strings.Join(cells, "\t")); r != "" {
			rows = append(rows, r)
		}
	}
	w.send(plainTable, strings.Join(rows, "\n"), 0)
}

func (w *plainWalker) htmlBlock(n *ast.HTMLBlock) {
	var raw []byte
	lines := n.Lines()
	for i := range lines.Len() {
		line := lines.At(i)
		raw = append(raw, line.Value(w.src)...)
	}
	if n.HasClosure() {
		raw = append(raw, n.ClosureLine.Value(w.src)...)
	}
	t := html.UnescapeString(string(plainStripHTML(raw)))
	w.send(plainHTML, plainFinish([]byte(t)), 0)
}

// inlineBlock gathers the inline text of n into w.buf.
func (w *plainWalker) inlineBlock(n ast.Node) {
	w.buf = w.buf[:0]
	w.inLink, w.linkedRune, w.skipTag = 0, 0, ""
	w.firstBreak, w.linkedAtBr = -1, 0
	w.inlines(n)
}

func (w *plainWalker) inlines(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Text:
			if w.skipTag == "" {
				v := n.Segment.Value(w.src)
				if n.IsRaw() {
					w.write(v)
				} else {
					w.write(plainUnescape(v))
				}
			}
			if n.SoftLineBreak() || n.HardLineBreak() {
				w.lineBreak()
			}
		case *ast.String:
			if w.skipTag == "" {
				if n.IsRaw() || n.IsCode() {
					w.write(n.Value)
				} else {
					w.write(plainUnescape(n.Value))
				}
			}
		case *ast.Image:
			// Images, tracking pixels included, are not text.
		case *ast.Link:
			w.inLink++
			w.inlines(n)
			w.inLink--
		case *ast.AutoLink:
			w.inLink++
			w.write(n.Label(w.src))
			w.inLink--
		case *ast.RawHTML:
			w.rawHTML(n)
		case *plainWikiLink:
			if !n.embed {
				w.inLink++
				w.write(n.text)
				w.inLink--
			}
		default:
			switch n.Kind() {
			case east.KindFootnoteLink, east.KindFootnoteBacklink, east.KindTaskCheckBox, kindPlainComment:
				continue
			}
			w.inlines(n)
		}
	}
}

func (w *plainWalker) write(v []byte) {
	if w.inLink > 0 {
		w.linkedRune += plainCountLetters(string(v))
	}
	w.buf = append(w.buf, v...)
}

func (w *plainWalker) lineBreak() {
	if w.firstBreak < 0 {
		w.firstBreak, w.linkedAtBr = len(w.buf), w.linkedRune
	}
	w.buf = append(w.buf, '\n')
}

// rawHTML drops an inline tag, and the content of an inline script or style
// element with it; <br> becomes a space.
func (w *plainWalker) rawHTML(n *ast.RawHTML) {
	var tag []byte
	for i := range n.Segments.Len() {
		seg := n.Segments.At(i)
		tag = append(tag, seg.Value(w.src)...)
	}
	name, closing := plainTagName(tag)
	switch {
	case w.skipTag != "":
		if closing && name == w.skipTag {
			w.skipTag = ""
		}
	case !closing && (name == "script" || name == "style") && !bytes.HasSuffix(tag, []byte("/>")):
		w.skipTag = name
	case name == "br":
		w.buf = append(w.buf, ' ')
	}
}

// plainTagName returns the lower-cased name of an HTML tag and whether it is
// a closing tag; the name is empty for comments and declarations.
func plainTagName(tag []byte) (name string, closing bool) {
	if len(tag) < 2 || tag[0] != '<' {
		return "", false
	}
	i := 1
	if tag[i] == '/' {
		closing = true
		i++
	}
	j := i
	for j < len(tag) && (tag[j] >= 'a' && tag[j] <= 'z' || tag[j] >= 'A' && tag[j] <= 'Z' || tag[j] >= '0' && tag[j] <= '9') {
		j++
	}
	return strings.ToLower(string(tag[i:j])), closing
}

// plainInlineTags are the HTML elements that do not separate words.
var plainInlineTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true,
	"data": true, "del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true,
	"kbd": true, "mark": true, "q": true, "rp": true, "rt": true, "ruby": true, "s": true,
	"samp": true, "small": true, "span": true, "strong": true, "sub": true, "sup": true,
	"time": true, "u": true, "var": true, "wbr": true,
}

// plainStripHTML removes the tags, comments, scripts and styles from an HTML
// fragment, leaving its text (entities still encoded).
func plainStripHTML(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' || i+1 == len(s) || !(s[i+1] == '/' || s[i+1] == '!' || s[i+1] == '?' ||
			s[i+1] >= 'a' && s[i+1] <= 'z' || s[i+1] >= 'A' && s[i+1] <= 'Z') {
			out = append(out, c)
			i++
			continue
		}
		rest := s[i:]
		if bytes.HasPrefix(rest, []byte("<!--")) {
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := bytes.IndexByte(rest, '>')
		if end < 0 {
			break // an unterminated tag: nothing after it is text
		}
		name, closing := plainTagName(rest[:end+1])
		i += end + 1
		if !closing && (name == "script" || name == "style" || name == "template") {
			close := plainIndexFold(s[i:], "</"+name)
			if close < 0 {
				break
			}
			i += close
			continue
		}
		if !plainInlineTags[name] {
			out = append(out, ' ')
		}
	}
	return out
}

// plainIndexFold is bytes.Index for an ASCII needle, ignoring case.
func plainIndexFold(s []byte, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if bytes.EqualFold(s[i:i+len(needle)], []byte(needle)) {
			return i
		}
	}
	return -1
}

// plainUnescape resolves backslash escapes and entity references the way
// goldmark's HTML renderer does.
func plainUnescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') >= 0 {
		v = util.UnescapePunctuations(v)
	}
	if bytes.IndexByte(v, '&') >= 0 {
		v = util.ResolveEntityNames(util.ResolveNumericReferences(v))
	}
	return v
}

var (
	// plainFootnoteRef is a footnote reference whose definition is missing.
	plainFootnoteRef = regexp.MustCompile(`\[\^[^\]\s]{1,64}\]`)
	// plainLeftoverImage and plainLeftoverLink are Markdown that the parser
	// left as text, usually because the clipper escaped the title quotes
	// (&quot;) or the reference definition is missing.
	plainLeftoverImage = regexp.MustCompile(`!\[[^\]]*\]\((?:[^()]|\([^()]*\))*\)`)
	plainLeftoverLink  = regexp.MustCompile(`\[([^\[\]]*)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\[\]]*\])`)
	// plainStrayLinkEnd is the "](url)" end of a link whose text spans
	// paragraphs, which leaves its "[" at the end of an earlier one.
	plainStrayLinkEnd = regexp.MustCompile(`\]\((?:https?://|/|#)[^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)`)
	// plainEscapedAutolink is an autolink whose brackets the clipper wrote
	// as &lt; and &gt;.
	plainEscapedAutolink = regexp.MustCompile(`<(https?://[^<>\s]+)>`)
)

// plainFinish turns gathered inline text into a paragraph: leftover link
// syntax removed, whitespace collapsed, control characters and invalid
// UTF-8 dropped, and a leading "> " that a clipper escaped removed.
func plainFinish(b []byte) string {
	if bytes.IndexByte(b, ']') >= 0 {
		b = plainFootnoteRef.ReplaceAll(b, nil)
		b = plainLeftoverImage.ReplaceAll(b, nil)
		b = plainLeftoverLink.ReplaceAll(b, []byte("$1"))
		b = plainStrayLinkEnd.ReplaceAll(b, nil)
	}
	if bytes.Contains(b, []byte("<http")) {
		b = plainEscapedAutolink.ReplaceAll(b, []byte("$1"))
	}
	s := plainCollapse(b)
	for strings.HasPrefix(s, "> ") || s == ">" {
		s = strings.TrimLeft(s[1:], " ")
	}
	for strings.HasSuffix(s, "[") {
		s = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(s, "["), "!"), " ")
	}
	return s
}

// plainCollapse collapses each run of whitespace to one space, or to nothing
// where a line break joins two characters of a script written without spaces
// (Chinese, Japanese), and trims the ends. Control characters, zero-width
// spaces and invalid UTF-8 are dropped.
func plainCollapse(b []byte) string {
	out := make([]byte, 0, len(b))
	space, newline := false, false
	var last rune
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			continue
		case unicode.IsSpace(r):
			space = true
			newline = newline || r == '\n'
			continue
		case r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0xad || r == 0x200b || r == 0xfeff:
			continue
		}
		if space {
			if len(out) > 0 && !(newline && plainUnspaced(last) && plainUnspaced(r)) {
				out = append(out, ' ')
			}
			space, newline = false, false
		}
		out = utf8.AppendRune(out, r)
		last = r
	}
	return string(out)
}

// plainUnspaced reports whether r belongs to a script written without spaces
// between words, or is punctuation of such a script.
func plainUnspaced(r rune) bool {
	switch {
	case r < 0x2e80:
		return false
	case r >= 0x3000 && r <= 0x30ff, r >= 0xff00 && r <= 0xff65:
		return true // CJK punctuation, kana, fullwidth forms
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// plainCodeText returns the lines of a code block, valid UTF-8, without
// trailing spaces.
func plainCodeText(lines *text.Segments, src []byte) string {
	var b strings.Builder
	for i := range lines.Len() {
		seg := lines.At(i)
		line := strings.TrimRightFunc(string(seg.Value(src)), unicode.IsSpace)
		b.WriteString(strings.ToValidUTF8(line, ""))
		b.WriteByte('\n')
	}
	return strings.Trim(b.String(), "\n")
}

func plainCountLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// plainObsidian extends goldmark with the Obsidian syntax PlainText reads.
type plainObsidian struct{}

func (plainObsidian) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithInlineParsers(
			util.Prioritized(plainWikiParser{}, 150), // before links (200), after footnotes (101)
			util.Prioritized(plainStarParser{}, 499), // before goldmark's emphasis (500)
			util.Prioritized(plainHighlightParser{}, 500),
			util.Prioritized(plainCommentParser{}, 500),
		),
		parser.WithBlockParsers(
			util.Prioritized(plainFenceParser{}, 650),
		),
	)
}

var (
	kindPlainWikiLink  = ast.NewNodeKind("ObsidianWikiLink")
	kindPlainHighlight = ast.NewNodeKind("ObsidianHighlight")
	kindPlainComment   = ast.NewNodeKind("ObsidianComment")
	kindPlainFence     = ast.NewNodeKind("ObsidianFence")
)

// plainWikiLink is [[target|alias]], or ![[embed]] when embed is set.
type plainWikiLink struct {
	ast.BaseInline
	text  []byte // what Obsidian shows
	embed bool
}

func (n *plainWikiLink) Kind() ast.NodeKind { return kindPlainWikiLink }
func (n *plainWikiLink) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Text": string(n.text)}, nil)
}

type plainWikiParser struct{}

// plainWikiMax is the longest [[link]] read, in bytes.
const plainWikiMax = 1024

func (plainWikiParser) Trigger() []byte { return []byte{'!', '['} }

func (plainWikiParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
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
	end := bytes.Index(inner[:min(len(inner), plainWikiMax)], []byte("]]"))
	if end < 0 {
		return nil
	}
	inner = inner[:end]
	if len(bytes.TrimSpace(inner)) == 0 || bytes.ContainsAny(inner, "[]\n") {
		return nil
	}
	block.Advance(i + 2 + end + 2)
	return &plainWikiLink{text: plainWikiText(inner), embed: i == 1}
}

// plainWikiText is what Obsidian shows for a link to target: the alias after
// "|" (written "\|" in tables), else the note name without "#heading" or
// "#^block", else the heading of a link within the note.
func plainWikiText(target []byte) []byte {
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

// plainHighlight is ==marked text==.
type plainHighlight struct{ ast.BaseInline }

func (n *plainHighlight) Kind() ast.NodeKind         { return kindPlainHighlight }
func (n *plainHighlight) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type plainHighlightDelimiter struct{}

func (plainHighlightDelimiter) IsDelimiter(b byte) bool { return b == '=' }
func (plainHighlightDelimiter) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}
func (plainHighlightDelimiter) OnMatch(consumes int) ast.Node { return &plainHighlight{} }

type plainHighlightParser struct{}

func (plainHighlightParser) Trigger() []byte { return []byte{'='} }

func (plainHighlightParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	node := parser.ScanDelimiter(line, before, 2, plainHighlightDelimiter{})
	if node == nil || node.OriginalLength != 2 || before == '=' {
		return nil
	}
	node.Segment = segment.WithStop(segment.Start + node.OriginalLength)
	block.Advance(node.OriginalLength)
	pc.PushDelimiter(node)
	return node
}

func (plainHighlightParser) CloseBlock(parent ast.Node, pc parser.Context) {}

// plainComment is an Obsidian %%comment%% within a line.
type plainComment struct{ ast.BaseInline }

func (n *plainComment) Kind() ast.NodeKind         { return kindPlainComment }
func (n *plainComment) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type plainCommentParser struct{}

func (plainCommentParser) Trigger() []byte { return []byte{'%'} }

func (plainCommentParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if !bytes.HasPrefix(line, []byte("%%")) {
		return nil
	}
	end := bytes.Index(line[2:], []byte("%%"))
	if end < 0 {
		return nil
	}
	block.Advance(2 + end + 2)
	return &plainComment{}
}

// plainFence is a block between $$ lines (math) or %% lines (a comment);
// as in Obsidian, one that is never closed runs to the end of the note.
type plainFence struct {
	ast.BaseBlock
	delim  []byte
	closed bool
}

func (n *plainFence) Kind() ast.NodeKind         { return kindPlainFence }
func (n *plainFence) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type plainFenceParser struct{}

func (plainFenceParser) Trigger() []byte { return []byte{'$', '%'} }

func (plainFenceParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, _ := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos+2 > len(line) || line[pos] != line[pos+1] || line[pos] != '$' && line[pos] != '%' {
		return nil, parser.NoChildren
	}
	delim := line[pos : pos+2]
	rest := bytes.TrimRightFunc(line[pos+2:], unicode.IsSpace)
	node := &plainFence{delim: bytes.Clone(delim)}
	if bytes.Contains(rest, delim) {
		if !bytes.HasSuffix(rest, delim) {
			return nil, parser.NoChildren // "%%a%% text" is inline
		}
		node.closed = true
	}
	reader.AdvanceToEOL()
	return node, parser.NoChildren
}

func (plainFenceParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*plainFence)
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

func (plainFenceParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}
func (plainFenceParser) CanInterruptParagraph() bool                                { return true }
func (plainFenceParser) CanAcceptIndentedLine() bool                                { return false }

// plainStarParser reads * and ** like goldmark's emphasis parser, except
// that punctuation next to the stars does not stop them from opening or
// closing when the character on their other side is Chinese or Japanese, so
// that この**「重点」**です is bold, as in Obsidian, rather than literal stars
// (the CommonMark flanking rules assume spaces around emphasis).
type plainStarParser struct{}

func (plainStarParser) Trigger() []byte { return []byte{'*'} }

func (plainStarParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
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
	canOpen := !afterSpace && (!afterPunct || beforeSpace || beforePunct || plainUnspaced(before))
	canClose := !beforeSpace && (!beforePunct || afterSpace || afterPunct || plainUnspaced(after))
	node := parser.NewDelimiter(canOpen, canClose, n, '*', plainStarDelimiter{})
	node.Segment = segment.WithStop(segment.Start + n)
	block.Advance(n)
	pc.PushDelimiter(node)
	return node
}

func (plainStarParser) CloseBlock(parent ast.Node, pc parser.Context) {}

type plainStarDelimiter struct{}

func (plainStarDelimiter) IsDelimiter(b byte) bool { return b == '*' }
func (plainStarDelimiter) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}
func (plainStarDelimiter) OnMatch(consumes int) ast.Node { return ast.NewEmphasis(consumes) }
