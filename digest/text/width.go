package text

import (
	"slices"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
)

// DisplayWidth returns the number of columns s takes in a monospace font:
// East Asian wide and fullwidth characters and emoji take two.
func DisplayWidth(s string) int {
	return uniseg.StringWidth(s)
}

// ellipsis marks a cut; it is one column wide (East Asian ambiguous
// width, counted as narrow).
const ellipsis = "…"

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
		if w >= near && endsSentence(win[:end]) {
			best = end
		}
	}
	if best > 0 {
		return s[:best] + ellipsis
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
	if t := trimEnd(s[:cut]); t != "" {
		return t + ellipsis
	}

	// A word wider than the width: the last grapheme cluster that fits.
	cut = 0
	for i, w := range widths {
		if w > budget {
			break
		}
		cut = ends[i]
	}
	return trimEnd(s[:cut]) + ellipsis
}

// dangling is punctuation that must not be left before the "…".
const dangling = ",，、;；:：-‐–—―/\\|([{（［｛【「『《〈“‘·・~〜～"

// trimEnd removes trailing spaces and dangling punctuation.
func trimEnd(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(dangling, r)
	})
}

// CutLimit is the widest an excerpt cut by Cut to maxWidth columns can be.
func CutLimit(maxWidth int) int {
	if maxWidth <= 0 {
		return maxWidth
	}
	return maxWidth + max(8, maxWidth/8)
}

// Cut returns s cut to about maxWidth display columns for an excerpt: at
// the end of the last sentence that ends between 40% of the width and a
// little past it (an eighth of the width, so that a sentence is finished
// rather than cut a few words short), else as Truncate cuts. "…" marks a
// cut; a maxWidth of zero or less means no limit.
func Cut(s string, maxWidth int) string {
	if maxWidth <= 0 || DisplayWidth(s) <= maxWidth {
		return Truncate(s, maxWidth)
	}
	limit := CutLimit(maxWidth)
	best, width, pos, state := 0, 0, 0, -1
	for rest := s; len(rest) > 0; {
		sent, r, st := uniseg.FirstSentenceInString(rest, state)
		rest, state = r, st
		pos += len(sent)
		width += DisplayWidth(sent)
		end := strings.TrimRightFunc(s[:pos], unicode.IsSpace)
		w := width - DisplayWidth(s[len(end):pos])
		if w > limit-1 {
			break
		}
		if w*5 >= maxWidth*2 && endsSentence(end) {
			best = len(end)
		}
	}
	if best == 0 {
		return Truncate(s, maxWidth)
	}
	if best == len(s) {
		return s
	}
	return s[:best] + ellipsis
}
