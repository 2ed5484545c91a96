package digest

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestScanVault(t *testing.T) {
	mod := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	fsys := fstest.MapFS{
		"a.md":               {Data: []byte("---\ntitle: A\ntags: [AI]\n---\nbody\n"), ModTime: mod},
		"b.md":               {Data: []byte("---\ntitle: B\ntags: [cooking]\n---\nAI everywhere\n"), ModTime: mod},
		"sub/c.md":           {Data: []byte("---\ntags: [AI\n  bad: [\n---\n"), ModTime: mod},
		"sub/d.MD":           {Data: []byte("no frontmatter #AI\n"), ModTime: mod},
		"skip.md":            {Data: []byte("---\ntags: [AI]\n---\n"), ModTime: mod},
		".obsidian/x.md":     {Data: []byte("---\ntags: [AI]\n---\n")},
		"public/issue.md":    {Data: []byte("---\ntags: [AI]\n---\n")},
		"notes.txt":          {Data: []byte("#AI")},
		"sub/deeper/e.md":    {Data: []byte(""), ModTime: mod},
		"sub/deeper/f.md":    {Data: []byte("---\ntags: [未来趋势]\n---\n"), ModTime: mod},
		"sub/deeper/0000.md": {Data: []byte("plain"), ModTime: mod},
	}
	for i := range 300 { // more than a few batches
		fsys["many/"+strings.Repeat("n", i%7)+string(rune('a'+i%26))+strings.Repeat("x", i/26)+".md"] = &fstest.MapFile{Data: []byte("plain note\n"), ModTime: mod}
	}
	opt := ScanOptions{
		Want:    []string{"AI", "未来趋势"},
		Exclude: []string{"public"},
		Skip:    func(f File) bool { return f.Path == "skip.md" },
		Workers: 3,
	}
	t.Run("fs.FS", func(t *testing.T) { testScan(t, fsys, opt, mod) })
	// With a BufferReader, files Known says were never seen are read
	// without a stat first.
	opt.Known = func(p string) bool { return p == "skip.md" || p == "a.md" }
	t.Run("BufferReader", func(t *testing.T) { testScan(t, bufferFS{fsys}, opt, mod) })
}

// bufferFS is a BufferReader over a MapFS.
type bufferFS struct{ fstest.MapFS }

func (b bufferFS) ReadFileBuffer(name string, buf []byte) ([]byte, int64, time.Time, error) {
	f, ok := b.MapFS[name]
	if !ok {
		return nil, 0, time.Time{}, fs.ErrNotExist
	}
	return append(buf, f.Data...), int64(len(f.Data)), f.ModTime, nil
}

func (b bufferFS) StatFile(name string) (int64, time.Time, fs.FileMode, error) {
	f, ok := b.MapFS[name]
	if !ok {
		return 0, time.Time{}, 0, fs.ErrNotExist
	}
	return int64(len(f.Data)), f.ModTime, f.Mode, nil
}

func testScan(t *testing.T, fsys fs.FS, opt ScanOptions, mod time.Time) {
	var got []string
	err := ScanVault(context.Background(), fsys, opt, func(s Scanned) {
		var what string
		switch {
		case s.Skipped:
			what = "skipped"
		case s.Err != nil:
			what = "error"
		case s.NoMatch:
			what = "nomatch"
		case s.Clip != nil:
			what = "clip " + strings.Join(s.Clip.Tags, ",")
		}
		if !s.ModTime.Equal(mod) {
			t.Errorf("%s: mod time %v, want %v", s.Path, s.ModTime, mod)
		}
		if !strings.HasPrefix(s.Path, "many/") {
			got = append(got, s.Path+": "+what)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.md: clip AI",
		"b.md: nomatch",
		"skip.md: skipped",
		"sub/c.md: error",
		"sub/d.MD: clip AI",
		"sub/deeper/0000.md: nomatch",
		"sub/deeper/e.md: nomatch",
		"sub/deeper/f.md: clip 未来趋势",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scan, in walk order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
