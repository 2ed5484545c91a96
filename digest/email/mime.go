package email

import (
	"strings"
)

// The written form of a message: header fields and quoted-printable parts,
// made here rather than by a mail library so that the bulk of every copy of
// an issue (the rendered body, tens of kilobytes) is encoded once, and each
// recipient's copy is only their few values encoded and put between the
// pre-encoded pieces.

// maxQPLine is the longest encoded line, without its CRLF, that the encoder
// writes: RFC 2045 allows 76 characters, the soft break's "=" included.
const maxQPLine = 76

const hexUpper = "0123456789ABCDEF"

// appendQP appends s, quoted-printable encoded (RFC 2045 §6.7), to dst as a
// run that begins at the start of a line. Line breaks in s ("\n" or "\r\n")
// become CRLF; lines longer than maxQPLine get soft breaks. A run that is not
// final and stops mid-line ends with a soft break, so that runs encoded
// apart decode, one after the other, to their texts joined: the pieces of
// a message encoded once can then surround values encoded per recipient.
//
// A '.' that begins a line is encoded too, so the result never needs SMTP's
// dot-stuffing and can be handed to a relay as it is.
func appendQP(dst []byte, s string, final bool) []byte {
	col := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if lineEnd(s, i) {
			if b == '\r' {
				i++
			}
			dst = append(dst, '\r', '\n')
			col = 0
			continue
		}
		literal := b > ' ' && b < 0x7f && b != '='
		if b == ' ' || b == '\t' {
			// White space is literal unless it would end a line, where
			// transports may strip it.
			next := i + 1
			atEnd := next == len(s) && final
			literal = !atEnd && !lineEnd(s, next)
		}
		if b == '.' && col == 0 {
			literal = false
		}
		width := 3
		if literal {
			width = 1
		}
		// Keep room for the soft break's '=', unless this is the last
		// byte of a final run or of a line.
		limit := maxQPLine - 1
		if next := i + 1; (next == len(s) && final) || lineEnd(s, next) {
			limit = maxQPLine
		}
		if col+width > limit {
			dst = append(dst, '=', '\r', '\n')
			col = 0
			if b == '.' {
				literal, width = false, 3
			}
		}
		if literal {
			dst = append(dst, b)
		} else {
			dst = append(dst, '=', hexUpper[b>>4], hexUpper[b&15])
		}
		col += width
	}
	if col > 0 && !final {
		dst = append(dst, '=', '\r', '\n')
	}
	return dst
}

// lineEnd reports whether a line break ("\n" or "\r\n") begins at s[i]; a
// lone CR is not one.
func lineEnd(s string, i int) bool {
	return i < len(s) && (s[i] == '\n' || (s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n'))
}

// appendField appends the header field "name: value" with its CRLF, folded
// (RFC 5322 §2.2.3) at spaces so that lines stay within 78 characters
// where the value allows it. A value that already holds folds (CRLF and a
// space) is written as it is.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	if strings.Contains(value, "\r\n") {
		dst = append(dst, value...)
		return append(dst, '\r', '\n')
	}
	col := len(name) + 2
	for first := true; value != ""; first = false {
		word, rest, found := strings.Cut(value, " ")
		if !first {
			if col+1+len(word) > 78 {
				dst = append(dst, '\r', '\n', ' ')
				col = 1
			} else {
				dst = append(dst, ' ')
				col++
			}
		}
		dst = append(dst, word...)
		col += len(word)
		if !found {
			break
		}
		value = rest
	}
	return append(dst, '\r', '\n')
}
