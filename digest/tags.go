package digest

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeTag returns a tag as it is compared and stored: surrounding space
// and one leading '#' removed, in Unicode NFC.
func NormalizeTag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	s = strings.TrimSpace(s)
	return norm.NFC.String(s)
}

// SplitTagItem splits one item of a frontmatter tags list into tags. Web
// clippers pack several tags into one item ("@handle #AI #创新", "管理，AI，决策"),
// so items are split on white space, ',', '，' and '、'; "@handle" tokens are
// dropped and one leading '#' is stripped. The tags are in NFC.
func SplitTagItem(item string) []string {
	var tags []string
	for _, tok := range strings.FieldsFunc(item, tagItemSep) {
		if tok[0] == '@' {
			continue
		}
		tok = strings.TrimPrefix(tok, "#")
		if tok == "" {
			continue
		}
		tags = append(tags, norm.NFC.String(tok))
	}
	return tags
}

func tagItemSep(r rune) bool {
	return r == ',' || r == '，' || r == '、' || unicode.IsSpace(r)
}

// InlineTags returns the #tags of a Markdown body the way Obsidian finds
// them, in order of first appearance, deduplicated case-insensitively and in
// NFC. A tag is '#' at the start of a line or after white space, followed by
// letters, marks, digits, '_', '-' or '/' (any script), with at least one
// character that is not a digit. Fenced code blocks, code spans, HTML and %%
// comments, link destinations, clipWikilinks and autolinks are skipped; indented
// code blocks are not recognised, because telling them from indented list
// content needs a full Markdown parser.
func InlineTags(body []byte) []string {
	if bytes.IndexByte(body, '#') < 0 {
		return nil
	}
	s := tagScanner{body: body, next: [len(tagLineMarks)]int{-2, -2, -2, -2, -2}}
	for pos := 0; pos < len(body); {
		pos = s.skipLines(pos)
		if pos < 0 {
			break
		}
		end := bytes.IndexByte(body[pos:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += pos
		}
		s.line(pos, end)
		pos = end + 1
	}
	return s.tags
}

// tagLineMarks are the bytes that make a line worth looking at: a tag, a
// comment opener, a code fence.
const tagLineMarks = "#%<`~"

// tagScanner holds the state of InlineTags between lines.
type tagScanner struct {
	body      []byte
	next      [len(tagLineMarks)]int // next index of each of tagLineMarks, -1 when none, -2 when unknown
	fence     byte                   // '`' or '~' inside a fenced code block
	fenceLen  int
	inComment []byte // closing delimiter of a multi-line comment we are in
	tags      []string
}

// nextMark returns the index of the next tagLineMarks[m] at or after pos, or -1.
func (s *tagScanner) nextMark(m, pos int) int {
	if n := s.next[m]; n == -1 || n >= pos {
		return n
	}
	n := bytes.IndexByte(s.body[pos:], tagLineMarks[m])
	if n >= 0 {
		n += pos
	}
	s.next[m] = n
	return n
}

// skipLines returns the start of the first line at or after pos that can
// matter, or -1 when no tag can follow.
func (s *tagScanner) skipLines(pos int) int {
	if s.nextMark(0, pos) < 0 {
		return -1 // no '#' left
	}
	var to int
	switch {
	case s.inComment != nil:
		to = bytes.Index(s.body[pos:], s.inComment)
		if to < 0 {
			return -1
		}
		to += pos
	case s.fence != 0:
		to = s.nextMark(strings.IndexByte(tagLineMarks, s.fence), pos)
		if to < 0 {
			return -1
		}
	default:
		to = len(s.body)
		for m := range tagLineMarks {
			if n := s.nextMark(m, pos); n >= 0 && n < to {
				to = n
			}
		}
	}
	return pos + bytes.LastIndexByte(s.body[pos:to], '\n') + 1
}

// line scans the line body[start:end].
func (s *tagScanner) line(start, end int) {
	l := s.body[start:end]
	if s.inComment == nil {
		if s.fence != 0 {
			if c, n, rest := tagFenceOf(l); c == s.fence && n >= s.fenceLen && len(bytes.TrimSpace(rest)) == 0 {
				s.fence = 0
			}
			return
		}
		if c, n, rest := tagFenceOf(l); c != 0 && (c == '~' || bytes.IndexByte(rest, '`') < 0) {
			s.fence, s.fenceLen = c, n
			return
		}
		// Without '#' only a comment left open matters.
		if h := s.nextMark(0, start); (h < 0 || h >= end) && !bytes.Contains(l, []byte("<!--")) && !bytes.Contains(l, []byte("%%")) {
			return
		}
	}
	i := 0
	if s.inComment != nil {
		j := bytes.Index(l, s.inComment)
		if j < 0 {
			return
		}
		i = j + len(s.inComment)
		s.inComment = nil
	}
	for i < len(l) {
		c := l[i]
		if !tagSpecial[c] {
			i++
			continue
		}
		switch {
		case c == '\\':
			i += 2 // an escaped character is never a tag start
		case c == '`':
			n := tagRunLen(l[i:], '`')
			if j := tagClosingRun(l[i+n:], '`', n); j >= 0 {
				i += n + j + n
			} else {
				i += n
			}
		case c == '<' && bytes.HasPrefix(l[i:], []byte("<!--")):
			j := bytes.Index(l[i+4:], []byte("-->"))
			if j < 0 {
				s.inComment = []byte("-->")
				return
			}
			i += 4 + j + 3
		case c == '%' && i+1 < len(l) && l[i+1] == '%':
			j := bytes.Index(l[i+2:], []byte("%%"))
			if j < 0 {
				s.inComment = []byte("%%")
				return
			}
			i += 2 + j + 2
		case c == '<' && i+1 < len(l) && (tagIsASCIILetter(l[i+1]) || l[i+1] == '/'):
			// An HTML tag or an autolink: skip to its end on this line.
			if j := bytes.IndexByte(l[i+1:], '>'); j >= 0 {
				i += 1 + j + 1
			} else {
				i++
			}
		case c == ']' && i+1 < len(l) && l[i+1] == '(':
			i = tagSkipLinkDest(l, i+2)
		case c == '[' && i+1 < len(l) && l[i+1] == '[':
			if j := bytes.Index(l[i+2:], []byte("]]")); j >= 0 {
				i += 2 + j + 2
			} else {
				i += 2
			}
		case c == '#' && (i == 0 || tagAfterSpace(l[:i])):
			tag, n := tagRead(l[i+1:])
			if tag != "" {
				s.add(tag)
			}
			i += 1 + n
		default:
			i++
		}
	}
}

// tagSpecial marks the bytes InlineTags.line must look at.
var tagSpecial = func() (t [256]bool) {
	for _, c := range []byte("\\`<%][#") {
		t[c] = true
	}
	return t
}()

// tagAfterSpace reports whether b ends in white space. Every construct the
// scanner skips ends in a delimiter that is not white space, so the byte
// before a '#' decides, whatever was skipped.
func tagAfterSpace(b []byte) bool {
	c := b[len(b)-1]
	if c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'
	}
	r, _ := utf8.DecodeLastRune(b)
	return unicode.IsSpace(r)
}

