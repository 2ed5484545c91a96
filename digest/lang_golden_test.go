package digest_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/templates"
)

// langIssue is an issue with an item in each of Japanese, Simplified
// Chinese and English, under a tag with a display title.
func langIssue() *digest.Issue {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	return &digest.Issue{
		ID: "2026-W49", Number: 3, Title: "Clippings 第 3 期", Cutoff: at, Published: at, Updated: at,
		Items: []digest.Item{
			{Key: "a", Title: "これからの働き方", URL: "https://example.jp/work", Site: "example.jp", Authors: []string{"山田太郎"},
				Clipped: at.AddDate(0, 0, -1), Tag: "未来趋势", Minutes: 4, Lang: "ja",
				Excerpt: "これからの十年、働き方はどう変わるのか。在宅勤務が当たり前になる。"},
			{Key: "b", Title: "个体创新价值消亡论", URL: "https://x.com/python_xxt/status/1", Site: "x.com", Authors: []string{"@python_xxt"},
				Clipped: at.AddDate(0, 0, -2), Tag: "未来趋势", Minutes: 5, Lang: "zh-Hans",
				Excerpt: "个体可以利用AI提升自身价值，但如果不能形成组织能力，个体的市场价值仍然会趋近于零。"},
			{Key: "c", Title: "Agents in production", URL: "https://blog.example.net/post", Site: "blog.example.net",
				Clipped: at.AddDate(0, 0, -3), Tag: "AI", Minutes: 1, Lang: "en",
				Excerpt: "What broke, and what held."},
		},
	}
}

// TestLangGolden renders an issue page for a site in each catalogue
// language into testdata/html/lang: the words around the items, the dates,
// the font stacks and each item's lang; go test -run LangGolden -update
// rewrites them.
func TestLangGolden(t *testing.T) {
	r, err := digest.NewRenderer(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			site := digest.Site{Title: "Clippings", URL: "https://digest.example.com", Author: "Ada", Language: lang,
				TagTitles: map[string]string{"未来趋势": "未来趋势观察"}}
			var b bytes.Buffer
			if err := r.IssuePage(&b, site, langIssue()); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, want := range []string{`<article class="item" lang="ja">`, `<article class="item" lang="zh-Hans">`, `<h2>未来趋势观察</h2>`} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			checkGolden(t, filepath.Join("testdata", "html", "lang", lang+".html"), b.Bytes())
		})
	}
}
