package email

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// joinQP encodes the runs apart, as a message is made, and joins them.
func joinQP(runs []string) []byte {
	var out []byte
	for i, r := range runs {
		out = appendQP(out, r, i == len(runs)-1)
	}
	return out
}

// checkQP decodes enc with the standard library and compares it with the
// runs joined, and checks the lines: CRLF only, at most 76 characters, no
// white space at the end.
func checkQP(t *testing.T, runs []string, enc []byte) {
	t.Helper()
	got, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(enc)))
	if err != nil {
		t.Fatalf("decode %q: %v", enc, err)
	}
	// Line breaks (CRLF, LF, a lone CR) come back as CRLF; a CR and an LF
	// in runs of their own are two.
	var want string
	for _, r := range runs {
		r = strings.ReplaceAll(strings.ReplaceAll(r, "\r\n", "\n"), "\r", "\n")
		want += strings.ReplaceAll(r, "\n", "\r\n")
	}
	if string(got) != want {
		t.Fatalf("runs %q\nencoded %q\ndecode to %q, want %q", runs, enc, got, want)
	}
	for i, line := range bytes.Split(enc, []byte("\r\n")) {
		switch {
		case bytes.ContainsAny(line, "\r\n"):
			t.Fatalf("line %d %q: a bare CR or LF", i+1, line)
		case len(line) > 76:
			t.Fatalf("line %d %q: %d characters, more than 76", i+1, line, len(line))
		case len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t'):
			t.Fatalf("line %d %q: ends in white space", i+1, line)
		}
		for _, b := range line {
			if b >= 0x7f || (b < ' ' && b != '\t') {
				t.Fatalf("line %d %q: byte %#x is not printable ASCII", i+1, line, b)
			}
		}
	}
}

func TestQuotedPrintableRuns(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := [][]string{
		{""},
		{"plain text\n"},
		{"你好，", "王芳", "：\n\n正文\n"},
		{"a line that ends in a space \nand a tab\t\n"},
		{"trailing space at the very end "},
		{"value with a space ", "", "next"},
		{".starts with a dot\n.and again\n"},
		{long, ".after a soft break"},
		{strings.Repeat("ab", 37) + ".cd"}, // a dot that lands at the start of a line after a soft break
		{"a=b\r\nCRLF kept\rlone CR\n"},
		{"<a href=\"", "https://digest.example.com/unsubscribe?t=AXV3YW5nLmZhbmdAZXhhbXBsZS5jbt74AlPDKyjmo9BaWiRg_LU", "\">退订</a>\n"},
		{strings.Repeat("界", 40) + "\n" + strings.Repeat(" ", 80) + "\n"},
	}
	for _, runs := range tests {
		checkQP(t, runs, joinQP(runs))
	}
}

// A message made of pieces encoded once and values encoded per recipient
// is the same message, decoded, as its parts' content; its SMTP form
// stuffs the dots that begin lines.
func TestMessageWireForm(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		c := newComposer(t, lang)
		raw, m := compose(t, c, testSubscribers[lang])
		if m.Len() != len(raw) {
			t.Errorf("%s: Len %d, written %d bytes", lang, m.Len(), len(raw))
		}
		p := parseMail(t, raw)
		p.text, p.html = strings.ReplaceAll(p.text, "\r\n", "\n"), strings.ReplaceAll(p.html, "\r\n", "\n")
		if p.text != m.Text() {
			t.Errorf("%s: text part decodes to\n%q\nwant\n%q", lang, p.text, m.Text())
		}
		if p.html != m.HTML() {
			t.Errorf("%s: HTML part decodes to\n%q\nwant\n%q", lang, p.html, m.HTML())
		}
		for i, line := range bytes.Split(raw, []byte("\r\n")) {
			if bytes.ContainsAny(line, "\r\n") || len(line) > 998 {
				t.Fatalf("%s: line %d %q is not fit to send as it is", lang, i+1, line)
			}
		}
		data := m.AppendData(nil)
		if unstuffed := bytes.ReplaceAll(data, []byte("\r\n.."), []byte("\r\n.")); !bytes.Equal(unstuffed, raw) {
			t.Errorf("%s: AppendData does not unstuff to the message", lang)
		}
		if n, stuffed := bytes.Count(raw, []byte("\n.")), bytes.Count(data, []byte("\n..")); n != stuffed {
			t.Errorf("%s: %d lines begin with a dot, %d stuffed", lang, n, stuffed)
		}
		if !bytes.HasSuffix(raw, []byte("--\r\n")) {
			t.Errorf("%s: the message does not end with the closing boundary and CRLF", lang)
		}
	}
}

func TestAppendFieldFolds(t *testing.T) {
	got := string(appendField(nil, "Subject", strings.Repeat("word ", 30)+"end"))
	for _, line := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %q longer than 78", line)
		}
	}
	if unfolded := strings.ReplaceAll(got, "\r\n ", " "); unfolded != "Subject: "+strings.Repeat("word ", 30)+"end\r\n" {
		t.Errorf("unfolds to %q", unfolded)
	}
	pre := "<https://x.example/u>,\r\n <mailto:u@x.example>"
	if got := string(appendField(nil, "List-Unsubscribe", pre)); got != "List-Unsubscribe: "+pre+"\r\n" {
		t.Errorf("preformatted value rewritten: %q", got)
	}
}

func FuzzQuotedPrintableRuns(f *testing.F) {
	f.Add("你好，", "王芳", "：\n\n.正文 \n")
	f.Add(strings.Repeat("ab", 37)+".", " ", "\r\n.")
	f.Add("a\rb", "\t", "=")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		runs := []string{a, b, c}
		checkQP(t, runs, joinQP(runs))
	})
}