func (s *tagScanner) add(tag string) {
	tag = norm.NFC.String(tag)
	for _, t := range s.tags {
		if strings.EqualFold(t, tag) {
			return
		}
	}
	s.tags = append(s.tags, tag)
}

// tagFenceOf reports the fence character and length opening or closing a fenced
// code block on line l (after indentation and blockquote markers), and the
// rest of the line; c is 0 when l is not a fence.
func tagFenceOf(l []byte) (c byte, n int, rest []byte) {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t' || l[i] == '>') {
		i++
	}
	if i >= len(l) || (l[i] != '`' && l[i] != '~') {
		return 0, 0, nil
	}
	n = tagRunLen(l[i:], l[i])
	if n < 3 {
		return 0, 0, nil
	}
	return l[i], n, l[i+n:]
}

func tagRunLen(b []byte, c byte) int {
	n := 0
	for n < len(b) && b[n] == c {
		n++
	}
	return n
}

// tagClosingRun returns the offset in b of a run of exactly n c's, or -1.
func tagClosingRun(b []byte, c byte, n int) int {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], c)
		if j < 0 {
			return -1
		}
		i += j
		m := tagRunLen(b[i:], c)
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// tagSkipLinkDest returns the index after the ')' closing a link destination
// that starts at i, balancing nested parentheses; the end of the line if none.
func tagSkipLinkDest(l []byte, i int) int {
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

// tagRead reads the tag characters at the start of b and returns the tag
// (empty when it is not a valid tag) and the number of bytes consumed.
func tagRead(b []byte) (tag string, n int) {
	nonDigit := false
	for n < len(b) {
		r, size := rune(b[n]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[n:])
		}
		if !tagIsRune(r) {
			break
		}
		if r < '0' || r > '9' {
			nonDigit = nonDigit || r != '/'
		}
		n += size
	}
	t := bytes.TrimRight(b[:n], "/")
	if !nonDigit || len(t) == 0 || t[0] == '/' {
		return "", n
	}
	return string(t), n
}

