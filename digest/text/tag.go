package text

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// ReadTag reads the name of an Obsidian #tag at the start of b, the '#'
// already read: letters, marks, digits, '_', '-' and '/' for nesting, at
// least one of them not a digit. It returns the tag (empty when b does not
// start one) and the number of bytes it read.
func ReadTag(b []byte) (tag string, n int) {
	nonDigit := false
	for n < len(b) {
		r, size := rune(b[n]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[n:])
		}
		if !isTagRune(r) {
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

func isTagRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r|0x20 >= 'a' && r|0x20 <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '/'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}
