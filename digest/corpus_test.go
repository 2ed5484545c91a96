package digest_test

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/text"
	"github.com/digest-newsletter/digest/digest/vault"
)

// corpusItems reads every note of the shared corpus (real and seed) and
// makes each the item an issue would show, as a build does: descriptions
// shared by clippings of different pages are judged over the whole set.
func corpusItems(tb testing.TB) ([]*digest.Clip, []digest.Item) {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("no corpus: looked for %s (relative to digest/)", dir)
	}
	var clips []*digest.Clip
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		c, err := vault.Parse(filepath.ToSlash(rel), data, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
		if err != nil {
			tb.Logf("%v", err)
			return nil
		}
		clips = append(clips, c)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	slices.SortFunc(clips, func(a, b *digest.Clip) int { return strings.Compare(a.Path, b.Path) })
	shared := digest.SharedDescriptions(clips)
	items := make([]digest.Item, len(clips))
	for i, c := range clips {
		items[i] = digest.NewItem(c, "AI", digest.DefaultConfig().Excerpt, shared)
	}
	return clips, items
}

// TestCorpusItems is the golden file of what an issue shows of every note
// of the corpus: read line by line by an editor, it changes only on purpose.
func TestCorpusItems(t *testing.T) {
	_, items := corpusItems(t)
	var b bytes.Buffer
	for _, it := range items {
		fmt.Fprintf(&b, "== %s\ntitle:   %s\nauthor:  %s\nsite:    %s\nurl:     %s\nlang:    %s · %d min\nexcerpt: %s\n\n",
			it.Path, it.Title, strings.Join(it.Authors, " | "), it.Site, it.URL, it.Lang, it.Minutes, it.Excerpt)
	}
	golden(t, filepath.Join("testdata", "corpus", "items.txt"), b.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -run %s -update and read the diff)", name, t.Name())
	}
}

// The defect classes of issue 12, as an editor would count them.
var (
	placeholderTitle = regexp.MustCompile(`(?i)^(chatgpt|claude|gemini|untitled|无标题|無題|new tab|introduction\.html|index\.html?)$`)
	inboxCounter     = regexp.MustCompile(`\(\d+\s*封私信|\d+\s*条消息\)`)
	invisible        = regexp.MustCompile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00a0]")
	badAuthor        = regexp.MustCompile(`(?i)https?://|www\.|\S+@\S+\.\w|^(unknown|admin|anonymous|null|none|\[\[unknown\]\])$|^(home|menu|sign in|log in|login|subscribe|share|follow|search)$`)
	tracking         = regexp.MustCompile(`[?&](utm_[a-z]+|fbclid|gclid|spm|mc_cid|mc_eid)=`)
	label            = regexp.MustCompile(`^(?i:summary|abstract|tl;dr|tldr|note|update|概要|摘要|要約|总结|更新)\s*[:：]`)
	banner           = regexp.MustCompile(`(?i)^(you're reading|you are reading|this (page|article|document) (is|was|has)|この記事は最終更新日から|published|posted|updated|last updated|photo|image|figure|图|圖)`)
	sentenceEnd      = regexp.MustCompile(`[。！？!?]|\.(\s|$)`)
)

// defects classifies what an editor would not sign in an item.
func defects(c *digest.Clip, it digest.Item, shared map[string]int) []string {
	var d []string
	add := func(s string) { d = append(d, s) }
	desc := strings.TrimSpace(c.Description)
	plainDesc := strings.Join(strings.Fields(text.PlainText([]byte(desc))), " ")
	fromDesc := desc != "" && it.Excerpt != "" && strings.HasPrefix(plainDesc, strings.TrimSuffix(it.Excerpt, "…"))
	// Excerpts.
	if fromDesc {
		switch {
		case shared[desc] > 1:
			add("excerpt: generic description")
		case (strings.HasSuffix(desc, "…") || strings.HasSuffix(desc, "...")) && !sentenceEnd.MatchString(strings.TrimSuffix(it.Excerpt, "…")[max(0, len(strings.TrimSuffix(it.Excerpt, "…"))-4):]):
			add("excerpt: description truncated by the source")
		case text.DisplayWidth(desc) < 20:
			add("excerpt: thin tagline")
		}
	}
	if it.Excerpt != "" && text.DisplayWidth(it.Excerpt) < 20 {
		add("excerpt: under 20 columns")
	}
	if label.MatchString(it.Excerpt) {
		add("excerpt: label kept")
	}
	if banner.MatchString(it.Excerpt) {
		add("excerpt: banner, date line or caption")
	}
	if strings.HasSuffix(it.Excerpt, "…") {
		cut := strings.TrimSuffix(it.Excerpt, "…")
		w := text.DisplayWidth(cut)
		if !sentenceEnd.MatchString(cut[len(cut)-min(len(cut), 4):]) {
			// A sentence end in the second half was passed over.
			for _, loc := range sentenceEnd.FindAllStringIndex(cut, -1) {
				if text.DisplayWidth(cut[:loc[1]]) >= w*4/10 {
					add("excerpt: cut misses a sentence end")
					break
				}
			}
		}
	}
	if it.Excerpt == "" {
		add("excerpt: none")
	}
	// Titles.
	switch {
	case strings.Contains(it.Title, "**") || strings.HasPrefix(it.Title, "#"):
		add("title: markup")
	case invisible.MatchString(it.Title) || strings.Contains(it.Title, "  "):
		add("title: invisible characters")
	case inboxCounter.MatchString(it.Title):
		add("title: inbox counter")
	case placeholderTitle.MatchString(strings.TrimSpace(it.Title)):
		add("title: placeholder")
	}
	// Attribution.
	for _, a := range it.Authors {
		if badAuthor.MatchString(strings.TrimSpace(a)) {
			add("author: not a name")
			break
		}
	}
	if it.Site != "" && !strings.Contains(it.Site, ".") {
		add("site: broken host")
	}
	if it.Site != "" && slices.Contains(it.Authors, it.Site) {
		add("site: shown twice")
	}
	if tracking.MatchString(it.URL) {
		add("url: tracking parameters")
	}
	// Reading time and language.
	if it.Minutes <= 0 && strings.TrimSpace(text.Prose(c.Body)) != "" {
		add("minutes: 0 for a note with prose")
	}
	if it.Lang == "" && utf8.RuneCount(bytes.TrimSpace(c.Body)) > 0 {
		add("lang: none")
	}
	return d
}