func tagIsRune(r rune) bool {
	if r < utf8.RuneSelf {
		return tagIsASCIILetter(byte(r)) || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '/'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

func tagIsASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// TagMatches reports whether a clip tagged have is listed under tag want:
// the same tag ignoring case (Unicode simple case folding) and normalisation,
// or a nested tag under it ("AI/LLM" is under "AI"). A longer tag sharing a
// prefix ("AI-Agents", "AI开发") is a different tag.
func TagMatches(have, want string) bool {
	have, want = NormalizeTag(have), NormalizeTag(want)
	if want == "" {
		return false
	}
	for {
		if strings.EqualFold(have, want) {
			return true
		}
		i := strings.LastIndexByte(have, '/')
		if i < 0 {
			return false
		}
		have = have[:i]
	}
}

// MatchTag returns the first tag of want, in the order of want, that the clip
// is listed under.
func (c *Clip) MatchTag(want []string) (tag string, ok bool) {
	for _, w := range want {
		for _, t := range c.Tags {
			if TagMatches(t, w) {
				return w, true
			}
		}
	}
	return "", false
}

// MayMatch reports whether a note may be listed under one of the wanted tags,
// looking only at its bytes, so that a vault scan can skip parsing most notes.
// It is false only when ParseClip followed by MatchTag(want) cannot succeed:
//
//   - A tag is in the value of a top-level `tags` key of the frontmatter, or
//     in the body in a run of tag characters right after a '#' that starts
//     the body or follows white space. Only those bytes are searched. Where the frontmatter's shape makes the extent
//     of that value unsure (anchors, flow or indented documents, complex
//     keys, tabs, a quoted value left open, an escaped key), all of it is
//     searched.
//   - YAML escapes ("\u0041I") can spell any text, so a backslash in the
//     bytes searched in the frontmatter means it may match.
//   - Tags are compared in NFC with simple case folding, so a wanted tag's
//     characters may appear as other bytes: 'K' also as "\u212A" (KELVIN
//     SIGN), a Han ideograph also as a CJK compatibility ideograph. The
//     search covers those for the characters it relies on (ASCII tag
//     characters, Han ideographs and kana without a decomposition: their only
//     sources under NFC and folding are listed by tagMayMatchAlts); any other
//     character (accented letters, Hangul, …) is not searched for, and a
//     wanted tag made only of such characters always may match.
func MayMatch(data []byte, want []string) bool {
	front, _, body, _, _ := SplitFrontmatter(data)
	var buf [4][2]int
	regions, whole := tagFrontRegions(front, buf[:0])
	if whole {
		regions = append(regions[:0], [2]int{0, len(front)})
	}
	for _, r := range regions {
		if bytes.IndexByte(front[r[0]:r[1]], '\\') >= 0 {
			return true // an escape can spell any tag
		}
	}
	var ndBuf [4]*tagNeedle
	needles := ndBuf[:0]
	for _, w := range want {
		nd, ok := tagNewNeedle(w)
		if !ok {
			return true
		}
		if nd != nil { // an empty tag matches nothing
			needles = append(needles, nd)
		}
	}
	if len(needles) == 0 {
		return false
	}
	for _, r := range regions {
		for _, nd := range needles {
			if nd.in(front[r[0]:r[1]]) {
				return true
			}
		}
	}
	for i := 0; i < len(body); {
		j := bytes.IndexByte(body[i:], '#')
		if j < 0 {
			break
		}
		start := i + j + 1
		end := start + tagCharsLen(body[start:])
		// As in InlineTags, only a '#' at the start or after white space.
		if end > start && (start == 1 || body[start-2] == '\n' || tagAfterSpace(body[:start-1])) {
			for _, nd := range needles {
				if nd.in(body[start:end]) {
					return true
				}
			}
		}
		i = end
	}
	return false
}

// tagFrontRegions returns the byte ranges of front that can hold the value
// of a top-level `tags` key (matched case-insensitively, as ParseClip does),
// each from its key line to the next top-level key, or whole when front's
// shape makes those ranges unsure.
func tagFrontRegions(front []byte, regions [][2]int) (_ [][2]int, whole bool) {
	if bytes.IndexByte(front, '\t') >= 0 || bytes.Contains(front, fmBOM) || tagHasAnchor(front) {
		return nil, true
	}
	first := true
	start := -1 // start of the open region
	for pos := 0; pos < len(front); {
		l, next := fmNextLine(front, pos)
		l = bytes.TrimRight(l, " \r")
		switch {
		case len(l) == 0:
		case first && (l[0] == ' ' || l[0] == '{' || l[0] == '[' || l[0] == '%'):
			return nil, true // an indented or flow-style document
		case l[0] == '?':
			return nil, true // a complex key
		case l[0] == '#' || l[0] == ' ' || l[0] == '-' && (len(l) == 1 || l[1] == ' '):
			if start >= 0 && tagOpensLine(bytes.TrimLeft(l, " -")) {
				return nil, true
			}
		default:
			k, rest, ok := tagTopKey(l)
			if !ok {
				break // not a key: part of the value before it
			}
			if bytes.IndexByte(k, '\\') >= 0 {
				return nil, true // an escape can spell "tags"
			}
			if start >= 0 {
				regions = append(regions, [2]int{start, pos})
				start = -1
			}
			if bytes.EqualFold(k, []byte("tags")) {
				if tagOpensLine(rest) {
					return nil, true
				}
				start = pos
			}
		}
		if len(l) > 0 && l[0] != '#' {
			first = false
		}
		pos = next
	}
	if start >= 0 {
		regions = append(regions, [2]int{start, len(front)})
	}
	return regions, false
}

// tagHasAnchor reports whether front may define a YAML anchor: '&' where a
// node can start, followed by a name.
func tagHasAnchor(front []byte) bool {
	for i := 0; ; i++ {
		j := bytes.IndexByte(front[i:], '&')
		if j < 0 {
			return false
		}
		i += j
		if i+1 < len(front) && !tagIsASCIISpace(front[i+1]) && (i == 0 || strings.IndexByte(" \n[{,", front[i-1]) >= 0) {
			return true
		}
	}
}

// tagTopKey splits a top-level `key: rest` line, the key plain or quoted; ok
// is false when the line is not one.
func tagTopKey(l []byte) (key, rest []byte, ok bool) {
	var k []byte
	if q := l[0]; q == '"' || q == '\'' {
		i := 1
		for ; i < len(l); i++ {
			if l[i] == q {
				if q == '\'' && i+1 < len(l) && l[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		if i >= len(l) {
			return nil, nil, false
		}
		k, l = l[1:i], bytes.TrimLeft(l[i+1:], " ")
		if len(l) == 0 || l[0] != ':' || len(l) > 1 && l[1] != ' ' {
			return nil, nil, false
		}
		if q == '\'' && bytes.Contains(k, []byte("''")) {
			k = bytes.ReplaceAll(k, []byte("''"), []byte("'"))
		}
		return k, bytes.TrimSpace(l[1:]), true
	}
	for i := 0; i < len(l); i++ {
		if l[i] == ':' && (i+1 == len(l) || l[i+1] == ' ') {
			return bytes.TrimRight(l[:i], " "), bytes.TrimSpace(l[i+1:]), true
		}
	}
	return nil, nil, false
}

// tagOpensLine reports whether a value may go on past its line in a way
// that can put a top-level-looking key inside it: a quoted scalar or flow
// collection not closed on the line, or a YAML tag or alias.
func tagOpensLine(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case '"':
		return bytes.IndexByte(v[1:], '"') < 0
	case '\'':
		return v[len(v)-1] != '\'' || len(v) == 1 || bytes.Count(v, []byte("'"))%2 != 0
	case '[':
		return v[len(v)-1] != ']' || bytes.IndexByte(v[1:], '[') >= 0 || bytes.IndexByte(v, '{') >= 0
	case '{', '!', '*', '&':
		return true
	}
	return false
}

func tagIsASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// tagCharsLen returns the length of the run of tag characters b starts
// with: where an inline tag after '#' ends.
func tagCharsLen(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := rune(b[n]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[n:])
		}
		if !tagIsRune(r) {
			break
		}
		n += size
	}
	return n
}

// A tagNeedle is a run of a wanted tag's characters, each as the UTF-8
// encodings of every rune that can stand for it in a note.
type tagNeedle struct {
	chars [][][]byte
	// start and end tell that the run starts or ends the wanted tag: a letter,
	// mark, digit, '_' or '-' (or '/' before it) glued to it there makes a
	// longer tag, which is not the wanted one.
	start, end bool
}

// tagNeedles caches tagNewNeedle for the few tags a vault scan asks about.
var (
	tagNeedles  sync.Map // string → tagNeedleEntry
	tagNNeedles atomic.Int32
)

type tagNeedleEntry struct {
	nd *tagNeedle
	ok bool
}

// tagNewNeedle returns the longest run of characters of w that MayMatch can
// search for; ok is false when there is none, and the needle is nil when w is
// empty.
func tagNewNeedle(w string) (nd *tagNeedle, ok bool) {
	if e, found := tagNeedles.Load(w); found {
		e := e.(tagNeedleEntry)
		return e.nd, e.ok
	}
	nd, ok = tagMakeNeedle(w)
	if tagNNeedles.Add(1) <= 64 {
		tagNeedles.Store(w, tagNeedleEntry{nd, ok})
	}
	return nd, ok
}

func tagMakeNeedle(w string) (*tagNeedle, bool) {
	w = NormalizeTag(w)
	if w == "" {
		return nil, true
	}
	var best, cur [][][]byte
	bestStart, curStart, n := 0, 0, 0
	for _, r := range w {
		n++
		alts := tagMayMatchAlts(r)
		if alts == nil {
			cur = nil
			continue
		}
		if cur == nil {
			curStart = n - 1
		}
		enc := make([][]byte, len(alts))
		for i, a := range alts {
			enc[i] = utf8.AppendRune(nil, a)
		}
		cur = append(cur, enc)
		if len(cur) > len(best) {
			best, bestStart = cur, curStart
		}
	}
	if len(best) == 0 {
		return nil, false
	}
	return &tagNeedle{chars: best, start: bestStart == 0, end: bestStart+len(best) == n}, true
}

// tagMayMatchAlts returns the runes that read as r once a tag is in NFC and
// case-folded (r itself included), or nil when MayMatch must not rely on r.
func tagMayMatchAlts(r rune) []rune {
	switch {
	case r < utf8.RuneSelf:
		if !tagIsRune(r) {
			return nil
		}
	case unicode.Is(unicode.Han, r) || r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FA:
		if s := string(r); norm.NFD.String(s) != s {
			return nil // a composite: NFC can make it from other runes
		}
		return append([]rune{r}, tagHanCompat()[r]...)
	default:
		return nil
	}
	alts := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		alts = append(alts, f) // 'k' also 'K' and U+212A
	}
	return alts
}

// tagHanCompat maps Han ideographs to the CJK compatibility ideographs that NFC
// turns into them.
var tagHanCompat = sync.OnceValue(func() map[rune][]rune {
	m := map[rune][]rune{}
	for _, rg := range [][2]rune{{0xF900, 0xFAFF}, {0x2F800, 0x2FA1F}} {
		for r := rg[0]; r <= rg[1]; r++ {
			n := norm.NFC.String(string(r))
			if t, size := utf8.DecodeRuneInString(n); size == len(n) && t != r {
				m[t] = append(m[t], r)
			}
		}
	}
	return m
})

// in reports whether b holds the needle, not glued to tag characters where
// the wanted tag starts or ends. Searching bytes finds every rune a decoder
// would, since UTF-8 is self-synchronising.
func (nd *tagNeedle) in(b []byte) bool {
	for _, first := range nd.chars[0] {
		for i := 0; i < len(b); i++ {
			j := bytes.Index(b[i:], first)
			if j < 0 {
				break
			}
			i += j
			if nd.start && i > 0 {
				if r, _ := utf8.DecodeLastRune(b[:i]); tagGlues(r) || r == '/' {
					continue
				}
			}
			n, ok := nd.at(b[i+len(first):])
			if !ok {
				continue
			}
			if e := i + len(first) + n; nd.end && e < len(b) {
				if r, _ := utf8.DecodeRune(b[e:]); tagGlues(r) {
					continue
				}
			}
			return true
		}
	}
	return false
}

// at reports whether b starts with the needle after its first character,
// and how many bytes that takes.
func (nd *tagNeedle) at(b []byte) (int, bool) {
	n := 0
next:
	for _, alts := range nd.chars[1:] {
		for _, a := range alts {
			if bytes.HasPrefix(b[n:], a) {
				n += len(a)
				continue next
			}
		}
		return 0, false
	}
	return n, true
}

// tagGlues reports whether r next to a tag makes it part of a longer tag.
func tagGlues(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}
