package email

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"unicode"

	"github.com/digest-newsletter/digest/digest/text"
)

// The written form of a message: header fields and quoted-printable parts,
// made here rather than by a mail library so that the bulk of every copy of
// an issue (the rendered body, tens of kilobytes) is encoded once, and each
// recipient's copy is only their few values encoded and put between the
// pre-encoded pieces: encoding the whole body for every copy made a send
// through smtp-sink a third slower.

// appendQP appends s, quoted-printable encoded (mime/quotedprintable), to
// dst as a run that begins at the start of a line. A run that is not final
// and stops mid-line ends with a soft break, so that runs encoded apart
// decode, one after the other, to their texts joined: the pieces of a
// message encoded once can then surround values encoded per recipient.
func appendQP(dst []byte, s string, final bool) []byte {
	start := len(dst)
	b := bytes.NewBuffer(dst)
	w := quotedprintable.NewWriter(b)
	// Every line break as LF: the writer makes each a CRLF, but after a
	// lone CR it loses the next LF (it remembers the CR across bytes).
	io.WriteString(w, newlines.Replace(s))
	w.Close() // writing to a bytes.Buffer does not fail
	dst = b.Bytes()
	// The writer ends a line within 75 characters: a soft break's '=' fits.
	if !final && len(dst) > start && !bytes.HasSuffix(dst, []byte("\r\n")) {
		dst = append(dst, '=', '\r', '\n')
	}
	return dst
}

var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// appendField appends the header field "name: value" with its CRLF, folded
// (RFC 5322 §2.2.3) at spaces so that lines stay within 78 characters
// where the value allows it: before the first word too when that makes it
// fit, so that a line holding an encoded word of mime.QEncoding's length
// (75) stays within RFC 2047's 76. A value that already holds folds (CRLF
// and a space) is written as it is.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	if strings.Contains(value, "\r\n") {
		dst = append(dst, ' ')
		dst = append(dst, value...)
		return append(dst, '\r', '\n')
	}
	col := len(name) + 1
	first := true
	for word := range strings.SplitSeq(value, " ") {
		if col+1+len(word) > 78 && (!first || 1+len(word) <= 78) {
			dst = append(dst, '\r', '\n')
			col = 0
		}
		dst = append(dst, ' ')
		dst = append(dst, word...)
		col += 1 + len(word)
		first = false
	}
	return append(dst, '\r', '\n')
}

// headerText makes s fit for one header line: control characters and
// line or paragraph separators become spaces, runs of white space one.
func headerText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}), " ")
}

// phrase is s as the display-name phrase of a header (RFC 5322 §3.2.5): as
// it is when it is plain ASCII words, quoted when it is other ASCII, else
// RFC 2047 encoded words; base64 ones when it holds characters an encoded
// word in a phrase must not show (RFC 2047 §5(3)), as net/mail does.
func phrase(s string) string {
	switch {
	case isAtoms(s):
		return s
	case text.IsASCII(s):
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	case strings.ContainsAny(s, "\"#$%&'(),.:;<>@[]^`{|}~"):
		return mime.BEncoding.Encode("UTF-8", s)
	}
	return mime.QEncoding.Encode("UTF-8", s)
}

// isAtoms reports whether s is words of atext (RFC 5322 §3.2.3) separated
// by single spaces.
func isAtoms(s string) bool {
	for w := range strings.SplitSeq(s, " ") {
		if w == "" {
			return false
		}
		for _, r := range w {
			if r >= 0x7f || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)) {
				return false
			}
		}
	}
	return true
}

// isDotAtom reports whether s is a dot-atom of letters, digits, '-' and
// '_', as a List-Id needs.
func isDotAtom(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			default:
				return false
			}
		}
	}
	return true
}
