package mailer

import (
	"context"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
)

// With a return path, each copy's envelope sender is the return path
// VERP-tagged for its recipient; the From header is left alone.
func TestSMTPReturnPath(t *testing.T) {
	c := mailertest.Composer(t, "a")
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
