package mailer

import (
	"context"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
)

// A mail transaction gives the same outcomes with the envelope pipelined
// (RFC 2920) and sent one command at a time, for relays without PIPELINING;
// the message is held back before its final dot until handOver says so, and
// abandoned, undelivered, when it says no.
func TestSMTPTransaction(t *testing.T) {
	c := mailertest.Composer(t, "a")
	msg := func(to string) *email.Message {
		m, err := c.Compose(digest.Subscriber{Email: to, Status: digest.StatusActive})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	for _, pipelining := range []bool{true, false} {
		srv := mailertest.Start(t)
		srv.Set("refused@example.com", mailertest.Reject)
		srv.Set("later@example.com", mailertest.TempOnce)
		tr := &SMTP{Config: digest.SMTP{Host: srv.Host, Port: srv.Port, TLS: "none", Timeout: 2 * time.Second}}
		conn, err := tr.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sc := conn.(*smtpConn)
		if !sc.pipelining {
			t.Fatal("the test relay does not offer PIPELINING")
		}
		sc.pipelining = pipelining

		send := func(to string, handOver func() bool) Result {
			t.Helper()
			r, err := conn.Send(msg(to), handOver)
			if err != nil {
				t.Fatalf("pipelining %v, %s: %v", pipelining, to, err)
			}
			return r
		}
		heldBack := func(to string) func() bool {
			return func() bool {
				if n := srv.Count()[to]; n != 0 {
					t.Errorf("pipelining %v, %s: the relay has the message before it was handed over", pipelining, to)
				}
				return true
			}
		}
		if r := send("ok@example.com", heldBack("ok@example.com")); r.Outcome != Delivered || r.Code != 250 {
			t.Errorf("pipelining %v: ok: %+v", pipelining, r)
		}
		if r := send("refused@example.com", nil); r.Outcome != Permanent || !r.Bounce || r.Code != 550 || r.Reconnect {
			t.Errorf("pipelining %v: refused at RCPT: %+v, want a 550 bounce, connection kept", pipelining, r)
		}
		if r := send("later@example.com", nil); r.Outcome != Temporary || r.Code != 451 || r.Reconnect {
			t.Errorf("pipelining %v: 451 after the data: %+v", pipelining, r)
		}
		if r := send("abandoned@example.com", func() bool { return false }); !r.Reconnect {
			t.Errorf("pipelining %v: abandoned: %+v, want the connection dropped", pipelining, r)
		}
		conn.Close()
		if conn, err = tr.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		conn.(*smtpConn).pipelining = pipelining
		if r := send("after@example.com", nil); r.Outcome != Delivered {
			t.Errorf("pipelining %v: after: %+v", pipelining, r)
		}
		conn.Close()

		got := srv.Count()
		for to, want := range map[string]int{"ok@example.com": 1, "refused@example.com": 0, "later@example.com": 0,
			"abandoned@example.com": 0, "after@example.com": 1} {
			if got[to] != want {
				t.Errorf("pipelining %v: %s received %d times, want %d", pipelining, to, got[to], want)
			}
		}
		if n := srv.Conns(); n != 2 {
			t.Errorf("pipelining %v: %d connections, want 2 (one reused, one after the abandoned message)", pipelining, n)
		}
	}
}
