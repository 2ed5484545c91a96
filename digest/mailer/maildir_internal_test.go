package mailer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/digest-newsletter/digest/digest/email"
)

// A message renamed into new/ whose folder then fails to sync may not
// survive a crash: its outcome is unknown, not delivered and not to retry.
func TestMaildirSyncFails(t *testing.T) {
	dir := t.TempDir()
	conn, err := (&Maildir{Dir: dir}).Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func(f func(string) error) { syncDir = f }(syncDir)
	syncDir = func(string) error { return errors.New("input/output error") }

	m := &email.Message{From: "digest@example.com", To: "a@example.com", MessageID: "<x@example.com>"}
	r, err := conn.Send(m, nil)
	if err != nil || r.Outcome != Unknown {
		t.Fatalf("got %+v, %v, want an unknown outcome", r, err)
	}
	if files, _ := os.ReadDir(filepath.Join(dir, "new")); len(files) != 1 {
		t.Errorf("%d files in new/", len(files))
	}
}
