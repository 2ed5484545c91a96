//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestVaultFSReadFileBuffer reads files of awkward sizes into a reused
// buffer, with right and wrong size hints (a file that grew or shrank since
// it was stat'ed).
func TestVaultFSReadFileBuffer(t *testing.T) {
	dir := t.TempDir()
	v := newVaultFS(dir).(vaultFS)
	var buf []byte
	for _, n := range []int{0, 1, 100, 64<<10 - 1, 64 << 10, 64<<10 + 1, 300 << 10} {
		want := bytes.Repeat([]byte("あ#AI\n"), n/7+1)[:n]
		if err := os.WriteFile(filepath.Join(dir, "a.md"), want, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, hint := range []int64{int64(n), 0, int64(n) / 2, int64(n) * 2} {
			got, err := v.ReadFileBuffer("a.md", hint, buf[:0])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("size %d, hint %d: read %d bytes, want %d", n, hint, len(got), n)
			}
			buf = got
		}
	}
	if _, err := v.ReadFileBuffer("missing.md", 0, nil); !os.IsNotExist(err) {
		t.Errorf("missing file: err = %v, want not exist", err)
	}
	if _, err := v.ReadFileBuffer("../x.md", 0, nil); err == nil {
		t.Error("a path outside the vault was read")
	}
}
