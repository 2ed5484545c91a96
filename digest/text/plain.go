package text

import (
	"bytes"
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
	gtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
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
	walk(markdown, func(blk block) bool {
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

// blockKind says where a block of text came from, which is what
// FirstParagraph judges it by; the kinds after blockHTML are never
// paragraphs.
type blockKind uint8

const (
	blockParagraph    blockKind = iota // a paragraph at the top level of the document
	blockQuoted                        // a paragraph inside a blockquote or a callout
	blockListItem                      // a paragraph inside a list item
	blockHTML                          // the text of an HTML block
	blockCalloutTitle                  // the title line of a callout
	blockHeading
	blockCode
	blockTable
)

// block is one block of a document as plain text.
type block struct {
	kind blockKind
	text string // whitespace collapsed, except in code and tables
	// linked is true when every letter and digit of text is the text of a
	// link, like a row of "Read on Omnivore | Read Original" links.
	linked bool
	// caption is true for a paragraph that starts with an image or follows
	// a paragraph of images only: the image's caption.
	caption bool
	// broken is true for a paragraph of several lines: lines that do not
	// end a sentence are then labels, not prose.
	broken bool
}

// Prose returns the text of a Markdown body that a reader reads as prose:
// PlainText without code blocks and tables, for the reading time.
func Prose(markdown []byte) string {
	var b strings.Builder
	walk(markdown, func(blk block) bool {
		if blk.text == "" || blk.kind == blockCode || blk.kind == blockTable {
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

// markdownParser parses Markdown the way Obsidian shows it; goldmark parsers are
// safe for concurrent use.
var markdownParser = sync.OnceValue(func() parser.Parser {
	md := goldmark.New(goldmark.WithExtensions(
		extension.Table,
		extension.Strikethrough,
		extension.TaskList,
		extension.Footnote,
		obsidian{},
	))
	return md.Parser()
})

// walk parses markdown and hands each block of text, in document order,
// to emit until emit returns false.
func walk(markdown []byte, emit func(block) bool) {
	doc := markdownParser().Parse(gtext.NewReader(markdown))
	w := walker{src: markdown, emit: emit}
	w.children(doc, blockParagraph)
}

type walker struct {
	src     []byte
	emit    func(block) bool
	stopped bool

	// State of the inline text being gathered for the current block.
	buf        []byte
	inLink     int
	linkedRune int    // letters and digits written inside links
	skipTag    string // "script" or "style" while inside such an inline element
	firstBreak int    // offset in buf of the first line break, -1 if none
	linkedAtBr int    // linkedRune at firstBreak
	images     int    // images and embeds in the inline text
	leadImage  bool   // the inline text starts with an image or an embed
	afterImage bool   // the last block was a paragraph of images only
}

func (w *walker) send(kind blockKind, text string, linkedRunes int) {
	w.sendCaption(kind, text, linkedRunes, false)
}

func (w *walker) sendCaption(kind blockKind, text string, linkedRunes int, caption bool) {
	if w.stopped || text == "" {
		return
	}
	linked := false
	if linkedRunes > 0 {
		linked = countLetters(text) <= linkedRunes
	}
	broken := w.firstBreak >= 0 && kind <= blockHTML
	if !w.emit(block{kind: kind, text: text, linked: linked, caption: caption, broken: broken}) {
		w.stopped = true
	}
}

func (w *walker) children(parent ast.Node, ctx blockKind) {
	for n := parent.FirstChild(); n != nil && !w.stopped; n = n.NextSibling() {
		w.node(n, ctx)
	}
}

// nested returns the context of a block nested in ctx: the first
// container a paragraph is in decides its kind.
func nested(ctx, inner blockKind) blockKind {
	if ctx == blockParagraph {
		return inner
	}
	return ctx
}

// calloutMarker matches the "[!type]" that opens an Obsidian callout, with
// its optional fold sign.
var calloutMarker = regexp.MustCompile(`^\s*\[![^\]\s]*\][+-]?`)

// blockquote emits a blockquote's paragraphs; a callout's first line is its
// title, without the [!type] marker, and the rest its body.
func (w *walker) blockquote(n ast.Node, ctx blockKind) {
	first := n.FirstChild()
	if first == nil || first.Kind() != ast.KindParagraph || first.Lines().Len() == 0 {
		w.children(n, ctx)
		return
	}
	if line := first.Lines().At(0); !calloutMarker.Match(line.Value(w.src)) {
		w.children(n, ctx)
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
	w.send(blockCalloutTitle, finish(title), linkedTitle)
	w.send(ctx, finish(body), linkedBody)
	for c := first.NextSibling(); c != nil && !w.stopped; c = c.NextSibling() {
		w.node(c, ctx)
	}
}

// node walks one block node; children walks all children of a node.
func (w *walker) node(n ast.Node, ctx blockKind) {
	switch n.Kind() {
	case ast.KindParagraph, ast.KindTextBlock:
		w.inlineBlock(n)
		text := finish(w.buf)
		after := w.afterImage
		w.sendCaption(ctx, text, w.linkedRune, w.leadImage || after)
		w.afterImage = w.images > 0 && text == ""
		return
	case ast.KindHeading:
		w.inlineBlock(n)
		w.send(blockHeading, finish(w.buf), w.linkedRune)
	case ast.KindBlockquote:
		w.blockquote(n, nested(ctx, blockQuoted))
	case ast.KindList, ast.KindListItem:
		w.children(n, nested(ctx, blockListItem))
	case ast.KindCodeBlock, ast.KindFencedCodeBlock:
		w.send(blockCode, codeText(n.Lines(), w.src), 0)
	case ast.KindHTMLBlock:
		w.htmlBlock(n.(*ast.HTMLBlock))
	case east.KindTable:
		w.table(n)
	case ast.KindThematicBreak, ast.KindLinkReferenceDefinition,
		east.KindFootnoteList, kindFence:
		// Nothing a reader reads: rules, definitions, footnotes, math, comments.
	default:
		w.children(n, ctx)
	}
	w.afterImage = false
}

func (w *walker) table(n ast.Node) {
	var rows []string
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			w.inlineBlock(cell)
			cells = append(cells, finish(w.buf))
		}
		if r := strings.TrimSpace(strings.Join(cells, "\t")); r != "" {
			rows = append(rows, r)
		}
	}
	w.send(blockTable, strings.Join(rows, "\n"), 0)
}

func (w *walker) htmlBlock(n *ast.HTMLBlock) {
	var raw []byte
	lines := n.Lines()
	for i := range lines.Len() {
		line := lines.At(i)
		raw = append(raw, line.Value(w.src)...)
	}
	if n.HasClosure() {
		raw = append(raw, n.ClosureLine.Value(w.src)...)
	}
	w.send(blockHTML, finish(stripHTML(raw)), 0)
}

// inlineBlock gathers the inline text of n into w.buf.
func (w *walker) inlineBlock(n ast.Node) {
	w.buf = w.buf[:0]
	w.inLink, w.linkedRune, w.skipTag = 0, 0, ""
	w.firstBreak, w.linkedAtBr = -1, 0
	w.images, w.leadImage = 0, false
	w.inlines(n)
}

func (w *walker) inlines(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Text:
			if w.skipTag == "" {
				v := n.Segment.Value(w.src)
				if n.IsRaw() {
					w.write(v)
				} else {
					w.write(unescape(v))
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
					w.write(unescape(n.Value))
				}
			}
		case *ast.Image:
			// Images, tracking pixels included, are not text.
			w.image()
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
		case *wikiLink:
			if n.embed {
				w.image()
			}
			if !n.embed {
				w.inLink++
				w.write(n.text)
				w.inLink--
			}
		default:
			switch n.Kind() {
			case east.KindFootnoteLink, east.KindFootnoteBacklink, east.KindTaskCheckBox, kindComment:
				continue
			}
			w.inlines(n)
		}
	}
}

// image notes an image or an embed in the inline text.
func (w *walker) image() {
	if w.images == 0 && len(bytes.TrimSpace(w.buf)) == 0 {
		w.leadImage = true
	}
	w.images++
}

func (w *walker) write(v []byte) {
	if w.inLink > 0 {
		w.linkedRune += countLetters(string(v))
	}
	w.buf = append(w.buf, v...)
}

func (w *walker) lineBreak() {
	if w.firstBreak < 0 {
		w.firstBreak, w.linkedAtBr = len(w.buf), w.linkedRune
	}
	w.buf = append(w.buf, '\n')
}

// rawHTML drops an inline tag, and the content of an inline script or style
// element with it; <br> becomes a space.
func (w *walker) rawHTML(n *ast.RawHTML) {
	var tag []byte
	for i := range n.Segments.Len() {
		seg := n.Segments.At(i)
		tag = append(tag, seg.Value(w.src)...)
	}
	z := html.NewTokenizer(bytes.NewReader(tag))
	tt := z.Next()
	name, _ := z.TagName()
	switch {
	case w.skipTag != "":
		if tt == html.EndTagToken && string(name) == w.skipTag {
			w.skipTag = ""
		}
	case tt == html.StartTagToken && (string(name) == "script" || string(name) == "style"):
		w.skipTag = string(name)
	case string(name) == "br":
		w.buf = append(w.buf, ' ')
	}
}

// inlineElements are the HTML elements that do not separate words.
var inlineElements = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true,
	"data": true, "del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true,
	"kbd": true, "mark": true, "q": true, "rp": true, "rt": true, "ruby": true, "s": true,
	"samp": true, "small": true, "span": true, "strong": true, "sub": true, "sup": true,
	"time": true, "u": true, "var": true, "wbr": true,
}

// stripHTML returns the text of an HTML fragment with its entities decoded,
// without tags, comments, scripts, styles and templates; a tag that
// separates words leaves a space. An unterminated tag ends the text.
func stripHTML(fragment []byte) []byte {
	var out []byte
	z := html.NewTokenizer(bytes.NewReader(fragment))
	inScript := false // in a script or style, whose text the tokenizer reads raw
	inTemplate := 0   // depth of template elements, whose content is inert
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if !inScript && inTemplate == 0 {
				out = append(out, z.Text()...)
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				inScript = true
			case "template":
				inTemplate++
			default:
				// Read the content of title, textarea, noscript and the
				// like as HTML, as the text of a page shows it.
				z.NextIsNotRawText()
			}
			if !inlineElements[string(name)] && inTemplate == 0 {
				out = append(out, ' ')
			}
		case html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				inScript = false
			case "template":
				inTemplate = max(0, inTemplate-1)
				continue
			}
			if !inlineElements[string(name)] && inTemplate == 0 {
				out = append(out, ' ')
			}
		}
	}
}

