package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestVaultFSReadFileBuffer reads files of awkward sizes into a reused
// buffer that is sometimes too small.
func TestVaultFSReadFileBuffer(t *testing.T) {
	dir := t.TempDir()
	v := newVaultFS(dir).(vaultFS)
	var buf []byte
	for _, n := range []int{0, 1, 100, 64<<10 - 1, 64 << 10, 64<<10 + 1, 300 << 10} {
		want := bytes.Repeat([]byte("あ#AI\n"), n/7+1)[:n]
		if err := os.WriteFile(filepath.Join(dir, "a.md"), want, 0o644); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			got, size, mod, err := v.ReadFileBuffer("a.md", buf[:0])
			if err != nil {
				t.Fatal(err)
			}
			info, _ := os.Stat(filepath.Join(dir, "a.md"))
			if !bytes.Equal(got, want) || size != int64(n) || !mod.Equal(info.ModTime()) {
				t.Errorf("size %d: read %d bytes, size %d, time %v; want %d, %v", n, len(got), size, mod, n, info.ModTime())
			}
			buf = got
		}
	}
	if _, _, _, err := v.ReadFileBuffer("missing.md", nil); !os.IsNotExist(err) {
		t.Errorf("missing file: err = %v, want not exist", err)
	}
	if _, _, _, err := v.ReadFileBuffer("../x.md", nil); err == nil {
		t.Error("a path outside the vault was read")
	}
}
