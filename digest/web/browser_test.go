package web_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/internal/browsertest"
	"github.com/digest-newsletter/digest/digest/web"
	"github.com/digest-newsletter/digest/templates"
)

// browserIssue is an issue made to stress a narrow screen: long titles,
// unbroken Latin and CJK runs, a long URL.
func browserIssue(at time.Time) *digest.Issue {
	return &digest.Issue{
		ID: "2026-W49", Number: 2, Title: "Weekly Digest #2 · 2026-W49",
		Since: at.AddDate(0, 0, -7), Cutoff: at,
		Items: []digest.Item{
			{Key: "https://mp.weixin.qq.com/s/a", Path: "Clippings/十年后的城市.md", Title: "十年后的城市会是什么样？人工智能如何重塑我们的街道、交通与每一个普通人的日常生活",
				URL: "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-very-long-path-segment", Site: "mp.weixin.qq.com",
				Authors: []string{"python_xxt"}, Clipped: at.Add(-time.Hour), Tag: "AI", Minutes: 7, Lang: "zh-Hans",
				Excerpt: "当大模型成为基础设施，城市的运转方式会发生怎样的变化？从交通调度到公共服务，每一个环节都在被重新设计。这篇文章梳理了十个正在发生的趋势。"},
			{Key: "https://example.org/b", Path: "Clippings/agents.md", Title: "Supercalifragilisticexpialidocious-agents-and-the-extraordinarily-long-unbreakable-identifiers",
				URL: "https://example.org/b", Site: "example.org", Authors: []string{"Jane Doe", "李雷"},
				Clipped: at.Add(-2 * time.Hour), Tag: "AI", Minutes: 4, Lang: "en",
				Excerpt: "What changes when software acts on your behalf: https://example.org/a/really/long/link/that/should/wrap/instead/of/scrolling/the/page/sideways/0123456789."},
			{Key: "https://example.jp/c", Path: "Clippings/未来.md", Title: "これからの働き方：個人の価値はどう変わるのか", URL: "https://example.jp/c", Site: "example.jp",
				Clipped: at.Add(-3 * time.Hour), Tag: "未来趋势", Minutes: 3, Lang: "ja", Excerpt: "個人の価値、創造性、そして学び続けること。"},
		},
	}
}

// publishForBrowser writes the archive, the issue page and the email HTML
// of browserIssue into the served folder, rendered by the real templates.
func publishForBrowser(t *testing.T, e *env) (issuePath string) {
	t.Helper()
	at := e.Clock.Now()
	is := browserIssue(at)
	site := e.Site
	r, err := digest.NewRenderer(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, render func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			t.Fatalf("render %s: %v", name, err)
		}
		p := filepath.Join(e.Out, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	older := &digest.Issue{ID: "2026-W48", Number: 1, Title: "Weekly Digest #1 · 2026-W48", Cutoff: at.AddDate(0, 0, -7), Items: is.Items[2:]}
	write("index.html", func(b *bytes.Buffer) error { return r.Index(b, site, []*digest.Issue{is, older}) })
	write(is.Path()+"index.html", func(b *bytes.Buffer) error { return r.IssuePage(b, site, is) })
	c, err := email.NewComposer(is, email.ComposerOptions{Site: site, From: "剪藏周报 <digest@example.com>", Secret: secret, Templates: templates.Default, Date: at})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Compose(digest.Subscriber{Email: "li.lei@example.cn", Name: "李雷", Status: digest.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	write("email-preview.html", func(buf *bytes.Buffer) error { _, err := buf.WriteString(m.HTML()); return err })
	return "/" + is.Path()
}

func TestBrowserLayout(t *testing.T) {
	ctx := browsertest.Start(t)
	e := start(t, func(o *web.Options) { o.Site.Title, o.Site.Language = "剪藏周报 Weekly Digest", "zh-CN" })
	issuePath := publishForBrowser(t, e)
	dir := browsertest.Artifacts(t)
	pages := []struct {
		name, path string
		want       []string // text the page must show
	}{
		{"archive", "/", []string{"Weekly Digest #2", "订阅"}},
		{"issue", issuePath, []string{"十年后的城市", "Supercalifragilisticexpialidocious", "これからの働き方"}},
		{"email", "/email-preview.html", []string{"十年后的城市", "你好，李雷"}},
		{"unsubscribe", "/unsubscribe?t=" + unsubToken(e, "a.very.long.address.for.a.narrow.screen@subdomain.example.com"), []string{"a.very.long.address.for.a.narrow.screen@subdomain.example.com", "退订"}},
	}
	for _, width := range []int64{375, 1280} {
		for _, p := range pages {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 800),
				chromedp.Navigate(e.URL+p.path),
				chromedp.WaitReady(chromedp.CSS("body")),
			)
			if err != nil {
				t.Fatalf("%s at %d px: %v", p.name, width, err)
			}
			scrollWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			if err != nil {
				t.Fatal(err)
			}
			innerWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			if err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, fmt.Sprintf("%s-%d.png", p.name, width))
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			if innerWidth != width {
				t.Errorf("%s: innerWidth %d, want the emulated %d", p.name, innerWidth, width)
			}
			if scrollWidth > innerWidth {
				t.Errorf("%s at %d px scrolls sideways: scrollWidth %d > innerWidth %d (see %s)", p.name, width, scrollWidth, innerWidth, name)
			}
			for _, w := range p.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s at %d px does not show %q (see %s)", p.name, width, w, name)
				}
			}
		}
	}
	t.Logf("screenshots in %s", dir)
}

