package digest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/templates"
)

// update rewrites the golden files in testdata instead of comparing with them.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var feedSite = digest.Site{
	Title:    "Weekly Digest",
	URL:      "https://digest.example.com",
	Author:   "Ada Lovelace",
	Email:    "ada@example.com",
	Language: "zh-CN",
}

// feedIssues is a fixed archive of three issues, oldest first, as the store
// would hold them.
func feedIssues() []*digest.Issue {
	mk := func(number int, cutoff string, items ...digest.Item) *digest.Issue {
		c, err := time.Parse(time.RFC3339, cutoff)
		if err != nil {
			panic(err)
		}
		id := digest.IssueID(c, time.UTC)
		return &digest.Issue{
			ID: id, Number: number, Title: "Weekly Digest #" + string(rune('0'+number)) + " · " + id,
			Since: c.AddDate(0, 0, -7), Cutoff: c, Items: items,
		}
	}
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	return []*digest.Issue{
		mk(1, "2026-11-16T00:00:00Z",
			digest.Item{
				Key: "https://mp.weixin.qq.com/s/abc", Path: "Clippings/大模型.md",
				Title: "大模型时代的个体价值 🚀", URL: "https://mp.weixin.qq.com/s/abc", Site: "mp.weixin.qq.com",
				Authors: []string{"@python_xxt"}, Clipped: day("2026-11-12"), Tag: "AI", Minutes: 7,
				Excerpt: "当AI可以写代码、画图、作曲时，个体的价值在哪里？答案是判断力。",
			},
			digest.Item{
				Key: "https://example.org/r&d", Path: "Clippings/R&D.md",
				Title: "R&D <notes> on \"agents\" & tools", URL: "https://example.org/r&d?a=1&b=2", Site: "example.org",
				Authors: []string{"Grace Hopper", "Alan Kay"}, Clipped: day("2026-11-10"), Tag: "AI", Minutes: 3,
				Excerpt: "Tools & agents: a < b, c > d.",
			}),
		mk(2, "2026-11-23T00:00:00Z",
			digest.Item{
				Key: "path:Clippings/未来.md", Path: "Clippings/未来.md",
				Title: "未来十年的工作方式", Clipped: day("2026-11-20"), Tag: "未来趋势", Minutes: 12,
				Excerpt: "これからの十年、働き方はどう変わるのか。远程协作将成为常态。",
			}),
		mk(3, "2026-11-30T00:00:00Z",
			digest.Item{
				Key: "https://blog.example.net/post", Path: "Clippings/post.md",
				Title: "Agents in production", URL: "https://blog.example.net/post", Site: "blog.example.net",
				Clipped: day("2026-11-27"), Tag: "AI", Minutes: 5, Excerpt: "What broke, and what held.",
			},
			digest.Item{
				Key: "https://news.example.com/x", Path: "Clippings/x.md",
				Title: "人机协作的新范式", URL: "https://news.example.com/x", Site: "news.example.com",
				Authors: []string{"李四"}, Clipped: day("2026-11-26"), Tag: "未来趋势", Minutes: 4, Excerpt: "协作，而不是替代。",
			}),
	}
}

// builtFeeds is the three feeds of one build, by file name.
type builtFeeds map[string][]byte

func buildFeeds(t *testing.T, site digest.Site, issues []*digest.Issue, n int) builtFeeds {
	t.Helper()
	r, err := digest.NewRenderer(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Feeds(site, issues, n)
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

var feedNames = []string{digest.FeedRSS, digest.FeedAtom, digest.FeedJSON}

func TestFeedGolden(t *testing.T) {
	got := buildFeeds(t, feedSite, feedIssues(), 20)
	for _, name := range feedNames {
		golden := filepath.Join("testdata", "feeds", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run Feed -update)", err)
		}
		if !bytes.Equal(got[name], want) {
			t.Errorf("%s differs from %s (run go test -run Feed -update to accept):\n%s", name, golden, got[name])
		}
	}
}

// strictXML fails unless data is well-formed XML 1.0.
func strictXML(t *testing.T, name string, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", name, err)
		}
	}
}

