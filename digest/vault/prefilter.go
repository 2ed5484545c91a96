package vault

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/text"
	"golang.org/x/text/unicode/norm"
)

// mayMatch reports whether a note may be listed under one of the wanted tags,
// looking only at its bytes, so that a vault scan can skip parsing most notes.
// It is false only when Parse followed by MatchTag(want) cannot succeed:
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
//     sources under NFC and folding are listed by mayMatchAlts); any other
//     character (accented letters, Hangul, …) is not searched for, and a
//     wanted tag made only of such characters always may match.
func mayMatch(data []byte, want []string) bool {
	front, _, body, _, _ := SplitFrontmatter(data)
	var buf [4][2]int
	regions, whole := frontRegions(front, buf[:0])
	if whole {
		regions = append(regions[:0], [2]int{0, len(front)})
	}
	for _, r := range regions {
		if bytes.IndexByte(front[r[0]:r[1]], '\\') >= 0 {
			return true // an escape can spell any tag
		}
	}
	var ndBuf [4]*needle
	needles := ndBuf[:0]
	for _, w := range want {
		nd, ok := newNeedle(w)
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
		end := start + readLen(body[start:])
		// As in InlineTags, only a '#' at the start or after white space.
		if end > start && (start == 1 || body[start-2] == '\n' || afterSpace(body[:start-1])) {
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

// frontRegions returns the byte ranges of front that can hold the value
// of a top-level `tags` key (matched case-insensitively, as Parse does),
// each from its key line to the next top-level key, or whole when front's
// shape makes those ranges unsure.
func frontRegions(front []byte, regions [][2]int) (_ [][2]int, whole bool) {
	if bytes.IndexByte(front, '\t') >= 0 || bytes.Contains(front, bom) || hasAnchor(front) {
		return nil, true
	}
	first := true
	start := -1 // start of the open region
	for pos := 0; pos < len(front); {
		l, next := nextLine(front, pos)
		l = bytes.TrimRight(l, " \r")
		switch {
		case len(l) == 0:
		case first && (l[0] == ' ' || l[0] == '{' || l[0] == '[' || l[0] == '%'):
			return nil, true // an indented or flow-style document
		case l[0] == '?':
			return nil, true // a complex key
		case l[0] == '#' || l[0] == ' ' || l[0] == '-' && (len(l) == 1 || l[1] == ' '):
			if start >= 0 && opensLine(bytes.TrimLeft(l, " -")) {
				return nil, true
			}
		default:
			k, rest, ok := topKey(l)
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
				if opensLine(rest) {
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

// hasAnchor reports whether front may define a YAML anchor: '&' where a
// node can start, followed by a name.
func hasAnchor(front []byte) bool {
	for i := 0; ; i++ {
		j := bytes.IndexByte(front[i:], '&')
		if j < 0 {
			return false
		}
		i += j
		if i+1 < len(front) && !isASCIISpace(front[i+1]) && (i == 0 || strings.IndexByte(" \n[{,", front[i-1]) >= 0) {
			return true
		}
	}
}

// topKey splits a top-level `key: rest` line, the key plain or quoted; ok
// is false when the line is not one.
func topKey(l []byte) (key, rest []byte, ok bool) {
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

// opensLine reports whether a value may go on past its line in a way
// that can put a top-level-looking key inside it: a quoted scalar or flow
// collection not closed on the line, or a YAML tag or alias.
func opensLine(v []byte) bool {
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

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// A needle is a run of a wanted tag's characters, each as the UTF-8
// encodings of every rune that can stand for it in a note.
type needle struct {
	chars [][][]byte
	// start and end tell that the run starts or ends the wanted tag: a letter,
	// mark, digit, '_' or '-' (or '/' before it) glued to it there makes a
	// longer tag, which is not the wanted one.
	start, end bool
}

// needles caches newNeedle for the few tags a vault scan asks about.
var (
	needles  sync.Map // string → needleEntry
	nNeedles atomic.Int32
)

type needleEntry struct {
	nd *needle
	ok bool
}

// newNeedle returns the longest run of characters of w that mayMatch can
// search for; ok is false when there is none, and the needle is nil when w is
// empty.
func newNeedle(w string) (nd *needle, ok bool) {
	if e, found := needles.Load(w); found {
		e := e.(needleEntry)
		return e.nd, e.ok
	}
	nd, ok = makeNeedle(w)
	if nNeedles.Add(1) <= 64 {
		needles.Store(w, needleEntry{nd, ok})
	}
	return nd, ok
}

func makeNeedle(w string) (*needle, bool) {
	w = digest.NormalizeTag(w)
	if w == "" {
		return nil, true
	}
	var best, cur [][][]byte
	bestStart, curStart, n := 0, 0, 0
	for _, r := range w {
		n++
		alts := mayMatchAlts(r)
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
	return &needle{chars: best, start: bestStart == 0, end: bestStart+len(best) == n}, true
}

// mayMatchAlts returns the runes that read as r once a tag is in NFC and
// case-folded (r itself included), or nil when mayMatch must not rely on r.
func mayMatchAlts(r rune) []rune {
	switch {
	case r < utf8.RuneSelf:
		if !(isASCIILetter(byte(r)) || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '/') {
			return nil // not a tag character
		}
	case unicode.Is(unicode.Han, r) || r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FA:
		if s := string(r); norm.NFD.String(s) != s {
			return nil // a composite: NFC can make it from other runes
		}
		return append([]rune{r}, hanCompat()[r]...)
	default:
		return nil
	}
	alts := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		alts = append(alts, f) // 'k' also 'K' and U+212A
	}
	return alts
}

// hanCompat maps Han ideographs to the CJK compatibility ideographs that NFC
// turns into them.
var hanCompat = sync.OnceValue(func() map[rune][]rune {
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
func (nd *needle) in(b []byte) bool {
	for _, first := range nd.chars[0] {
		for i := 0; i < len(b); i++ {
			j := bytes.Index(b[i:], first)
			if j < 0 {
				break
			}
			i += j
			if nd.start && i > 0 {
				if r, _ := utf8.DecodeLastRune(b[:i]); glues(r) || r == '/' {
					continue
				}
			}
			n, ok := nd.at(b[i+len(first):])
			if !ok {
				continue
			}
			if e := i + len(first) + n; nd.end && e < len(b) {
				if r, _ := utf8.DecodeRune(b[e:]); glues(r) {
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
func (nd *needle) at(b []byte) (int, bool) {
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

// glues reports whether r next to a tag makes it part of a longer tag.
func glues(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

// readLen is the length of the run of tag characters b starts with: where
// an inline tag after '#' ends.
func readLen(b []byte) int {
	_, n := text.ReadTag(b)
	return n
}
