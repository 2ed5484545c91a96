package weekly

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/bounces"
	"github.com/digest-newsletter/digest/digest/bounces/bouncetest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

// Serve reads the bounce mailbox at the start and then at every tick: a
// bounce that arrives while it runs is read at the next one; the reading
// stops with the server.
func TestReadBouncesEvery(t *testing.T) {
	const rp = "bounces@news.example.net"
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box := t.TempDir()
	os.MkdirAll(filepath.Join(box, "new"), 0o700)
	k := 0
	deliver := func(msg []byte) {
		k++
		if err := os.WriteFile(filepath.Join(box, "new", fmt.Sprintf("%d.M%d.mx", k, k)), msg, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n := &Newsletter{Config: &digest.Config{ReturnPath: rp}, State: st}
	opened := 0
	o := ServeOptions{
		Clock: time.Now,
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Bounces: func(context.Context) (bounces.Mailbox, error) {
			opened++
			return &bounces.Maildir{Dir: box}, nil
		},
		BounceEvery: 20 * time.Millisecond,
	}
	suppressed := func(email string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if ok, err := st.IsSuppressed(context.Background(), email); err != nil {
				t.Fatal(err)
			} else if ok {
				return
			}
		}
		t.Fatalf("%s was never suppressed", email)
	}

	deliver(bouncetest.DSN(rp, "alice@example.org", "failed", "5.1.1", "d1"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.readBouncesEvery(ctx, o)
	}()
	suppressed("alice@example.org")
	deliver(bouncetest.ARF(rp, "bob@example.org", "", "a1"))
	suppressed("bob@example.org")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the reading did not stop with its context")
	}
	if opened < 2 {
		t.Errorf("the mailbox was opened %d times, want one per tick", opened)
	}
}