// The shapes the validity tests read the feeds into.
type (
	atomDoc struct {
		XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
		Lang    string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID      string     `xml:"id"`
		Title   string     `xml:"title"`
		Updated string     `xml:"updated"`
		Author  *atomName  `xml:"author"`
		Links   []atomLink `xml:"link"`
		Entries []struct {
			ID        string     `xml:"id"`
			Title     string     `xml:"title"`
			Updated   string     `xml:"updated"`
			Published string     `xml:"published"`
			Links     []atomLink `xml:"link"`
			Content   struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	atomName struct {
		Name  string `xml:"name"`
		Email string `xml:"email"`
	}
	atomLink struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
	}
	rssDoc struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title string `xml:"title"`
			Links []struct {
				XMLName xml.Name
				Href    string `xml:"href,attr"`
				Rel     string `xml:"rel,attr"`
				Text    string `xml:",chardata"`
			} `xml:"link"` // the channel's link and atom:link rel="self"
			Description string `xml:"description"`
			Language    string `xml:"language"`
			Generator   string `xml:"generator"`
			Editor      string `xml:"managingEditor"`
			Items       []struct {
				Title string `xml:"title"`
				Link  string `xml:"link"`
				GUID  struct {
					ID          string `xml:",chardata"`
					IsPermaLink string `xml:"isPermaLink,attr"`
				} `xml:"guid"`
				PubDate string `xml:"pubDate"`
				Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	jsonDoc struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Language    string `json:"language"`
		Authors     []struct {
			Name string `json:"name"`
		} `json:"authors"`
		Items []struct {
			ID          string  `json:"id"`
			URL         string  `json:"url"`
			Title       string  `json:"title"`
			ContentHTML *string `json:"content_html"`
			Published   string  `json:"date_published"`
		} `json:"items"`
	}
)

func parseAtom(t *testing.T, data []byte) atomDoc {
	t.Helper()
	strictXML(t, digest.FeedAtom, data)
	var a atomDoc
	if err := xml.Unmarshal(data, &a); err != nil {
		t.Fatalf("atom: %v", err)
	}
	return a
}

func parseRSS(t *testing.T, data []byte) rssDoc {
	t.Helper()
	strictXML(t, digest.FeedRSS, data)
	var r rssDoc
	if err := xml.Unmarshal(data, &r); err != nil {
		t.Fatalf("rss: %v", err)
	}
	return r
}

func parseJSON(t *testing.T, data []byte) jsonDoc {
	t.Helper()
	var j jsonDoc
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&j); err != nil {
		t.Fatalf("json feed: %v", err)
	}
	return j
}

func TestFeedAtomRequired(t *testing.T) {
	a := parseAtom(t, buildFeeds(t, feedSite, feedIssues(), 20)[digest.FeedAtom])
	// RFC 4287 §4.1.1: feed id, title, updated; an author (entries have none of
	// their own, so the feed must); rel="self" is a SHOULD readers rely on.
	if a.ID != "https://digest.example.com/" {
		t.Errorf("feed id = %q", a.ID)
	}
	if a.Title != "Weekly Digest" {
		t.Errorf("feed title = %q", a.Title)
	}
	if a.Lang != "zh-CN" {
		t.Errorf("xml:lang = %q, want zh-CN", a.Lang)
	}
	if u, err := time.Parse(time.RFC3339, a.Updated); err != nil || !u.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("feed updated = %q (%v), want the newest cutoff", a.Updated, err)
	}
	if a.Author == nil || a.Author.Name != "Ada Lovelace" || a.Author.Email != "ada@example.com" {
		t.Errorf("feed author = %+v", a.Author)
	}
	links := map[string]atomLink{}
	for _, l := range a.Links {
		links[l.Rel] = l
	}
	if l := links["self"]; l.Href != "https://digest.example.com/atom.xml" || l.Type != "application/atom+xml" {
		t.Errorf("rel=self = %+v", l)
	}
	if l := links["alternate"]; l.Href != "https://digest.example.com/" {
		t.Errorf("rel=alternate = %+v", l)
	}
	if len(a.Entries) != 3 {
		t.Fatalf("got %d entries, want 3", len(a.Entries))
	}
	for i, e := range a.Entries {
		if e.ID == "" || e.Title == "" || e.Updated == "" {
			t.Errorf("entry %d lacks id, title or updated: %+v", i, e)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %d updated: %v", i, err)
		}
		if _, err := time.Parse(time.RFC3339, e.Published); err != nil {
			t.Errorf("entry %d published: %v", i, err)
		}
		if len(e.Links) == 0 || !strings.HasPrefix(e.Links[0].Href, "https://digest.example.com/issues/") || e.Links[0].Rel != "alternate" {
			t.Errorf("entry %d links = %+v", i, e.Links)
		}
		if e.Content.Type != "html" || !strings.Contains(e.Content.Body, "<h3>") {
			t.Errorf("entry %d content (%s) is not the issue's HTML: %.200q", i, e.Content.Type, e.Content.Body)
		}
	}
	if a.Entries[0].ID != "tag:digest.example.com,2026:issues/2026-W49" {
		t.Errorf("newest entry id = %q", a.Entries[0].ID)
	}
}

