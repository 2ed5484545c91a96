package email

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/digest-newsletter/digest/digest/internal/browsertest"
)

// TestEmailInBrowser renders an issue's HTML part at 375, 600 and 1280 px
// as a client with max-width support shows it, and as one without (the
// card then fills the window), and as Outlook's Word engine does (no
// max-width, [if mso] comments taken): the card never passes 600 px where
// it can be held, nothing scrolls sideways,
// the preheader stays hidden, and the unsubscribe link shows.
// Screenshots go to $DIGEST_ARTIFACTS when it is set.
func TestEmailInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	dir := browsertest.Artifacts(t)
	is := testIssue()
	is.Title = testTitles["zh"]
	opt := testOptions("zh")
	opt.Site.PostalAddress = "Digest Press, 1 Example Street, Springfield"
	c, err := NewComposer(is, opt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Compose(testSubscribers["zh"])
	if err != nil {
		t.Fatal(err)
	}
	noMaxWidth := func(s string) string { return strings.ReplaceAll(s, "max-width:600px", "") }
	variants := []struct {
		name   string
		html   string
		widths []int64
		held   bool // the card stays within 600 px
	}{
		{"max-width", m.HTML(), []int64{375, 600, 1280}, true},
		{"no-max-width", noMaxWidth(m.HTML()), []int64{375, 600, 1280}, false},
		// Outlook on the desktop: a reading pane, never a phone's width,
		// and at least the card and its margins wide.
		{"outlook", strings.NewReplacer("<!--[if mso]>", "", "<![endif]-->", "").Replace(noMaxWidth(m.HTML())), []int64{640, 1280}, true},
	}
	for _, v := range variants {
		page := filepath.Join(t.TempDir(), v.name+".html")
		if err := os.WriteFile(page, []byte(v.html), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, width := range v.widths {
			what := fmt.Sprintf("%s at %d px", v.name, width)
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 800),
				chromedp.Navigate("file://"+page),
				chromedp.WaitReady(chromedp.CSS("body")),
			)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			type layout struct {
				Scroll, Inner, Card float64
				Preheader           float64 // the preheader's rendered height
				Text                string
			}
			l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`({
				Scroll: document.documentElement.scrollWidth,
				Inner: window.innerWidth,
				Card: document.querySelector('table.card').getBoundingClientRect().width,
				Preheader: document.querySelector('.preheader').getBoundingClientRect().height,
				Text: document.body.innerText,
			})`))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			shot := filepath.Join(dir, fmt.Sprintf("email-%s-%d.png", v.name, width))
			if err := os.WriteFile(shot, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: card %.0f px, page %.0f of %.0f px", what, l.Card, l.Scroll, l.Inner)
			if l.Scroll > l.Inner {
				t.Errorf("%s scrolls sideways: %.0f > %.0f px (see %s)", what, l.Scroll, l.Inner, shot)
			}
			if l.Card > l.Inner {
				t.Errorf("%s: the card is %.0f px, wider than the window (see %s)", what, l.Card, shot)
			}
			if v.held && l.Card > 602 { // 600 and its border
				t.Errorf("%s: the card is %.0f px, want 600 at most (see %s)", what, l.Card, shot)
			}
			if l.Preheader != 0 {
				t.Errorf("%s: the preheader shows, %.0f px high", what, l.Preheader)
			}
			for _, want := range []string{"你好，王芳：", "十年后的城市会是什么样", "退订", "Digest Press"} {
				if !strings.Contains(l.Text, want) {
					t.Errorf("%s does not show %q (see %s)", what, want, shot)
				}
			}
		}
	}
}
