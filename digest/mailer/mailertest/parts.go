package mailertest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/templates"
)

// TextPart returns the decoded text/plain part of a raw multipart message,
// as a reader's mail client shows it.
func TextPart(t testing.TB, raw []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p) // NextPart decodes quoted-printable
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

// Composer makes the messages of a one-item English issue, with excerpt as
// its item's excerpt: what a test of the transports sends.
func Composer(t testing.TB, excerpt string) *email.Composer {
	t.Helper()
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	c, err := email.NewComposer(&digest.Issue{
		ID: "2026-W48", Number: 1, Title: "Weekly Digest #1", Since: at.AddDate(0, 0, -7), Cutoff: at,
		Items: []digest.Item{{Key: "https://example.com/a", Path: "a.md", Title: "A", URL: "https://example.com/a",
			Site: "example.com", Clipped: at.Add(-time.Hour), Tag: "AI", Minutes: 1, Excerpt: excerpt}},
	}, email.ComposerOptions{
		Site:   digest.Site{Title: "Weekly Digest", URL: "https://digest.example.com", Language: "en"},
		From:   "Weekly Digest <digest@example.com>",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Templates: templates.Default, Date: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