func TestFeedRSSRequired(t *testing.T) {
	r := parseRSS(t, buildFeeds(t, feedSite, feedIssues(), 20)[digest.FeedRSS])
	c := r.Channel
	var link, self []string
	for _, l := range c.Links {
		switch l.XMLName.Space {
		case "":
			link = append(link, l.Text)
		case "http://www.w3.org/2005/Atom":
			if l.Rel == "self" {
				self = append(self, l.Href)
			}
		}
	}
	if r.Version != "2.0" || c.Title != "Weekly Digest" || c.Description == "" {
		t.Errorf("channel: version %q title %q description %q", r.Version, c.Title, c.Description)
	}
	if len(link) != 1 || link[0] != "https://digest.example.com/" {
		t.Errorf("channel link = %q", link)
	}
	if c.Language != "zh-CN" || c.Generator != digest.Generator || c.Editor != "ada@example.com (Ada Lovelace)" {
		t.Errorf("channel: language %q generator %q managingEditor %q", c.Language, c.Generator, c.Editor)
	}
	if len(self) != 1 || self[0] != "https://digest.example.com/feed.xml" {
		t.Errorf("atom:link rel=self = %q", self)
	}
	if len(c.Items) != 3 {
		t.Fatalf("got %d items, want 3", len(c.Items))
	}
	for i, it := range c.Items {
		if !strings.HasPrefix(it.GUID.ID, "tag:digest.example.com,") || it.GUID.IsPermaLink != "false" {
			t.Errorf("item %d guid = %+v, want a tag URI with isPermaLink=false", i, it.GUID)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("item %d pubDate: %v", i, err)
		}
		if !strings.HasPrefix(it.Link, "https://") || !strings.Contains(it.Content, "<h3>") {
			t.Errorf("item %d: link %q, content:encoded %.100q", i, it.Link, it.Content)
		}
	}
}

func TestFeedJSONRequired(t *testing.T) {
	data := buildFeeds(t, feedSite, feedIssues(), 20)[digest.FeedJSON]
	j := parseJSON(t, data)
	if j.Version != "https://jsonfeed.org/version/1.1" || j.Title != "Weekly Digest" {
		t.Errorf("version %q title %q", j.Version, j.Title)
	}
	if j.HomePageURL != "https://digest.example.com/" || j.FeedURL != "https://digest.example.com/feed.json" || j.Language != "zh-CN" {
		t.Errorf("home_page_url %q feed_url %q language %q", j.HomePageURL, j.FeedURL, j.Language)
	}
	if len(j.Authors) != 1 || j.Authors[0].Name != "Ada Lovelace" {
		t.Errorf("authors = %+v", j.Authors)
	}
	if len(j.Items) != 3 {
		t.Fatalf("got %d items, want 3", len(j.Items))
	}
	for i, it := range j.Items {
		if it.ID == "" || it.ContentHTML == nil || !strings.Contains(*it.ContentHTML, "<h3>") {
			t.Errorf("item %d: id %q content_html %v", i, it.ID, it.ContentHTML)
		}
		if _, err := time.Parse(time.RFC3339, it.Published); err != nil {
			t.Errorf("item %d date_published: %v", i, err)
		}
	}

	// Before the first issue the feed still has its items array.
	empty := buildFeeds(t, feedSite, nil, 20)
	var raw map[string]any
	if err := json.Unmarshal(empty[digest.FeedJSON], &raw); err != nil {
		t.Fatal(err)
	}
	if items, ok := raw["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("empty feed: items = %#v, want []", raw["items"])
	}
	strictXML(t, "empty "+digest.FeedRSS, empty[digest.FeedRSS])
	if a := parseAtom(t, empty[digest.FeedAtom]); a.Updated == "" {
		t.Error("empty atom feed has no updated")
	}
}

