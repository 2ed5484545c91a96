package digest

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"sync"
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
		Seen:    func() SeenFiles { return paths{"skip.md"} },
		Skip:    func(f File, seen int) bool { return f.Path == "skip.md" },
		Workers: 3,
	}
	t.Run("fs.FS", func(t *testing.T) { testScan(t, fsys, opt, mod) })
	// Files seen before are found among them in walk order, or in any
	// order; those never seen are read without a stat first.
	for _, seen := range [][]string{
		{"a.md", "gone.md", "skip.md", "sub/deeper/0000.md", "sub/deeper/f.md", "sub/gone/x.md"},
		{"sub/deeper/f.md", "skip.md", "sub/gone/x.md", "a.md", "sub/deeper/0000.md", "gone.md"},
	} {
		t.Run("DirFS", func(t *testing.T) {
			returned := make(chan struct{})
			var once sync.Once
			opt.Seen = func() SeenFiles {
				defer once.Do(func() { close(returned) })
				return paths(seen)
			}
			// The walk starts once the files seen before are surely there.
			dfs := &statFS{MapFS: fsys, start: func() { <-returned; time.Sleep(50 * time.Millisecond) }}
			testScanSeen(t, dfs, opt, seen, mod)
			for _, p := range dfs.stats() {
				if !slices.Contains(seen, p) {
					t.Errorf("%s, never seen before, was stat'ed", p)
				}
			}
		})
		// The files seen before are there only once the walk has begun:
		// the files walked until then are found among them after a stat.
		t.Run("DirFS/late", func(t *testing.T) {
			dfs := &statFS{MapFS: fsys}
			opt.Seen = func() SeenFiles {
				for len(dfs.stats()) == 0 {
					time.Sleep(time.Millisecond)
				}
				return paths(seen)
			}
			testScanSeen(t, dfs, opt, seen, mod)
		})
	}
}

// paths is a SeenFiles.
type paths []string

func (p paths) Len() int          { return len(p) }
func (p paths) Path(i int) string { return p[i] }

// statFS is a DirFS over a MapFS that remembers what was stat'ed, and
// calls start, when set, before it lists the root.
type statFS struct {
	fstest.MapFS
	start   func()
	mu      sync.Mutex
	statted []string
}

func (m *statFS) stats() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.statted)
}

func (m *statFS) ReadDirList(name string, l *DirList) error {
	if name == "." && m.start != nil {
		m.start()
	}
	return plainFS{m.MapFS}.ReadDirList(name, l)
}

func (m *statFS) StatFile(name string, follow bool) (int64, time.Time, fs.FileMode, error) {
	m.mu.Lock()
	m.statted = append(m.statted, name)
	m.mu.Unlock()
	return plainFS{m.MapFS}.StatFile(name, follow)
}

func (m *statFS) ReadFileBuffer(name string, buf []byte) ([]byte, int64, time.Time, error) {
	f, ok := m.MapFS[name]
	if !ok {
		return nil, 0, time.Time{}, fs.ErrNotExist
	}
	return append(buf, f.Data...), int64(len(f.Data)), f.ModTime, nil
}

// testScanSeen scans as testScan does, and checks each file's place in
// opt.Seen.
func testScanSeen(t *testing.T, fsys fs.FS, opt ScanOptions, seen []string, mod time.Time) {
	t.Helper()
	n := 0
	err := ScanVault(context.Background(), fsys, opt, func(s Scanned) {
		n++
		want := slices.Index(seen, s.Path)
		if s.Seen != want {
			t.Errorf("%s: seen at %d, want %d", s.Path, s.Seen, want)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 308 {
		t.Errorf("scanned %d files, want 308", n)
	}
	testScan(t, fsys, opt, mod)
}

// TestWalkCompare checks that walkCompare orders paths as the walk finds
// them: a folder's files where the folder's name sorts among its siblings.
func TestWalkCompare(t *testing.T) {
	walked := []string{"a b.md", "a/x.md", "a/y/z.md", "a-c.md", "a.md", "ab/c.md", "b.md", "é.md"}
	slices.SortFunc(walked, func(a, b string) int { return walkCompare(a, b) })
	want := []string{"a/x.md", "a/y/z.md", "a b.md", "a-c.md", "a.md", "ab/c.md", "b.md", "é.md"}
	if !slices.Equal(walked, want) {
		t.Errorf("sorted in walk order: %q, want %q", walked, want)
	}
	for _, p := range want {
		if c := walkCompare(p, []byte(p)); c != 0 {
			t.Errorf("walkCompare(%q, itself) = %d", p, c)
		}
	}
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