// unescape resolves backslash escapes and entity references the way
// goldmark's HTML renderer does.
func unescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') >= 0 {
		v = util.UnescapePunctuations(v)
	}
	if bytes.IndexByte(v, '&') >= 0 {
		v = util.ResolveEntityNames(util.ResolveNumericReferences(v))
	}
	return v
}

var (
	// footnoteRef is a footnote reference whose definition is missing.
	footnoteRef = regexp.MustCompile(`\[\^[^\]\s]{1,64}\]`)
	// leftoverImage and leftoverLink are Markdown that the parser
	// left as text, usually because the clipper escaped the title quotes
	// (&quot;) or the reference definition is missing.
	leftoverImage = regexp.MustCompile(`!\[[^\]]*\]\((?:[^()]|\([^()]*\))*\)`)
	leftoverLink  = regexp.MustCompile(`\[([^\[\]]*)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\[\]]*\])`)
	// strayLinkEnd is the "](url)" end of a link whose text spans
	// paragraphs, which leaves its "[" at the end of an earlier one.
	strayLinkEnd = regexp.MustCompile(`\]\((?:https?://|/|#)[^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)`)
	// escapedAutolink is an autolink whose brackets the clipper wrote
	// as &lt; and &gt;.
	escapedAutolink = regexp.MustCompile(`<(https?://[^<>\s]+)>`)
)

