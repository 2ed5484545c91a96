package vault

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// walkAll walks fsys and describes each file reported, in order.
func walkAll(t *testing.T, fsys fs.FS, opt Options, check func(Result)) []string {
	t.Helper()
	var got []string
	err := Walk(context.Background(), fsys, opt, func(r Result) {
		what := "?"
		switch {
		case r.Skipped:
			what = "skipped"
		case r.Err != nil:
			what = "error: " + strings.TrimSpace(strings.TrimPrefix(r.Err.Error(), r.Path+":"))
		case r.NoMatch:
			what = "nomatch"
		case r.Clip != nil:
			what = "clip " + strings.Join(r.Clip.Tags, ",")
		}
		if check != nil {
			check(r)
		}
		got = append(got, r.Path+": "+what)
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWalk(t *testing.T) {
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
	var many []string
	for i := range 300 { // more than a few batches
		p := "many/" + strings.Repeat("n", i%7) + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ".md"
		fsys[p] = &fstest.MapFile{Data: []byte("plain note\n"), ModTime: mod}
		many = append(many, p+": nomatch")
	}
	opt := Options{
		Want:    []string{"AI", "未来趋势"},
		Exclude: []string{"public"},
		Skip:    func(f File) bool { return f.Path == "skip.md" },
		Workers: 3,
	}
	got := walkAll(t, fsys, opt, func(r Result) {
		if !r.ModTime.Equal(mod) {
			t.Errorf("%s: mod time %v, want %v", r.Path, r.ModTime, mod)
		}
	})
	var walked []string
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if strings.HasPrefix(p, "many/") && !d.IsDir() {
			walked = append(walked, p+": nomatch")
		}
		return nil
	})
	want := append([]string{
		"a.md: clip AI",
		"b.md: nomatch",
	}, walked...)
	want = append(want,
		"skip.md: skipped",
		"sub/c.md: error: 3:8: sequence end token ']' not found",
		"sub/d.MD: clip AI",
		"sub/deeper/0000.md: nomatch",
		"sub/deeper/e.md: nomatch",
		"sub/deeper/f.md: clip 未来趋势",
	)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("walk, in order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(walked) != len(many) {
		t.Errorf("walked %d of the many files, want %d", len(walked), len(many))
	}
}

// TestWalkFolder walks a real folder with links, loops and folders to leave
// out through DirFS; the links it cannot follow are reported.
func TestWalkFolder(t *testing.T) {
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
			t.Skip("no symbolic links here:", err)
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
	long := "long/" + strings.Repeat(strings.Repeat("長", 60)+"/", 3) + "n.md"
	write(long, "#AI far down")
	if err := os.WriteFile(filepath.Join(outside, "far.md"), []byte("#AI from outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	link("a.md", "link.md")                              // a link to a file: read
	link(filepath.Join(outside, "far.md"), "sub/far.md") // to a file outside the vault: read
	link("sub", "folder.md")                             // a link to a folder with a note's name: left out
	link("..", "sub/up")                                 // a loop: not followed
	link("missing.md", "dangling.md")                    // dangling: reported
	link("loop2.md", "loop1.md")                         // a loop of links: reported
	link("loop1.md", "loop2.md")                         //
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := []string{
		".hidden.md: nomatch",
		"B.MD: clip AI",
		"a/x.md: clip AI",
		"a b.md: nomatch",
		"a-c.md: clip AI",
		"a.md: clip AI",
		"dangling.md: error: symbolic link not followed: no such file or directory",
		"link.md: clip AI",
		long + ": clip AI",
		"loop1.md: error: symbolic link not followed: too many levels of symbolic links",
		"loop2.md: error: symbolic link not followed: too many levels of symbolic links",
		"sub/deeper/z.md: clip 未来趋势",
		"sub/far.md: clip AI",
		"sub/old.md: nomatch",
	}
	opt := Options{Want: []string{"AI", "未来趋势"}, Exclude: []string{"public"}, Workers: 3}
	got := walkAll(t, DirFS(dir), opt, func(r Result) {
		if r.Err != nil {
			return
		}
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(r.Path)))
		if err != nil || info.Size() != r.Size || !info.ModTime().Equal(r.ModTime) {
			t.Errorf("%s: size %d, time %v; want %v", r.Path, r.Size, r.ModTime, info)
		}
	})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("walk, in order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestWalkChangedSince parses only the files changed since a time, and the
// editor's notes whenever they changed.
func TestWalkChangedSince(t *testing.T) {
	old, since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	fsys := fstest.MapFS{
		"old.md":  {Data: []byte("---\ntags: [AI]\n---\n"), ModTime: old},
		"note.md": {Data: []byte("---\ndigest: next\ntitle: Hello\n---\nThe week.\n"), ModTime: old},
		"new.md":  {Data: []byte("---\ntags: [AI]\n---\n"), ModTime: since},
		"none.md": {Data: []byte("cooking"), ModTime: old},
	}
	opt := Options{Want: []string{"AI"}, ChangedSince: since}
	var got []string
	err := Walk(context.Background(), fsys, opt, func(r Result) {
		got = append(got, fmt.Sprintf("%s old=%v nomatch=%v clip=%v", r.Path, r.Old, r.NoMatch, r.Clip != nil))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"new.md old=false nomatch=false clip=true",
		"none.md old=false nomatch=true clip=false",
		"note.md old=false nomatch=false clip=true",
		"old.md old=true nomatch=false clip=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("walk:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
