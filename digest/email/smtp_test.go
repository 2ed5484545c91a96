package email_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/templates"
)

// A message with lines that begin with a dot reaches a real SMTP server
// byte for byte: AppendData stuffs them, the server unstuffs them.
func TestMessageOverSMTP(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	c, err := email.NewComposer(&digest.Issue{
		ID: "2026-W48", Number: 1, Title: "Weekly Digest #1", Since: at.AddDate(0, 0, -7), Cutoff: at,
		Items: []digest.Item{{Key: "https://example.com/a", Path: "a.md", Title: "A", URL: "https://example.com/a",
			Site: "example.com", Clipped: at.Add(-time.Hour), Tag: "AI", Minutes: 1, Excerpt: strings.Repeat("a.", 300)}},
	}, email.ComposerOptions{
		Site:   digest.Site{Title: "Weekly Digest", URL: "https://digest.example.com", Language: "en"},
		From:   "Weekly Digest <digest@example.com>",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Templates: templates.Default, Date: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Compose(digest.Subscriber{Email: "reader@example.com", Status: digest.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	raw := m.AppendTo(nil)
	if !bytes.Contains(raw, []byte("\r\n.")) {
		t.Fatal("no line of the message begins with a dot: the test tests nothing")
	}

	srv := mailertest.Start(t)
	tr := &mailer.SMTP{Config: digest.SMTP{Host: srv.Host, Port: srv.Port, TLS: "none", Timeout: 5 * time.Second}}
	if r, err := mailer.SendOne(context.Background(), tr, m); err != nil || r.Outcome != mailer.Delivered {
		t.Fatalf("send: %+v, %v", r, err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	if !bytes.Equal(got[0].Data, raw) {
		t.Errorf("received message differs from the one sent:\n%s", got[0].Data)
	}
}