// TestFeedRoundTrip reads the feeds back with a real feed parser.
func TestFeedRoundTrip(t *testing.T) {
	issues := feedIssues()
	got := buildFeeds(t, feedSite, issues, 20)
	for _, name := range feedNames {
		t.Run(name, func(t *testing.T) {
			f, err := gofeed.NewParser().Parse(bytes.NewReader(got[name]))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if f.Title != "Weekly Digest" || f.Link != "https://digest.example.com/" || f.Language != "zh-CN" {
				t.Errorf("feed title %q link %q language %q", f.Title, f.Link, f.Language)
			}
			if want := "https://digest.example.com/" + name; f.FeedLink != want {
				t.Errorf("feed link %q, want %q", f.FeedLink, want)
			}
			if len(f.Items) != len(issues) {
				t.Fatalf("got %d items, want %d", len(f.Items), len(issues))
			}
			for i, it := range f.Items {
				is := issues[len(issues)-1-i] // newest first
				if it.Title != is.Title {
					t.Errorf("item %d title %q, want %q", i, it.Title, is.Title)
				}
				if want := digest.FeedEntryID(feedSite, is); it.GUID != want {
					t.Errorf("item %d id %q, want %q", i, it.GUID, want)
				}
				if want := "https://digest.example.com/issues/" + is.ID + "/"; it.Link != want {
					t.Errorf("item %d link %q, want %q", i, it.Link, want)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(is.Cutoff) {
					t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, is.Cutoff)
				}
				for _, item := range is.Items {
					if !strings.Contains(it.Content, htmlText(item.Title)) {
						t.Errorf("item %d content lacks %q", i, item.Title)
					}
				}
			}
		})
	}
}

// htmlText is s as html/template writes it in text, after bluemonday.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestFeedLimit(t *testing.T) {
	got := buildFeeds(t, feedSite, feedIssues(), 2)
	a := parseAtom(t, got[digest.FeedAtom])
	if len(a.Entries) != 2 || !strings.HasSuffix(a.Entries[0].ID, "2026-W49") || !strings.HasSuffix(a.Entries[1].ID, "2026-W48") {
		t.Errorf("with 2 entries got %d, ids %+v", len(a.Entries), a.Entries)
	}
}

func TestFeedEntryID(t *testing.T) {
	is := &digest.Issue{ID: "2027-W01", Cutoff: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)}
	for _, tc := range []struct{ site, want string }{
		{"https://digest.example.com", "tag:digest.example.com,2027:issues/2027-W01"},
		{"http://Digest.Example.com:8080/", "tag:digest.example.com,2027:issues/2027-W01"},
		{"https://example.com/newsletter/ai", "tag:example.com,2027:newsletter/ai/issues/2027-W01"},
		{"http://[::1]:8080", "http://[::1]:8080/issues/2027-W01/"},
	} {
		if got := digest.FeedEntryID(digest.Site{URL: tc.site}, is); got != tc.want {
			t.Errorf("FeedEntryID(%q) = %q, want %q", tc.site, got, tc.want)
		}
	}
}

// feedIDs lists the entry ids of each feed.
func feedIDs(t *testing.T, got builtFeeds) map[string][]string {
	t.Helper()
	ids := map[string][]string{}
	for _, e := range parseAtom(t, got[digest.FeedAtom]).Entries {
		ids[digest.FeedAtom] = append(ids[digest.FeedAtom], e.ID)
	}
	for _, it := range parseRSS(t, got[digest.FeedRSS]).Channel.Items {
		ids[digest.FeedRSS] = append(ids[digest.FeedRSS], it.GUID.ID)
	}
	for _, it := range parseJSON(t, got[digest.FeedJSON]).Items {
		ids[digest.FeedJSON] = append(ids[digest.FeedJSON], it.ID)
	}
	return ids
}

func sameIDs(t *testing.T, what string, a, b map[string][]string) {
	t.Helper()
	for _, name := range feedNames {
		if strings.Join(a[name], " ") != strings.Join(b[name], " ") {
			t.Errorf("%s: %s ids changed:\n was %q\n now %q", what, name, a[name], b[name])
		}
	}
}

