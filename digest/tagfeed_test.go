package digest_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/templates"
)

func buildTagFeeds(t *testing.T, site digest.Site, tag string, issues []*digest.Issue) builtFeeds {
	t.Helper()
	r, err := digest.NewRenderer(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.TagFeeds(site, tag, issues, 20)
	if err != nil {
		t.Fatal(err)
	}
	out := builtFeeds{}
	for name, write := range map[string]func(io.Writer) error{
		digest.FeedRSS: f.WriteRSS, digest.FeedAtom: f.WriteAtom, digest.FeedJSON: f.WriteJSON,
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = buf.Bytes()
	}
	return out
}

func TestTagSlug(t *testing.T) {
	for tag, want := range map[string]string{
		"AI": "ai", "未来趋势": "未来趋势", "AI/LLM": "ai-llm", "Machine Learning": "machine-learning",
		"個人の価値": "個人の価値", "#C++": "c", "---": "tag",
	} {
		if got := digest.TagSlug(tag); got != want {
			t.Errorf("TagSlug(%q) = %q, want %q", tag, got, want)
		}
	}
}

// TestTagFeeds: a tag's feeds carry only the issues and items of that tag,
// point at themselves, keep their ids over a rebuild and do not share them
// with the main feeds; they parse in gofeed, feedparser and newsboat.
func TestTagFeeds(t *testing.T) {
	main := buildFeeds(t, feedSite, feedIssues(), 20)
	mainFeed, err := gofeed.NewParser().Parse(bytes.NewReader(main[digest.FeedAtom]))
	if err != nil {
		t.Fatal(err)
	}
	mainIDs := map[string]bool{}
	for _, it := range mainFeed.Items {
		mainIDs[it.GUID] = true
	}
	for tag, wantIssues := range map[string]int{"AI": 2, "未来趋势": 2} {
		t.Run(tag, func(t *testing.T) {
			got := buildTagFeeds(t, feedSite, tag, feedIssues())
			again := buildTagFeeds(t, feedSite, tag, feedIssues())
			dir := feedSite.URL + "/" + digest.TagURLPath(tag)
			for _, name := range feedNames {
				if !bytes.Equal(got[name], again[name]) {
					t.Errorf("%s changed on a rebuild", name)
				}
				f, err := gofeed.NewParser().Parse(bytes.NewReader(got[name]))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(f.Items) != wantIssues {
					t.Errorf("%s: %d entries, want %d", name, len(f.Items), wantIssues)
				}
				if !strings.Contains(f.Title, tag) {
					t.Errorf("%s: title %q does not name the tag", name, f.Title)
				}
				if f.FeedLink != dir+name {
					t.Errorf("%s: self %q, want %q", name, f.FeedLink, dir+name)
				}
				for _, it := range f.Items {
					if mainIDs[it.GUID] || !strings.HasPrefix(it.GUID, "tag:digest.example.com,") {
						t.Errorf("%s: id %q is a main feed's, or not a tag URI", name, it.GUID)
					}
					for _, other := range []string{"AI", "未来趋势"} {
						if other != tag && strings.Contains(it.Content, "#"+other+"<") {
							t.Errorf("%s: entry %s carries an item of #%s", name, it.Title, other)
						}
					}
				}
			}
			pythonFeedparser(t, got)
			newsboat(t, got)
		})
	}
}

// newsboat loads the RSS and Atom feeds into newsboat, where it is
// installed, and requires it to read every entry.
func newsboat(t *testing.T, got builtFeeds) {
	t.Helper()
	if _, err := exec.LookPath("newsboat"); err != nil {
		t.Log("newsboat is not installed: skipped")
		return
	}
	dir := t.TempDir()
	var urls []string
	for _, name := range []string{digest.FeedRSS, digest.FeedAtom} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, got[name], 0o644); err != nil {
			t.Fatal(err)
		}
		urls = append(urls, "file://"+p)
	}
	if err := os.WriteFile(filepath.Join(dir, "urls"), []byte(strings.Join(urls, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache.db")
	cmd := exec.Command("newsboat", "-u", filepath.Join(dir, "urls"), "-c", cache, "-C", "/dev/null", "-x", "reload", "print-unread")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("newsboat: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "unread articles") || strings.HasPrefix(strings.TrimSpace(string(out)), "0 ") {
		t.Errorf("newsboat read nothing: %s", out)
	}
}
