package text

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt returns the plain-text excerpt of an item: its description when
// it is good, else the first real paragraph of its body (the description
// when the body has none), with whitespace collapsed, a leading label
// ("Summary:") removed, and cut to about maxWidth display columns by Cut.
//
// A description is not good when the source already cut it ("…", "...",
// or no sentence end while the body holds the longer text), when it is a
// tagline (narrower than 20 columns, or narrower than 60 without a
// sentence end), or when it is the body's headings or table cells
// flattened into one line. A description shared by clippings of different
// pages (a site's generic blurb) is the caller's to leave out.
func Excerpt(description string, body []byte, maxWidth int) string {
	var text string
	if d := strings.TrimSpace(description); d != "" {
		text = stripLabel(collapse([]byte(PlainText([]byte(d)))))
	}
	if text == "" || !goodDescription(text, body) {
		if p := stripLabel(FirstParagraph(body)); p != "" {
			text = p
		}
	}
	return Cut(strings.TrimLeft(dropInlineTags(text), "-–—*•·> "), maxWidth)
}

// label is a label that opens a paragraph or description: "Summary:",
// "TL;DR:", "摘要：".
var label = regexp.MustCompile(`^(?i:summary|tl;?dr|abstract|overview|概要|摘要|要約|总结|總結|まとめ|导读|導讀|导语|導語)\s*[:：]\s*`)

// stripLabel removes a label from the start of s.
func stripLabel(s string) string {
	if loc := label.FindStringIndex(s); loc != nil && loc[1] < len(s) {
		return s[loc[1]:]
	}
	return s
}

// taglineWidth is the width below which a description without a sentence
// end is a tagline or a subtitle ("展现了通往更高级通用智能的清晰路径").
const taglineWidth = 40

// goodDescription reports whether d, a description in plain text, is
// better than the body's first paragraph.
func goodDescription(d string, body []byte) bool {
	if truncatedBySource(d) {
		return false
	}
	w := DisplayWidth(d)
	if w < sentenceMinWidth || !endsSentence(d) && w < taglineWidth {
		return false
	}
	if len(body) == 0 {
		return true
	}
	var blocks []block
	walk(body, func(b block) bool {
		blocks = append(blocks, b)
		return true
	})
	if !endsSentence(d) && isCutOf(d, blocks) {
		return false
	}
	return !flattened(d, blocks) && !offTopic(d, blocks)
}