// TestFeedIDsStable: ids come from the site URL and the issue id only, so a
// rebuild, a clipping edited after the issue, or a newer issue pushing older
// ones down changes none of them.
func TestFeedIDsStable(t *testing.T) {
	first := buildFeeds(t, feedSite, feedIssues(), 20)
	ids := feedIDs(t, first)
	want := []string{
		"tag:digest.example.com,2026:issues/2026-W49",
		"tag:digest.example.com,2026:issues/2026-W48",
		"tag:digest.example.com,2026:issues/2026-W47",
	}
	for _, name := range feedNames {
		if strings.Join(ids[name], " ") != strings.Join(want, " ") {
			t.Errorf("%s ids = %q, want %q", name, ids[name], want)
		}
	}

	again := buildFeeds(t, feedSite, feedIssues(), 20)
	for _, name := range feedNames {
		if !bytes.Equal(first[name], again[name]) {
			t.Errorf("%s: a rebuild changed the feed", name)
		}
	}

	edited := feedIssues()
	for _, is := range edited {
		for i := range is.Items {
			it := &is.Items[i]
			it.Title += " (edited)"
			it.Excerpt = "rewritten"
			it.URL += "#moved"
			it.Clipped = it.Clipped.Add(time.Hour)
		}
	}
	sameIDs(t, "edited items", ids, feedIDs(t, buildFeeds(t, feedSite, edited, 20)))

	newer := append(feedIssues(), &digest.Issue{
		ID: "2026-W50", Number: 4, Title: "Weekly Digest #4 · 2026-W50",
		Cutoff: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
		Items:  []digest.Item{{Title: "x", Tag: "AI", Clipped: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}},
	})
	later := feedIDs(t, buildFeeds(t, feedSite, newer, 20))
	for _, name := range feedNames {
		later[name] = later[name][1:]
	}
	sameIDs(t, "a newer issue", ids, later)
}

// TestFeedFromStore: the feeds are rendered from the stored snapshot and come
// out the same from a reopened store as from the issues that were saved.
func TestFeedFromStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range feedIssues() {
		if err := st.SaveIssue(ctx, is, is.Cutoff); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, err := st.Issues(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := buildFeeds(t, feedSite, feedIssues(), 20)
	got := buildFeeds(t, feedSite, stored, 20)
	for _, name := range feedNames {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s from the store differs from the saved issues:\n%s", name, got[name])
		}
	}
}

// hostileIssue carries what clippings from the web can: control characters,
// CDATA terminators, markup and script in every field, broken UTF-8, a
// 10,000-character title, plus CJK and emoji that must survive.
func hostileIssue() *digest.Issue {
	long := strings.Repeat("长", 5000) + strings.Repeat("x", 5000)
	cutoff := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	return &digest.Issue{
		ID: "2026-W49", Number: 9, Title: "Digest ]]> #9 \x00\x1b & <b>bold</b>",
		Since: cutoff.AddDate(0, 0, -7), Cutoff: cutoff,
		Items: []digest.Item{
			{
				Title:   "<script>alert(1)</script>]]><![CDATA[ \x01\x02\x08\x0b\x0c\x1f\x7f\u0085\ufffe\uffff 中文 🚀",
				URL:     "javascript:alert(1)",
				Site:    "evil\x00.example",
				Authors: []string{"<img src=x onerror=alert(1)>", "\x07bell"},
				Tag:     "AI<script>", Minutes: 1, Clipped: cutoff.AddDate(0, 0, -1),
				Excerpt: "<div><p>unbalanced <b>html <a href=\"javascript:alert(1)\" onclick=\"x()\">link</a> <style>body{display:none}</style>]]>\xff\xfe broken utf-8 日本語 😀",
			},
			{
				Title: long, URL: "https://example.com/a?x=1&y=<2>\"'", Site: "example.com",
				Tag: "AI", Minutes: 2, Clipped: cutoff.AddDate(0, 0, -2),
				Excerpt: "]]>]]]]>><![CDATA[&amp;&lt;",
			},
			{
				Title: "data URL", URL: "https://example.com/\" onmouseover=\"alert(1)", Tag: "未来趋势",
				Clipped: cutoff.AddDate(0, 0, -3), Excerpt: "<svg onload=alert(1)>",
			},
		},
	}
}

func TestFeedHostile(t *testing.T) {
	site := feedSite
	site.Title = "Digest\x0b & <Co> ]]>"
	site.Author = "Eve\x00 <eve>"
	got := buildFeeds(t, site, append(feedIssues()[:1], hostileIssue()), 20)

	for _, name := range feedNames {
		data := got[name]
		if !strings.Contains(string(data), "🚀") || !strings.Contains(string(data), "日本語") || !strings.Contains(string(data), "中文") {
			t.Errorf("%s lost CJK or emoji", name)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: gofeed: %v", name, err)
		}
		if len(f.Items) != 2 {
			t.Fatalf("%s: got %d items, want 2", name, len(f.Items))
		}
		for _, it := range f.Items {
			checkSafeHTML(t, name, it.Content)
		}
		if !strings.Contains(f.Items[0].Content, strings.Repeat("长", 5000)) {
			t.Errorf("%s: the 10,000-character title did not survive", name)
		}
	}
	parseAtom(t, got[digest.FeedAtom])
	parseRSS(t, got[digest.FeedRSS])
	if !json.Valid(got[digest.FeedJSON]) {
		t.Errorf("%s is not valid JSON", digest.FeedJSON)
	}
	for _, name := range feedNames {
		for _, c := range []string{"\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\u0085", "\ufffe", "\uffff"} {
			if bytes.Contains(got[name], []byte(c)) {
				t.Errorf("%s contains control character %q", name, c)
			}
		}
	}
	pythonFeedparser(t, got)
}

