package email_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
)

// A message with lines that begin with a dot reaches a real SMTP server
// byte for byte: AppendData stuffs them, the server unstuffs them.
func TestMessageOverSMTP(t *testing.T) {
	c := mailertest.Composer(t, strings.Repeat("a.", 300))
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
