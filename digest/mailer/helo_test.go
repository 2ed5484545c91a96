package mailer_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/emersion/go-smtp"
)

// TestHELO: smtp.helo is the name the relay is greeted with; receivers
// check it against the sending address's reverse DNS.
func TestHELO(t *testing.T) {
	got := make(chan string, 1)
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		got <- c.Hostname()
		return heloSession{}, nil
	}))
	srv.Domain = "relay.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	addr := l.Addr().(*net.TCPAddr)
	tr := &mailer.SMTP{Config: digest.SMTP{Host: "127.0.0.1", Port: addr.Port, TLS: "none", Timeout: 5 * time.Second, Helo: "mail.digest-weekly.net"}}
	conn, err := tr.Open(context.Background())
	if err == nil {
		conn.Close()
	}
	select {
	case name := <-got:
		if name != "mail.digest-weekly.net" {
			t.Errorf("EHLO %q, want mail.digest-weekly.net", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the relay was never greeted")
	}
}

type heloSession struct{}

func (heloSession) Reset()                               {}
func (heloSession) Logout() error                        { return nil }
func (heloSession) Mail(string, *smtp.MailOptions) error { return nil }
func (heloSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (heloSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