// checkSafeHTML fails when an entry's HTML could run script or restyle the
// reader: script-like elements, on* handlers, style, non-web URLs.
func checkSafeHTML(t *testing.T, name, s string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "svg", "math", "form", "link", "meta", "base":
			t.Errorf("%s: <%s> in entry HTML", name, tok.Data)
		}
		for _, a := range tok.Attr {
			k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(k, "on") || k == "style" || k == "class" {
				t.Errorf("%s: attribute %s=%q on <%s>", name, a.Key, a.Val, tok.Data)
			}
			if (k == "href" || k == "src") && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				t.Errorf("%s: %s=%q on <%s> is not an absolute web URL", name, a.Key, a.Val, tok.Data)
			}
			if strings.Contains(v, "javascript:") {
				t.Errorf("%s: javascript: in %s=%q", name, a.Key, a.Val)
			}
		}
	}
}

func TestFeedPythonFeedparser(t *testing.T) {
	pythonFeedparser(t, buildFeeds(t, feedSite, feedIssues(), 20))
}

// pythonFeedparser runs Debian's python3-feedparser, the parser behind many
// readers, over the RSS and Atom feeds and requires it to report no error
// (bozo 0). Debian's feedparser 6.0 does not read JSON Feed; gofeed does.
func pythonFeedparser(t *testing.T, got builtFeeds) {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
		t.Skipf("%s with feedparser is not installed (apt install python3-feedparser): %v", python, err)
	}
	dir := t.TempDir()
	xmlFeeds := []string{digest.FeedRSS, digest.FeedAtom}
	var paths []string
	for _, name := range xmlFeeds {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, got[name], 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	const script = `
import json, sys, feedparser
out = []
for p in sys.argv[1:]:
    d = feedparser.parse(p)
    out.append({"bozo": int(bool(d.bozo)), "error": str(d.get("bozo_exception", "")), "version": d.version,
                "ids": [e.get("id", "") for e in d.entries]})
print(json.dumps(out))
`
	cmd := exec.Command(python, append([]string{"-c", script}, paths...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("feedparser: %v", err)
	}
	var res []struct {
		Bozo    int      `json:"bozo"`
		Error   string   `json:"error"`
		Version string   `json:"version"`
		IDs     []string `json:"ids"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("feedparser output %q: %v", out, err)
	}
	for i, r := range res {
		if r.Bozo != 0 {
			t.Errorf("feedparser: %s: bozo: %s", xmlFeeds[i], r.Error)
		}
		if r.Version == "" || len(r.IDs) == 0 || !strings.HasPrefix(r.IDs[0], "tag:") {
			t.Errorf("feedparser: %s: version %q ids %q", xmlFeeds[i], r.Version, r.IDs)
		}
	}
}

// TestFeedTemplateOverride: a feed_item.html from the templates folder that
// tries script, handlers, styles or relative URLs still cannot get them into
// a feed.
func TestFeedTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	const evil = `<script>alert(1)</script><style>p{color:red}</style>
<p style="color:red" class="x" onclick="alert(1)">{{.Issue.Title}}</p>
<a href="javascript:alert(1)">js</a> <a href="/relative">rel</a> <img src="x.png" onerror="alert(1)">
<iframe src="https://evil.example/"></iframe><a href="{{.Canonical}}">ok</a>`
	if err := os.WriteFile(filepath.Join(dir, "feed_item.html"), []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := templates.Overlay(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := digest.NewRenderer(fsys)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Feeds(feedSite, feedIssues(), 20)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	j := parseJSON(t, buf.Bytes())
	for _, it := range j.Items {
		checkSafeHTML(t, "override", *it.ContentHTML)
		if !strings.Contains(*it.ContentHTML, `<a href="`+it.URL+`">ok</a>`) {
			t.Errorf("the safe link did not survive: %s", *it.ContentHTML)
		}
	}
}
