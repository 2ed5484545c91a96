package text

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt returns the plain-text excerpt of an item: its description when
// there is one, else the first real paragraph of its body, with whitespace
// collapsed and cut to maxWidth display columns by Truncate.
func Excerpt(description string, body []byte, maxWidth int) string {
	var text string
	if d := strings.TrimSpace(description); d != "" {
		text = collapse([]byte(PlainText([]byte(d))))
	}
	if text == "" {
		text = FirstParagraph(body)
	}
	return Truncate(dropInlineTags(text), maxWidth)
}

// dropInlineTags removes Obsidian #tags (a '#' at the start or after a space,
// with a valid tag after it) from one line of plain text: in a vault they are
// filing marks, in an excerpt they are noise.
func dropInlineTags(text string) string {
	if !strings.Contains(text, "#") {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] == '#' && (i == 0 || text[i-1] == ' ') {
			if tag, n := ReadTag([]byte(text[i+1:])); tag != "" {
				i += 1 + n
				for i < len(text) && text[i] == ' ' && (b.Len() == 0 || strings.HasSuffix(b.String(), " ")) {
					i++
				}
				continue
			}
		}
		b.WriteByte(text[i])
		i++
	}
	return strings.TrimSpace(b.String())
}

// Thresholds of FirstParagraph, in display columns.
const (
	// proseMinWidth is the width below which a paragraph that does not end
	// a sentence is a label, a title or a byline rather than prose.
	proseMinWidth = 40
	// sentenceMinWidth is the width below which even a sentence is
	// too short to stand for the article ("こんにちは！", "Thanks!").
	sentenceMinWidth = 20
	// bylineMaxWidth is the width below which a paragraph that does not
	// end a sentence and has a date or an @handle in it is a byline.
	bylineMaxWidth = 80
	// listItemMinWidth is the width from which a list item that ends a
	// sentence is as good as a paragraph ("- This article explains how…").
	listItemMinWidth = 60
)

// FirstParagraph returns the first real paragraph of a Markdown body as plain
// text on one line, or "" when it has none.
//
// Headings, code, math, tables, rules, images and embeds are never
// paragraphs. A paragraph is not real when it is only links (the "Read on
// Omnivore" rows of clippers), only URLs, #tags and @handles, or known site
// boilerplate (Qiita's "この記事は最終更新日から…"); when it ends a sentence but
// is narrower than 20 columns ("こんにちは！"); or when it does not end a
// sentence and is narrower than 40 columns (titles, labels, "From Wikipedia,
// the free encyclopedia") or narrower than 80 with a date or an @handle in
// it (bylines like "宝玉 @dotey 2025-10-06"). List items count in document
// order when they are sentences at least 60 columns wide; other list items,
// and paragraphs in blockquotes, callouts (often epigraphs and quoted
// posts) and HTML blocks, only when the body has no other paragraph.
func FirstParagraph(body []byte) string {
	// Most first paragraphs are near the top: parse the first blocks alone
	// before parsing a long body whole. Blocks before a blank line parse the
	// same whatever follows (reference definitions and footnotes further
	// down aside, whose leftovers finish removes).
	if cut := head(body); cut > 0 {
		if p, ok := firstParagraph(body[:cut]); ok {
			return p
		}
	}
	p, _ := firstParagraph(body)
	return p
}

// headSize is how much of a long body FirstParagraph reads first.
const headSize = 4 << 10

// head returns the end of the first blank line after headSize
// bytes of body, or 0 when body is not much longer than that.
func head(body []byte) int {
	if len(body) < 2*headSize {
		return 0
	}
	for i := headSize; ; {
		nl := bytes.IndexByte(body[i:], '\n')
		if nl < 0 {
			return 0
		}
		i += nl + 1
		j := i
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\r') {
			j++
		}
		if j < len(body) && body[j] == '\n' {
			return j + 1
		}
	}
}

// firstParagraph returns the first real paragraph of body, and whether it
// is a paragraph or list item rather than a fallback.
func firstParagraph(body []byte) (string, bool) {
	var found, fallback string
	walk(body, func(b block) bool {
		if b.kind > blockHTML || !isProse(b) {
			return true // callout titles, headings, code and tables are never paragraphs
		}
		if b.kind == blockParagraph || b.kind == blockListItem &&
			endsSentence(b.text) && DisplayWidth(b.text) >= listItemMinWidth {
			found = b.text
			return false
		}
		if fallback == "" {
			fallback = b.text
		}
		return true
	})
	if found != "" {
		return found, true
	}
	return fallback, false
}

// boilerplate are the beginnings of paragraphs that sites put before
// the article.
var boilerplate = []string{
	"この記事は最終更新日から", // Qiita: "this article was last updated N years ago"
	"From Wikipedia, the free encyclopedia",
}

// byline matches a numeric date (2025-06-11, 2025/6/11, 2025年07月04日)
// or an @handle, which in a short paragraph make it a byline.
var byline = regexp.MustCompile(`\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}|(?:^|\s)@\w`)

func isProse(b block) bool {
	t := b.text
	if t == "" || b.linked || !hasLetter(t) || onlyRefs(t) {
		return false
	}
	for _, p := range boilerplate {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	w := DisplayWidth(t)
	if endsSentence(t) {
		return w >= sentenceMinWidth
	}
	return w >= proseMinWidth && !(w < bylineMaxWidth && byline.MatchString(t))
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// onlyRefs reports whether every word of s is a URL, a #tag, an
// @handle or has no letter.
func onlyRefs(s string) bool {
	for _, f := range strings.Fields(s) {
		switch {
		case strings.HasPrefix(f, "http://"), strings.HasPrefix(f, "https://"), strings.HasPrefix(f, "www."),
			strings.HasPrefix(f, "#"), strings.HasPrefix(f, "@"), !hasLetter(f):
		default:
			return false
		}
	}
	return true
}

// closers may follow the end of a sentence: closing quotes and brackets.
const closers = `"')]}»’”」』）］｝】》〉〕〗〙〛`

// endsSentence reports whether s ends with a sentence terminator
// (。！？.!? and their fullwidth and halfwidth forms), perhaps followed by
// closing quotes and brackets. A period after an abbreviation like "Mr" or
// an initial does not end a sentence.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, closers)
	if s == "" {
		return false
	}
	switch r, _ := utf8.DecodeLastRuneInString(s); r {
	case '。', '！', '？', '!', '?', '．', '｡':
		return true
	case '.':
		return !isAbbreviation(s[:len(s)-1])
	}
	return false
}

// abbreviations end in a period that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "jr": true,
	"sr": true, "vs": true, "cf": true, "e.g": true, "i.e": true, "fig": true, "no": true,
	"vol": true, "p": true, "pp": true, "approx": true,
}

// isAbbreviation reports whether the word at the end of s, which is
// followed by a period, is an abbreviation or an initial.
func isAbbreviation(s string) bool {
	start := len(s)
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		start -= size
	}
	word := s[start:]
	if word == "" {
		return false
	}
	if r, size := utf8.DecodeRuneInString(word); size == len(word) {
		return unicode.IsUpper(r) // an initial, as in "Robert R. King"
	}
	return abbreviations[strings.ToLower(word)]
}