func TestBrowserUnsubscribeButton(t *testing.T) {
	ctx := browsertest.Start(t)
	e := start(t)
	dir := browsertest.Artifacts(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(e.URL+"/unsubscribe?t="+unsubToken(e, "ann@example.com")),
		chromedp.WaitVisible(chromedp.ID("unsubscribe")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := suppressions(t, e.Store); len(got) != 0 {
		t.Fatalf("opening the page unsubscribed: %v", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("unsubscribe")),
		chromedp.WaitNotPresent(chromedp.ID("unsubscribe")),
		chromedp.WaitReady(chromedp.CSS("h1")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "unsubscribed-375.png"), png, 0o644)
	if !strings.Contains(text, "unsubscribed") {
		t.Errorf("after the click the page says %q", text)
	}
	if got := suppressions(t, e.Store); fmt.Sprint(got) != "[ann@example.com/unsubscribed]" {
		t.Errorf("suppressions after the click: %v", got)
	}
}

// TestBrowserJapaneseItem opens the issue page and the email of a Chinese
// site in Chromium and checks that the Japanese item is marked lang="ja"
// and drawn with the Japanese font stack, so that its kanji take Japanese
// shapes, while the Chinese item keeps the Simplified Chinese stack.
func TestBrowserJapaneseItem(t *testing.T) {
	ctx := browsertest.Start(t)
	e := start(t, func(o *web.Options) { o.Site.Title, o.Site.Language = "剪藏周报", "zh-CN" })
	issuePath := publishForBrowser(t, e)
	const probe = `(title) => {
		const h = [...document.querySelectorAll('h3')].find(e => e.textContent.includes(title));
		if (!h) return 'missing';
		return h.closest('[lang]').getAttribute('lang') + ' | ' + getComputedStyle(h).fontFamily;
	}`
	for _, page := range []string{issuePath, "/email-preview.html"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+page), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ title, lang, font string }{
			{"これからの働き方", "ja", `"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic"`},
			{"十年后的城市", "zh-Hans", `"PingFang SC"`},
		} {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(`+probe+`)(`+"`"+tt.title+"`"+`)`))
			if err != nil {
				t.Fatal(err)
			}
			lang, font, _ := strings.Cut(got, " | ")
			if lang != tt.lang || !strings.Contains(font, tt.font) {
				t.Errorf("%s: the item %s is lang %q drawn with %s; want lang %q and %s", page, tt.title, lang, font, tt.lang, tt.font)
			}
		}
	}
}