// truncatedBySource reports whether s ends with the mark of a cut, or in
// the middle of a sentence, after a comma.
func truncatedBySource(s string) bool {
	if strings.HasSuffix(s, ",") || strings.HasSuffix(s, "，") || strings.HasSuffix(s, "、") || strings.HasSuffix(s, ";") {
		return true
	}
	s = strings.TrimRight(s, closers+" ")
	for _, e := range []string{"…", "...", "..", "⋯", "．．．", "。。。"} {
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

// isCutOf reports whether d is the start of a paragraph of the body cut
// short: the body holds d's text and goes on.
func isCutOf(d string, blocks []block) bool {
	r := []rune(d)
	if len(r) < 12 {
		return false
	}
	prefix := string(r[:len(r)-2]) // the last characters may be a cut word
	for _, b := range blocks {
		if i := strings.Index(b.text, prefix); i >= 0 && len(b.text) > i+len(d) {
			return true
		}
	}
	return false
}

// flattened reports whether d is made of the body's headings or table
// cells run together: two headings of the body in it, or a row of a table.
func flattened(d string, blocks []block) bool {
	headings := 0
	for _, b := range blocks {
		switch b.kind {
		case blockHeading:
			if DisplayWidth(b.text) >= 4 && containsWords(d, b.text) {
				if headings++; headings >= 2 {
					return true
				}
			}
		case blockTable:
			for _, row := range strings.Split(b.text, "\n") {
				cells := strings.Split(row, "\t")
				if len(cells) >= 2 && containsWords(d, strings.Join(cells, " ")) {
					return true
				}
			}
		}
	}
	return false
}

// containsWords reports whether s holds sub with a space or an end of s
// on each side.
func containsWords(s, sub string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(sub)
		if (start == 0 || s[start-1] == ' ') && (end == len(s) || s[end] == ' ') {
			return true
		}
		i = start + 1
	}
}

// offTopic reports whether d shares almost no words with a body that has
// prose of its own: a blurb about the site ("ChatGPT helps you get
// answers…" over a conversation about maths), not about the page.
func offTopic(d string, blocks []block) bool {
	words := keywords(d)
	if len(words) < 4 {
		return false
	}
	var prose strings.Builder
	for _, b := range blocks {
		if b.kind != blockCode && b.kind != blockTable && prose.Len() < 64<<10 {
			prose.WriteString(strings.ToLower(b.text))
			prose.WriteByte('\n')
		}
	}
	if utf8.RuneCountInString(prose.String()) < 100 {
		return false // too little prose to tell
	}
	found := 0
	for _, w := range words {
		if strings.Contains(prose.String(), w) {
			found++
		}
	}
	return found*5 < len(words) // under a fifth
}

// keywords returns the words of s worth finding in a body: Latin words of
// four letters or more, lower-cased, and pairs of CJK characters.
func keywords(s string) []string {
	var out []string
	var latin []rune
	var prev rune
	flush := func() {
		if len(latin) >= 4 {
			out = append(out, strings.ToLower(string(latin)))
		}
		latin = latin[:0]
	}
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flush()
			if prev != 0 {
				out = append(out, string([]rune{prev, r}))
			}
			prev = r
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			latin = append(latin, r)
		default:
			flush()
		}
		prev = 0
	}
	flush()
	return out
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
	// a sentence is a label, a title, a subtitle or a byline rather than
	// prose; latinProseMinWidth the same for text without CJK, whose
	// subtitles run wider ("Obsolete type of non-volatile computer memory").
	proseMinWidth      = 40
	latinProseMinWidth = 60
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
// the article: banners, notices, bylines.
var boilerplate = []string{
	"この記事は最終更新日から", // Qiita: "this article was last updated N years ago"
	"この記事は以下の環境で",  // the environment table of a Qiita series
	"From Wikipedia, the free encyclopedia",
	"You're reading the documentation for", // Sphinx version banners
	"You are reading the documentation for",
	"This is the documentation for",
	"This article needs", "This article is about", "This article has multiple issues", // Wikipedia notices
	"Full text of this document omitted",
	"Published on", "Posted on", "Last updated", "Updated on", "Reading time",
	"发布于", "发表于", "更新于", "阅读时间", "原创 ", "投稿日", "更新日",
}

// boilerplateIn are phrases that make a paragraph the site's or the
// account's, not the article's: "欢迎关注" closes a WeChat account's blurb.
var boilerplateIn = []string{"欢迎关注", "歡迎關注", "点击上方", "點擊上方", "扫码关注", "Subscribe to our newsletter", "Sign up for our newsletter"}

// labelLine is a "Label: value" line: a short key, then a colon.
var labelLine = regexp.MustCompile(`^[^\s:：]{1,16}\s?[:：]\s`)

// byline matches a numeric date (2025-06-11, 2025/6/11, 2025年07月04日)
// or an @handle, which in a short paragraph make it a byline.
var byline = regexp.MustCompile(`\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}|(?:^|\s)@\w`)

func isProse(b block) bool {
	t := dropInlineTags(b.text)
	if t == "" || b.linked || b.caption || !hasLetter(t) || onlyRefs(t) {
		return false
	}
	for _, p := range boilerplate {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	for _, p := range boilerplateIn {
		if strings.Contains(t, p) {
			return false
		}
	}
	w := DisplayWidth(t)
	if endsSentence(t) {
		return w >= sentenceMinWidth
	}
	if b.broken && w < bylineMaxWidth*2 {
		return false // lines of labels: "Intel 7110 module\nComputer memory types"
	}
	if labelLine.MatchString(t) && !label.MatchString(t) {
		return false // "趋势描述: Claude Code、Cursor等工具快速普及"
	}
	min := proseMinWidth
	if !strings.ContainsFunc(t, unspaced) {
		min = latinProseMinWidth
	}
	return w >= min && !(w < bylineMaxWidth && byline.MatchString(t))
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
