package digest

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/templates"
)

func TestUILang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"zh", LangZhCN}, {"zh-CN", LangZhCN}, {"zh-Hans", LangZhCN}, {"zh_SG", LangZhCN},
		{"zh-TW", LangZhTW}, {"zh_tw", LangZhTW}, {"ZH-Hant", LangZhTW}, {"zh-Hant-HK", LangZhTW}, {"zh-HK", LangZhTW},
		{"ja", LangJA}, {"ja-JP", LangJA},
		{"en", LangEN}, {"en-GB", LangEN}, {"fr", LangEN}, {"zhx", LangEN}, {"jav", LangEN}, {"", LangEN},
	}
	for _, tt := range tests {
		if got := UILang(tt.in); got != tt.want {
			t.Errorf("UILang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCatalogComplete checks that every word has every language, and that
// every key the templates ask for is in the catalogue.
func TestCatalogComplete(t *testing.T) {
	for key, m := range catalog {
		if strings.HasSuffix(key, ".one") {
			continue
		}
		for _, lang := range []string{LangEN, LangZhCN, LangZhTW, LangJA} {
			f := m.in(lang)
			if f == "" {
				t.Errorf("%s has no %s", key, lang)
			}
			if strings.Count(f, "%") != strings.Count(m.en, "%") {
				t.Errorf("%s in %s has other arguments than in en: %q, %q", key, lang, f, m.en)
			}
		}
	}
	use := regexp.MustCompile(`\{\{-?\s*\(?\s*(?:t|th)\s+"([^"]+)"|\((?:t|th)\s+"([^"]+)"`)
	err := fs.WalkDir(templates.Default, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := fs.ReadFile(templates.Default, path)
		if err != nil {
			return err
		}
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			if _, ok := catalog[key]; !ok {
				t.Errorf("%s: key %q is not in the catalogue", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCatalogWords(t *testing.T) {
	day := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct{ got, want string }{
		{T(LangEN, "clippings", 1), "1 clipping"},
		{T(LangEN, "clippings", 3), "3 clippings"},
		{T(LangZhCN, "clippings", 1), "1 篇剪藏"},
		{T(LangJA, "clippings", 3), "3 件のクリップ"},
		{T(LangZhTW, "minutes", 6), "6 分鐘"},
		{T(LangEN, "no such key", 2), "no such key 2"},
		{Day(LangEN, day), "December 1, 2026"},
		{Day(LangJA, day), "2026年12月1日"},
		{IssueTitle(Site{Title: "剪藏周报", Language: "zh-CN"}, 3, day), "剪藏周报 第 3 期 · 12 月 1 日"},
		{IssueTitle(Site{Title: "週刊", Language: "ja"}, 3, day), "週刊 第3号 · 12月1日"},
		{IssueTitle(Site{Title: "Weekly", Language: "en"}, 3, day), "Weekly #3 · December 1"},
		{string(THTML(LangEN, "because", "a<b@x.example", Link("https://x.example/", "T&T"))),
			`You are receiving this because a&lt;b@x.example subscribed to <a href="https://x.example/">T&amp;T</a>.`},
		{string(Link("javascript:alert(1)", "x")), `<a href="#ZgotmplZ">x</a>`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestFontStack(t *testing.T) {
	for _, tt := range []struct{ lang, first string }{
		{"ja", `"Hiragino Sans"`}, {"ja-JP", `"Hiragino Sans"`}, {"zh-Hant", `"PingFang TC"`},
		{"zh-TW", `"PingFang TC"`}, {"zh-Hans", `"PingFang SC"`}, {"zh-CN", `"PingFang SC"`},
		{"ko", `"Apple SD Gothic Neo"`}, {"en", `"PingFang SC"`},
	} {
		s := FontStack(tt.lang)
		cjk := strings.TrimPrefix(s, latinFonts+", ")
		if !strings.HasPrefix(cjk, tt.first) {
			t.Errorf("FontStack(%q) = %s, want its CJK fonts to start with %s", tt.lang, s, tt.first)
		}
	}
	if ja := FontStack("ja"); !strings.Contains(ja, `"Yu Gothic"`) || !strings.Contains(ja, "Meiryo") || strings.Contains(ja, " SC") {
		t.Errorf("the Japanese stack lacks Yu Gothic or Meiryo, or has Chinese fonts: %s", ja)
	}
}
