package text

import (
	"strings"
	"unicode/utf8"
)

// StripControl removes from clipped text what no page, feed or message may
// carry: control characters (NUL, escapes; a tab or line break becomes a
// space), the invisible bidirectional controls (U+202E and kin) that
// reorder the text around them, and invalid UTF-8.
func StripControl(s string) string {
	i := strings.IndexFunc(s, stripped)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case !stripped(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripped reports whether StripControl removes r.
func stripped(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // ALM, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	}
	return false
}
