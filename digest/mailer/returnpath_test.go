package mailer

import (
	"context"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/templates"
)

// With a return path, each copy's envelope sender is the return path
// VERP-tagged for its recipient; the From header is left alone.
func TestSMTPReturnPath(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	c, err := email.NewComposer(&digest.Issue{
		ID: "2026-W48", Number: 1, Title: "Weekly Digest #1", Since: at.AddDate(0, 0, -7), Cutoff: at,
		Items: []digest.Item{{Key: "https://example.com/a", Path: "a.md", Title: "A", URL: "https://example.com/a",
			Site: "example.com", Clipped: at.Add(-time.Hour), Tag: "AI", Minutes: 1, Excerpt: "a"}},
	}, email.ComposerOptions{
		Site:   digest.Site{Title: "Weekly Digest", URL: "https://digest.example.com", Language: "en"},
		From:   "Weekly Digest <digest@example.com>",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Templates: templates.Default, Date: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rp := range []string{"", "bounces@news.example.com"} {
		srv := mailertest.Start(t)
		tr := &SMTP{Config: digest.SMTP{Host: srv.Host, Port: srv.Port, TLS: "none", Timeout: 2 * time.Second}, ReturnPath: rp}
		conn, err := tr.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{"alice@example.org", "bob@example.net"} {
			m, err := c.Compose(digest.Subscriber{Email: to, Status: digest.StatusActive})
			if err != nil {
				t.Fatal(err)
			}
			if r, err := conn.Send(m, nil); err != nil || r.Outcome != Delivered {
				t.Fatalf("send to %s: %+v, %v", to, r, err)
			}
		}
		conn.Close()
		if n := len(srv.Received()); n != 2 {
			t.Fatalf("the relay got %d messages, want 2", n)
		}
		for _, got := range srv.Received() {
			want := "digest@example.com"
			if rp != "" {
				want = digest.VERP(rp, got.To[0])
			}
			if got.From != want {
				t.Errorf("return path %q: MAIL FROM %q for %s, want %q", rp, got.From, got.To[0], want)
			}
		}
	}
}
