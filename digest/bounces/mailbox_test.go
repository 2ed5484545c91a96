package bounces_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest/bounces"
	"github.com/digest-newsletter/digest/digest/bounces/bouncetest"
)

// testMailbox: every message delivered is listed once, read whole, and
// never listed again once handled, also by a mailbox opened afresh.
func testMailbox(t *testing.T, open func() bounces.Mailbox, deliver func(msg []byte)) {
	ctx := context.Background()
	msgs := [][]byte{
		bouncetest.DSN(returnPath, "alice@example.org", "failed", "5.1.1", "d1"),
		bouncetest.Reply(returnPath, "frank@example.org", "", "r1"),
		bouncetest.Unsubscribe(returnPath, "erin@example.org", "x", "u1"),
	}
	for _, m := range msgs {
		deliver(m)
	}
	mb := open()
	ids, err := mb.Unhandled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(msgs) {
		t.Fatalf("unhandled = %q, want %d", ids, len(msgs))
	}
	for _, id := range ids[:2] {
		b, err := mb.Read(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if found := bytes.Equal(b, msgs[0]) || bytes.Equal(b, msgs[1]) || bytes.Equal(b, msgs[2]); !found {
			t.Errorf("message %s reads %q, not what was delivered", id, b)
		}
		if err := mb.Handled(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	mb.Close()
	mb = open()
	defer mb.Close()
	left, err := mb.Unhandled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 {
		t.Fatalf("after handling two, unhandled = %q, want one", left)
	}
	deliver(bouncetest.DSN(returnPath, "bob@example.org", "delayed", "4.4.1", "d2"))
	if left, err = mb.Unhandled(ctx); err != nil || len(left) != 2 {
		t.Fatalf("after one more, unhandled = %q, %v, want two", left, err)
	}
}

func TestMaildir(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"new", "cur", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	n := 0
	testMailbox(t, func() bounces.Mailbox { return &bounces.Maildir{Dir: dir} }, func(msg []byte) {
		n++
		if err := os.WriteFile(filepath.Join(dir, "new", fmt.Sprintf("1764576000.M%dP1.mx", n)), msg, 0o600); err != nil {
			t.Fatal(err)
		}
	})
	cur, _ := os.ReadDir(filepath.Join(dir, "cur"))
	if len(cur) != 2 {
		t.Fatalf("cur/ holds %d messages, want the 2 handled", len(cur))
	}
	for _, e := range cur {
		if !strings.HasSuffix(e.Name(), ":2,S") {
			t.Errorf("handled message %s has no Seen flag", e.Name())
		}
	}
}

// TestMaildirReaderSeen: a message a mail reader moved to cur/ without
// marking it Seen is still to be handled; one it flagged keeps its flag.
func TestMaildirReaderSeen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "new"), 0o700)
	os.MkdirAll(filepath.Join(dir, "cur"), 0o700)
	os.WriteFile(filepath.Join(dir, "cur", "1.M1.mx:2,F"), []byte("Subject: x\r\n\r\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "cur", "2.M2.mx:2,S"), []byte("Subject: y\r\n\r\n"), 0o600)
	mb := &bounces.Maildir{Dir: dir}
	ids, err := mb.Unhandled(ctx)
	if err != nil || len(ids) != 1 || ids[0] != "cur/1.M1.mx:2,F" {
		t.Fatalf("unhandled = %q, %v", ids, err)
	}
	if err := mb.Handled(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cur", "1.M1.mx:2,FS")); err != nil {
		t.Error(err)
	}
	if _, err := mb.Read(ctx, "new/../../etc/passwd"); err == nil {
		t.Error("a path out of the Maildir was read")
	}
}

func TestIMAP(t *testing.T) {
	for _, move := range []string{"", "Handled"} {
		t.Run("move="+move, func(t *testing.T) {
			srv := bouncetest.StartIMAP(t)
			testMailbox(t, func() bounces.Mailbox {
				mb, err := bounces.OpenIMAP(context.Background(), srv.URL, srv.Password, move, srv.TLSConfig)
				if err != nil {
					t.Fatal(err)
				}
				return mb
			}, func(msg []byte) { srv.Deliver(t, "INBOX", msg) })
			all, seen := srv.Seen(t, "INBOX")
			if move == "" && (all != 4 || seen != 2) {
				t.Errorf("INBOX: %d messages, %d seen; want 4, 2 (handled ones flagged in place)", all, seen)
			}
			if move != "" {
				if all != 2 || seen != 0 {
					t.Errorf("INBOX: %d messages, %d seen; want 2, 0", all, seen)
				}
				if all, seen := srv.Seen(t, move); all != 2 || seen != 2 {
					t.Errorf("%s: %d messages, %d seen; want the 2 handled, seen", move, all, seen)
				}
			}
		})
	}
	t.Run("bad password", func(t *testing.T) {
		srv := bouncetest.StartIMAP(t)
		if _, err := bounces.OpenIMAP(context.Background(), srv.URL, "wrong", "", srv.TLSConfig); err == nil || !strings.Contains(err.Error(), "login") {
			t.Errorf("err = %v, want a login error", err)
		}
	})
}