// finish turns gathered inline text into a paragraph: leftover link
// syntax removed, whitespace collapsed, control characters and invalid
// UTF-8 dropped, and a leading "> " that a clipper escaped removed.
func finish(b []byte) string {
	if bytes.IndexByte(b, ']') >= 0 {
		b = footnoteRef.ReplaceAll(b, nil)
		b = leftoverImage.ReplaceAll(b, nil)
		b = leftoverLink.ReplaceAll(b, []byte("$1"))
		b = strayLinkEnd.ReplaceAll(b, nil)
	}
	if bytes.Contains(b, []byte("<http")) {
		b = escapedAutolink.ReplaceAll(b, []byte("$1"))
	}
	s := collapse(b)
	for strings.HasPrefix(s, "> ") || s == ">" {
		s = strings.TrimLeft(s[1:], " ")
	}
	for strings.HasSuffix(s, "[") {
		s = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(s, "["), "!"), " ")
	}
	return s
}

// collapse collapses each run of whitespace to one space, or to nothing
// where a line break joins two characters of a script written without spaces
// (Chinese, Japanese), and trims the ends. Control characters, zero-width
// spaces and invalid UTF-8 are dropped.
func collapse(b []byte) string {
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
			if len(out) > 0 && !(newline && unspaced(last) && unspaced(r)) {
				out = append(out, ' ')
			}
			space, newline = false, false
		}
		out = utf8.AppendRune(out, r)
		last = r
	}
	return string(out)
}

// unspaced reports whether r belongs to a script written without spaces
// between words, or is punctuation of such a script.
func unspaced(r rune) bool {
	switch {
	case r < 0x2e80:
		return false
	case r >= 0x3000 && r <= 0x30ff, r >= 0xff00 && r <= 0xff65:
		return true // CJK punctuation, kana, fullwidth forms
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// codeText returns the lines of a code block, valid UTF-8, without
// trailing spaces.
func codeText(lines *gtext.Segments, src []byte) string {
	var b strings.Builder
	for i := range lines.Len() {
		seg := lines.At(i)
		line := strings.TrimRightFunc(string(seg.Value(src)), unicode.IsSpace)
		b.WriteString(strings.ToValidUTF8(line, ""))
		b.WriteByte('\n')
	}
	return strings.Trim(b.String(), "\n")
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
