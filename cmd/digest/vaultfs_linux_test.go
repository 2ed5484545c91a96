package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest"
)

// TestVaultFSReadFileBuffer reads files of awkward sizes into a reused
// buffer that is sometimes too small.
func TestVaultFSReadFileBuffer(t *testing.T) {
	dir := t.TempDir()
	v, err := openVault(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
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

// TestVaultFSScan scans a real folder with links, loops and folders to
// leave out, through the vault's file system and through os.DirFS: both
// find the same files in the same order, with the same sizes and times.
func TestVaultFSScan(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "---\ntags: [AI]\n---\nA\n")
	write("a b.md", "plain\n")
	write("a-c.md", "plain #AI\n")
	write("a/x.md", "---\ntags: [AI]\n---\nX\n")
	write("a/y.txt", "#AI")
	write("B.MD", "#AI upper case")
	write(".hidden.md", "a dot file, not a dot folder")
	write(".obsidian/app.md", "#AI")
	write("public/issue.md", "#AI")
	write("sub/deeper/z.md", "---\ntags: [未来趋势]\n---\n")
	write("sub/old.md", "---\ntags: [cooking]\n---\n")
	long := "long/" + strings.Repeat(strings.Repeat("長", 60)+"/", 3) + "n.md" // too long a path to stat from the stack
	write(long, "#AI far down")
	if err := os.WriteFile(filepath.Join(outside, "far.md"), []byte("#AI from outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	link("a.md", "link.md")                              // a link to a file: read
	link(filepath.Join(outside, "far.md"), "sub/far.md") // to a file outside the vault: read
	link("sub", "folder.md")                             // a link to a folder with a note's name: left out
	link("..", "sub/up")                                 // a loop: not followed
	link("missing.md", "dangling.md")                    // dangling: left out
	link("loop2.md", "loop1.md")                         // a loop of links: left out
	link("loop1.md", "loop2.md")                         //
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	scan := func(fsys fs.FS, opt digest.ScanOptions) []string {
		t.Helper()
		var got []string
		err := digest.ScanVault(context.Background(), fsys, opt, func(s digest.Scanned) {
			what := "?"
			switch {
			case s.Skipped:
				what = "skipped"
			case s.Err != nil:
				what = "error " + s.Err.Error()
			case s.NoMatch:
				what = "nomatch"
			case s.Clip != nil:
				what = "clip " + strings.Join(s.Clip.Tags, ",")
			}
			info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s.Path)))
			if err != nil || info.Size() != s.Size || !info.ModTime().Equal(s.ModTime) {
				t.Errorf("%s: size %d, time %v; want %v", s.Path, s.Size, s.ModTime, info)
			}
			got = append(got, s.Path+": "+what)
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{
		".hidden.md: nomatch",
		"B.MD: clip AI",
		"a/x.md: clip AI",
		"a b.md: nomatch",
		"a-c.md: clip AI",
		"a.md: clip AI",
		"link.md: clip AI",
		long + ": clip AI",
		"sub/deeper/z.md: clip 未来趋势",
		"sub/far.md: clip AI",
		"sub/old.md: nomatch",
	}
	opt := digest.ScanOptions{Want: []string{"AI", "未来趋势"}, Exclude: []string{"public"}, Workers: 3}
	v, err := openVault(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, fsys := range []fs.FS{os.DirFS(dir), v} {
		if got := scan(fsys, opt); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%T: scan, in walk order:\n%s\nwant:\n%s", fsys, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
