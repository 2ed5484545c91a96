//go:build unix

package vault

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWalkFIFO walks a vault holding a named pipe called a.md, and a note
// replaced by one after the walk listed it and before it was opened: both
// are reported and nothing blocks (opening a pipe waits for a writer).
func TestWalkFIFO(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.md", "c.md", "d.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#AI "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "a.md"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	if err := os.Symlink("/dev/null", filepath.Join(dir, "null.md")); err != nil {
		t.Fatal(err)
	}
	opt := Options{
		Want: []string{"AI"},
		// Skip runs between the listing and the opening: c.md becomes a pipe.
		Skip: func(f File) bool {
			if f.Path == "c.md" {
				p := filepath.Join(dir, "c.md")
				if err := os.Remove(p); err != nil {
					t.Error(err)
				}
				if err := syscall.Mkfifo(p, 0o644); err != nil {
					t.Error(err)
				}
			}
			return false
		},
	}
	done := make(chan []string)
	go func() { done <- walkAll(t, DirFS(dir), opt, nil) }()
	select {
	case got := <-done:
		want := []string{
			"a.md: error: a named pipe, not a note",
			"b.md: clip AI",
			"c.md: error: a named pipe, not a note",
			"d.md: clip AI",
			"null.md: error: a character device, not a note",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("walk:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	case <-time.After(10 * time.Second):
		// Unblock the walk by writing to the pipes, to end the test.
		for _, name := range []string{"a.md", "c.md"} {
			if f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		}
		t.Fatal("the walk blocked opening a named pipe")
	}
}