// TestCorpusDefects counts the defect classes of issue 12 over the corpus,
// and fails when one comes back.
func TestCorpusDefects(t *testing.T) {
	clips, items := corpusItems(t)
	shared := map[string]int{}
	pages := map[string]map[string]bool{}
	for _, c := range clips {
		if d := strings.TrimSpace(c.Description); d != "" {
			if pages[d] == nil {
				pages[d] = map[string]bool{}
			}
			pages[d][digest.ClipKey(c)] = true
			shared[d] = len(pages[d])
		}
	}
	counts := map[string]int{}
	var classes []string
	bad := 0
	for i, c := range clips {
		ds := defects(c, items[i], shared)
		if len(ds) > 0 {
			bad++
		}
		for _, d := range ds {
			if counts[d] == 0 {
				classes = append(classes, d)
			}
			counts[d]++
			if testing.Verbose() {
				t.Logf("%s: %s", c.Path, d)
			}
		}
	}
	slices.Sort(classes)
	for _, cl := range classes {
		t.Logf("%3d  %s", counts[cl], cl)
	}
	t.Logf("%d of %d items with a defect", bad, len(items))
	for _, cl := range classes {
		if allowed := allowedDefects[cl]; counts[cl] > allowed {
			t.Errorf("%s: %d items, want at most %d", cl, counts[cl], allowed)
		}
	}
}

// allowedDefects are the defects left in the corpus, reviewed one by one:
// seven notes have no prose at all (an empty file, a PDF stub, a list of
// links, a video embed, a prompt in a code block), and "Untitled" clips a
// PDF whose file name is "Untitled" too and whose body has no heading.
var allowedDefects = map[string]int{
	"excerpt: none":      7,
	"title: placeholder": 1,
}

func TestNewItem(t *testing.T) {
	c := &digest.Clip{
		Path:        "Clippings/ChatGPT.md",
		Title:       "ChatGPT",
		Source:      "https://www.example.org/post?id=7&utm_source=x&fbclid=abc&spm=a.b",
		Authors:     []string{"unknown", "Jane Doe", "https://example.org/jane.png", "example"},
		Description: "残忍但真实",
		Body:        []byte("# これからの働き方\n\n![](cover.png)\n\nA cover image caption.\n\nこれからの十年、働き方はどう変わるのか。在宅勤務が当たり前になる。\n\n```\ncode is not read\n```\n"),
	}
	it := digest.NewItem(c, "AI", 240, nil)
	want := digest.Item{
		Key: digest.ClipKey(c), Path: c.Path, Title: "これからの働き方", Tag: "AI",
		URL: "https://www.example.org/post?id=7", Site: "example.org", Authors: []string{"Jane Doe"},
		Minutes: 1, Excerpt: "これからの十年、働き方はどう変わるのか。在宅勤務が当たり前になる。", Lang: "ja",
	}
	if fmt.Sprint(it) != fmt.Sprint(want) {
		t.Errorf("NewItem:\ngot  %+v\nwant %+v", it, want)
	}
	shared := digest.SharedDescriptions([]*digest.Clip{
		{Path: "a.md", Source: "https://chatgpt.com/c/1", Description: "ChatGPT helps you get answers."},
		{Path: "b.md", Source: "https://chatgpt.com/c/2", Description: "ChatGPT helps you get answers."},
		{Path: "c.md", Source: "https://x.example/p", Description: "Its own."},
		{Path: "d.md", Source: "https://x.example/p/", Description: "Its own."},
	})
	if !shared["ChatGPT helps you get answers."] || shared["Its own."] {
		t.Errorf("SharedDescriptions = %v, want only the blurb of two pages", shared)
	}
}

// BenchmarkNewItem makes every corpus note an item, as a build does.
func BenchmarkNewItem(b *testing.B) {
	clips, _ := corpusItems(b)
	shared := digest.SharedDescriptions(clips)
	b.ResetTimer()
	for range b.N {
		for _, c := range clips {
			digest.NewItem(c, "AI", 240, shared)
		}
	}
}
