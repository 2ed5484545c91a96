package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/templates"
)

// TestLangGolden composes an issue with a Japanese, a Chinese and an
// English item for a list in each of zh-CN, ja and en, and compares the
// HTML part with testdata/html/<lang>.html: the words around the items,
// the dates, the greeting, and each item's lang and font stack.
func TestLangGolden(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	is := &digest.Issue{
		ID: "2026-W49", Number: 3, Title: "Clippings 第 3 期", Cutoff: at, Published: at,
		Items: []digest.Item{
			{Key: "a", Title: "これからの働き方", URL: "https://example.jp/work", Site: "example.jp", Authors: []string{"山田太郎"},
				Clipped: at.AddDate(0, 0, -1), Tag: "未来趋势", Minutes: 4, Lang: "ja",
				Excerpt: "これからの十年、働き方はどう変わるのか。在宅勤務が当たり前になる。"},
			{Key: "b", Title: "个体创新价值消亡论", URL: "https://x.com/python_xxt/status/1", Site: "x.com", Authors: []string{"@python_xxt"},
				Clipped: at.AddDate(0, 0, -2), Tag: "未来趋势", Minutes: 5, Lang: "zh-Hans",
				Excerpt: "个体可以利用AI提升自身价值，但如果不能形成组织能力，个体的市场价值仍然会趋近于零。"},
			{Key: "c", Title: "Agents in production", URL: "https://blog.example.net/post", Site: "blog.example.net",
				Clipped: at.AddDate(0, 0, -3), Tag: "AI", Minutes: 1, Lang: "en", Excerpt: "What broke, and what held."},
		},
	}
	for _, lang := range []string{"zh-CN", "ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			site := digest.Site{Title: "Clippings", URL: "https://digest.example.com", Author: "Ada", Language: lang,
				TagTitles: map[string]string{"未来趋势": "未来趋势观察"}}
			c, err := NewComposer(is, ComposerOptions{Site: site, From: "Clippings <digest@example.com>", Secret: testSecret,
				Templates: templates.Default, Date: at})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.Compose(digest.Subscriber{Email: "yamada@example.jp", Name: "山田", Status: digest.StatusActive})
			if err != nil {
				t.Fatal(err)
			}
			html := m.HTML()
			for _, want := range []string{`lang="ja"`, `Yu Gothic`, `未来趋势观察`} {
				if !strings.Contains(html, want) {
					t.Errorf("HTML part lacks %s", want)
				}
			}
			golden := filepath.Join("testdata", "html", lang+".html")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(html), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run LangGolden -update to create it)", err)
			}
			if html != string(want) {
				t.Errorf("HTML part differs from %s (run go test -run LangGolden -update and read the diff)", golden)
			}
		})
	}
}
