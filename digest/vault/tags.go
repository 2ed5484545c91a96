package vault

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest/text"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gtext "github.com/yuin/goldmark/text"
	"golang.org/x/text/unicode/norm"
)

// InlineTags returns the #tags of a Markdown body the way Obsidian finds
// them, in order of first appearance, deduplicated case-insensitively and in
// NFC. A tag is '#' at the start of a line or after white space, followed by
// letters, marks, digits, '_', '-' or '/' (any script), with at least one
// character that is not a digit. Code (fenced and indented blocks, code
// spans, as goldmark parses them), HTML and %% comments, link destinations,
// wikilinks and autolinks are skipped.
func InlineTags(body []byte) []string {
	some := false
	candidates(body, func(string, int) bool { some = true; return false })
	if !some {
		return nil // most notes: no need to parse them
	}
	var tags []string
	var closing []byte // the end of a comment left open on an earlier line
	b := maskCode(body)
	for len(b) > 0 {
		l := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		closing = scanLine(l, closing, func(tag string) {
			tag = norm.NFC.String(tag)
			for _, t := range tags {
				if strings.EqualFold(t, tag) {
					return
				}
			}
			tags = append(tags, tag)
		})
	}
	return tags
}

// maskCode returns body with the text of its code blocks and code spans
// overwritten (line ends kept), so that no tag is found in it.
func maskCode(body []byte) []byte {
	if !mayHaveCode(body) {
		return body
	}
	doc := goldmark.DefaultParser().Parse(gtext.NewReader(body))
	var out []byte
	mask := func(s gtext.Segment) {
		if out == nil {
			out = bytes.Clone(body)
		}
		for i := s.Start; i < s.Stop; i++ {
			if out[i] != '\n' && out[i] != '\r' {
				out[i] = 'x'
			}
		}
	}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
				mask(f.Info.Segment)
			}
			lines := n.Lines()
			for i := range lines.Len() {
				mask(lines.At(i))
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					mask(t.Segment)
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if out == nil {
		return body
	}
	return out
}

// candidates calls fn with each tag after a '#' where a tag can start, in
// NFC, and the index of the '#', taking no code or comment into account:
// InlineTags finds some of these tags and no others, since hiding code can
// only take tags away. It stops when fn returns false.
func candidates(body []byte, fn func(tag string, at int) bool) {
	for i := 0; ; i++ {
		j := bytes.IndexByte(body[i:], '#')
		if j < 0 {
			return
		}
		i += j
		if i == 0 || body[i-1] == '\n' || afterSpace(body[:i]) {
			if tag, _ := text.ReadTag(body[i+1:]); tag != "" && !fn(norm.NFC.String(tag), i) {
				return
			}
		}
	}
}

// paragraphEnd returns the index of the first blank line at or after i, or
// len(body): what follows it does not change what is code before it.
func paragraphEnd(body []byte, i int) int {
	end := len(body)
	for _, sep := range []string{"\n\n", "\n\r\n"} {
		if j := bytes.Index(body[i:], []byte(sep)); j >= 0 && i+j < end {
			end = i + j
		}
	}
	return end
}

// mayHaveCode reports whether body has a backtick, a tilde, a tab or four
// spaces in a row: without one, goldmark finds no code in it.
func mayHaveCode(body []byte) bool {
	for _, c := range []byte("`~\t") {
		if bytes.IndexByte(body, c) >= 0 {
			return true
		}
	}
	return bytes.Contains(body, []byte("    "))
}

// scanLine finds the tags of one line, from where a comment left open on an
// earlier line closes (closing, nil when none), and returns the end of a
// comment it leaves open.
func scanLine(l, closing []byte, add func(string)) []byte {
	i := 0
	if closing != nil {
		j := bytes.Index(l, closing)
		if j < 0 {
			return closing
		}
		i = j + len(closing)
	}
	for i < len(l) {
		c := l[i]
		switch {
		case !special[c]:
			i++
		case c == '\\':
			i += 2 // an escaped character is never a tag start
		case c == '<' && bytes.HasPrefix(l[i:], []byte("<!--")):
			j := bytes.Index(l[i+4:], []byte("-->"))
			if j < 0 {
				return []byte("-->")
			}
			i += 4 + j + 3
		case c == '%' && i+1 < len(l) && l[i+1] == '%':
			j := bytes.Index(l[i+2:], []byte("%%"))
			if j < 0 {
				return []byte("%%")
			}
			i += 2 + j + 2
		case c == '<' && i+1 < len(l) && (isASCIILetter(l[i+1]) || l[i+1] == '/'):
			// An HTML tag or an autolink: skip to its end on this line.
			if j := bytes.IndexByte(l[i+1:], '>'); j >= 0 {
				i += 1 + j + 1
			} else {
				i++
			}
		case c == ']' && i+1 < len(l) && l[i+1] == '(':
			i = skipLinkDest(l, i+2)
		case c == '[' && i+1 < len(l) && l[i+1] == '[':
			if j := bytes.Index(l[i+2:], []byte("]]")); j >= 0 {
				i += 2 + j + 2
			} else {
				i += 2
			}
		case c == '#' && (i == 0 || afterSpace(l[:i])):
			tag, n := text.ReadTag(l[i+1:])
			if tag != "" {
				add(tag)
			}
			i += 1 + n
		default:
			i++
		}
	}
	return nil
}

// special marks the bytes scanLine must look at.
var special = func() (t [256]bool) {
	for _, c := range []byte("\\<%][#") {
		t[c] = true
	}
	return t
}()

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// afterSpace reports whether b ends in white space. Every construct the
// scanner skips ends in a delimiter that is not white space, so the byte
// before a '#' decides, whatever was skipped.
func afterSpace(b []byte) bool {
	c := b[len(b)-1]
	if c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'
	}
	r, _ := utf8.DecodeLastRune(b)
	return unicode.IsSpace(r)
}

// skipLinkDest returns the index after the ')' closing a link destination
// that starts at i, balancing nested parentheses; the end of the line if none.
func skipLinkDest(l []byte, i int) int {
	if j := bytes.IndexByte(l[i:], ')'); j >= 0 && bytes.IndexByte(l[i:i+j], '(') < 0 && bytes.IndexByte(l[i:i+j], '\\') < 0 {
		return i + j + 1
	}
	depth := 1
	for ; i < len(l); i++ {
		switch l[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(l)
}
