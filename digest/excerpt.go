package digest

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Excerpt returns the plain-text excerpt of an item: its description when
// there is one, else the first real paragraph of its body, with whitespace
// collapsed and cut to maxWidth display columns by Truncate.
func Excerpt(description string, body []byte, maxWidth int) string {
	var text string
	if d := strings.TrimSpace(description); d != "" {
		text = plainCollapse([]byte(PlainText([]byte(d))))
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
			if tag, n := tagRead([]byte(text[i+1:])); tag != "" {
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
	// excerptMinWidth is the width below which a paragraph that does not end
	// a sentence is a label, a title or a byline rather than prose.
	excerptMinWidth = 40
	// excerptMinSentenceWidth is the width below which even a sentence is
	// too short to stand for the article ("こんにちは！", "Thanks!").
	excerptMinSentenceWidth = 20
	// excerptBylineWidth is the width below which a paragraph that does not
	// end a sentence and has a date or an @handle in it is a byline.
	excerptBylineWidth = 80
	// excerptMinListWidth is the width from which a list item that ends a
	// sentence is as good as a paragraph ("- This article explains how…").
	excerptMinListWidth = 60
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
	// down aside, whose leftovers plainFinish removes).
	if cut := excerptHead(body); cut > 0 {
		if p, ok := firstParagraph(body[:cut]); ok {
			return p
		}
	}
	p, _ := firstParagraph(body)
	return p
}

// excerptHeadSize is how much of a long body FirstParagraph reads first.
const excerptHeadSize = 4 << 10

// excerptHead returns the end of the first blank line after excerptHeadSize
// bytes of body, or 0 when body is not much longer than that.
func excerptHead(body []byte) int {
	if len(body) < 2*excerptHeadSize {
		return 0
	}
	for i := excerptHeadSize; ; {
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
	plainWalk(body, func(b plainBlock) bool {
		if b.kind > plainHTML || !excerptIsProse(b) {
			return true // callout titles, headings, code and tables are never paragraphs
		}
		if b.kind == plainParagraph || b.kind == plainListItem &&
			excerptEndsSentence(b.text) && DisplayWidth(b.text) >= excerptMinListWidth {
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

// excerptBoilerplate are the beginnings of paragraphs that sites put before
// the article.
var excerptBoilerplate = []string{
	"この記事は最終更新日から", // Qiita: "this article was last updated N years ago"
	"From Wikipedia, the free encyclopedia",
}

// excerptByline matches a numeric date (2025-06-11, 2025/6/11, 2025年07月04日)
// or an @handle, which in a short paragraph make it a byline.
var excerptByline = regexp.MustCompile(`\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}|(?:^|\s)@\w`)

func excerptIsProse(b plainBlock) bool {
	t := b.text
	if t == "" || b.linked || !excerptHasLetter(t) || excerptOnlyRefs(t) {
		return false
	}
	for _, p := range excerptBoilerplate {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	w := DisplayWidth(t)
	if excerptEndsSentence(t) {
		return w >= excerptMinSentenceWidth
	}
	return w >= excerptMinWidth && !(w < excerptBylineWidth && excerptByline.MatchString(t))
}

func excerptHasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// excerptOnlyRefs reports whether every word of s is a URL, a #tag, an
// @handle or has no letter.
func excerptOnlyRefs(s string) bool {
	for _, f := range strings.Fields(s) {
		switch {
		case strings.HasPrefix(f, "http://"), strings.HasPrefix(f, "https://"), strings.HasPrefix(f, "www."),
			strings.HasPrefix(f, "#"), strings.HasPrefix(f, "@"), !excerptHasLetter(f):
		default:
			return false
		}
	}
	return true
}

// excerptClosers may follow the end of a sentence: closing quotes and brackets.
const excerptClosers = `"')]}»’”」』）］｝】》〉〕〗〙〛`

// excerptEndsSentence reports whether s ends with a sentence terminator
// (。！？.!? and their fullwidth and halfwidth forms), perhaps followed by
// closing quotes and brackets. A period after an abbreviation like "Mr" or
// an initial does not end a sentence.
func excerptEndsSentence(s string) bool {
	s = strings.TrimRight(s, excerptClosers)
	if s == "" {
		return false
	}
	switch r, _ := utf8.DecodeLastRuneInString(s); r {
	case '。', '！', '？', '!', '?', '．', '｡':
		return true
	case '.':
		return !excerptAbbreviation(s[:len(s)-1])
	}
	return false
}

// excerptAbbreviations end in a period that does not end a sentence.
var excerptAbbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "jr": true,
	"sr": true, "vs": true, "cf": true, "e.g": true, "i.e": true, "fig": true, "no": true,
	"vol": true, "p": true, "pp": true, "approx": true,
}

// excerptAbbreviation reports whether the word at the end of s, which is
// followed by a period, is an abbreviation or an initial.
func excerptAbbreviation(s string) bool {
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
	return excerptAbbreviations[strings.ToLower(word)]
}

// DisplayWidth returns the number of columns s takes in a monospace font:
// East Asian wide and fullwidth characters and emoji take two.
func DisplayWidth(s string) int {
	return uniseg.StringWidth(s)
}

// excerptEllipsis marks a cut; it is one column wide (East Asian ambiguous
// width, counted as narrow).
const excerptEllipsis = "…"

// Truncate returns s if it fits maxWidth display columns, else a prefix of s
// followed by "…", the whole at most maxWidth columns wide. A maxWidth of
// zero or less means no limit. Invalid UTF-8 is replaced by U+FFFD.
//
// The cut is at the end of the last sentence that fits when that end lies in
// the last 40% of the allowed width; otherwise at the last line-break
// opportunity that fits (Unicode line breaking: between words in Latin
// text, between any two characters in Chinese and Japanese, never before a
// closing or after an opening bracket); and, only when a single word is
// wider than the whole width, at the last grapheme cluster that fits. A
// cut is never inside a grapheme cluster (an emoji sequence, a letter and
// its combining marks). Spaces and dangling punctuation such as commas and
// opening brackets are removed before the "…"; a sentence's final
// punctuation is kept.
func Truncate(s string, maxWidth int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if maxWidth <= 0 {
		return s
	}
	// The grapheme cluster boundaries of s and the width up to each, until
	// a little past the first cluster that does not fit, so that the
	// segmenters below see what follows the last possible cut.
	var ends, widths []int
	width, pos, state, over := 0, 0, -1, -1
	for rest := s; len(rest) > 0; {
		c, r, w, st := uniseg.FirstGraphemeClusterInString(rest, state)
		rest, state = r, st
		width += w
		pos += len(c)
		ends = append(ends, pos)
		widths = append(widths, width)
		if over < 0 && width > maxWidth {
			over = pos
		}
		if over >= 0 && pos-over > 128 {
			break
		}
	}
	if over < 0 {
		return s
	}
	win := s[:pos]
	budget := maxWidth - 1 // for the "…"
	// widthAt returns the width of s[:off], or false when off is not the end
	// of a grapheme cluster.
	widthAt := func(off int) (int, bool) {
		i, found := slices.BinarySearch(ends, off)
		if !found {
			return 0, false
		}
		return widths[i], true
	}

	// The end of the last sentence that fits, if it is near enough.
	near := (budget*6 + 9) / 10
	best := 0
	pos, state = 0, -1
	for rest := win; len(rest) > 0; {
		sent, r, st := uniseg.FirstSentenceInString(rest, state)
		rest, state = r, st
		pos += len(sent)
		end := len(strings.TrimRightFunc(win[:pos], unicode.IsSpace))
		w, ok := widthAt(end)
		if !ok {
			continue
		}
		if w > budget {
			break
		}
		if w >= near && excerptEndsSentence(win[:end]) {
			best = end
		}
	}
	if best > 0 {
		return s[:best] + excerptEllipsis
	}

	// The last line-break opportunity that fits.
	cut := 0
	pos, state = 0, -1
	for rest := win; len(rest) > 0; {
		seg, r, _, st := uniseg.FirstLineSegmentInString(rest, state)
		rest, state = r, st
		pos += len(seg)
		w, ok := widthAt(len(strings.TrimRightFunc(win[:pos], unicode.IsSpace)))
		if !ok {
			continue
		}
		if w > budget {
			break
		}
		cut = pos
	}
	if t := excerptTrimEnd(s[:cut]); t != "" {
		return t + excerptEllipsis
	}

	// A word wider than the width: the last grapheme cluster that fits.
	cut = 0
	for i, w := range widths {
		if w > budget {
			break
		}
		cut = ends[i]
	}
	return excerptTrimEnd(s[:cut]) + excerptEllipsis
}

// excerptDangling is punctuation that must not be left before the "…".
const excerptDangling = ",，、;；:：-‐–—―/\\|([{（［｛【「『《〈“‘·・~〜～"

// excerptTrimEnd removes trailing spaces and dangling punctuation.
func excerptTrimEnd(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(excerptDangling, r)
	})
}
