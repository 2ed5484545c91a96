package digest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/templates"
)

// TestRenderGolden renders the archive and every issue of feedIssues, as a
// page and as Markdown, with the embedded templates and compares them with
// the files in testdata/html and testdata/markdown; go test -run Render
// -update rewrites them.
func TestRenderGolden(t *testing.T) {
	r, err := digest.NewRenderer(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	issues := feedIssues()
	archive := make([]*digest.Issue, len(issues)) // newest first
	for i, is := range issues {
		archive[len(issues)-1-i] = is
	}
	// Two configured tags: per-tag feeds linked, a tag choice on the form.
	site := feedSite
	site.Tags = []string{"AI", "未来趋势"}
	pages := map[string]func(*bytes.Buffer) error{
		"html/index.html": func(b *bytes.Buffer) error { return r.Index(b, site, archive) },
	}
	for i, is := range issues { // oldest first
		var prev, next *digest.Issue
		if i > 0 {
			prev = issues[i-1]
		}
		if i+1 < len(issues) {
			next = issues[i+1]
		}
		pages["html/"+is.ID+".html"] = func(b *bytes.Buffer) error { return r.IssuePageNav(b, site, is, prev, next) }
		pages["markdown/"+is.ID+".md"] = func(b *bytes.Buffer) error { return r.IssueMarkdown(b, site, is) }
	}
	for name, render := range pages {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := render(&got); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", filepath.FromSlash(name)), got.Bytes())
		})
	}
}

// checkGolden compares got with the golden file, or rewrites the file with
// -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and read the diff):\n%s", golden, got)
	}
}
