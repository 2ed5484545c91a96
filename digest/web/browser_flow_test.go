package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/internal/browsertest"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/web"
	"github.com/digest-newsletter/digest/templates"
)

var prefsRE = regexp.MustCompile(`https?://[^\s"<>]+/preferences\?t=[A-Za-z0-9_%-]+`)

// TestBrowserSubscribeFlow goes the reader's whole way in Chromium, at 375
// and 1280 px, against a real SMTP server: the archive's form with a tag
// choice → the confirmation mail → confirm → the welcome mail → the
// preferences page changes the tags → the next issue mailed honours them →
// leave.
func TestBrowserSubscribeFlow(t *testing.T) {
	ctx := browsertest.Start(t)
	relay := mailertest.Start(t)
	tr := &mailer.SMTP{Config: digest.SMTP{Host: relay.Host, Port: relay.Port, TLS: "none", Timeout: 5 * time.Second}}
	var e *env
	opts := func() email.ComposerOptions {
		return email.ComposerOptions{Site: e.Site, From: "Weekly Digest <digest@example.com>", Secret: secret,
			Templates: templates.Default, Date: e.Clock.Now()}
	}
	send := func(ctx context.Context, m *email.Message, err error) error {
		if err != nil {
			return err
		}
		res, err := mailer.SendOne(ctx, tr, m)
		if err != nil {
			return err
		}
		if res.Outcome != mailer.Delivered {
			return fmt.Errorf("%v: %s", res.Outcome, res.Response)
		}
		return nil
	}
	e = start(t, func(o *web.Options) {
		o.Site.Tags = []string{"AI", "未来趋势"}
		o.Tags = o.Site.Tags
		o.SendConfirm = func(ctx context.Context, sub digest.Subscriber, link string, expires time.Time) error {
			m, err := email.ComposeConfirm(opts(), sub, link, expires)
			return send(ctx, m, err)
		}
		o.SendWelcome = func(ctx context.Context, sub digest.Subscriber, prefs string) error {
			m, err := email.ComposeWelcome(opts(), sub, email.Welcome{PreferencesURL: prefs})
			return send(ctx, m, err)
		}
	})
	publishForBrowser(t, e)
	dir := browsertest.Artifacts(t)
	is := browserIssue(e.Clock.Now())
	const aiTitle, futureTitle = "Supercalifragilisticexpialidocious", "これからの働き方"

	// waitMail waits for the n-th mail to addr and returns its text part.
	waitMail := func(addr string, n int) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			var got []mailertest.Message
			for _, m := range relay.Received() {
				if len(m.To) == 1 && m.To[0] == addr {
					got = append(got, m)
				}
			}
			if len(got) >= n {
				return mailertest.TextPart(t, got[n-1].Data)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no mail #%d to %s; log:\n%s", n, addr, e.Log.String())
		return ""
	}
	shot := func(name string, width int64) {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("flow-%s-%d.png", name, width)), png, 0o644)
		sw, _ := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		if sw > width {
			t.Errorf("%s at %d px scrolls sideways: %d", name, width, sw)
		}
	}
	bodyText := func() string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, width := range []int64{375, 1280} {
		addr := fmt.Sprintf("reader%d@example.org", width)
		// The archive's form: only #未来趋势.
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(e.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`form.subscribe input[type=email]`)),
			chromedp.SendKeys(chromedp.CSS(`form.subscribe input[type=email]`), addr),
			chromedp.Click(chromedp.CSS(`form.subscribe input[name=tag][value=AI]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		shot("form", width)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.subscribe button`)), chromedp.WaitVisible(chromedp.CSS("section.notice"))); err != nil {
			t.Fatal(err)
		}
		if s := bodyText(); !strings.Contains(s, "Check your inbox") {
			t.Fatalf("after subscribing: %s", s)
		}

		// The confirmation mail, then the confirm page and its button.
		confirm := linkRE.FindString(waitMail(addr, 1))
		if confirm == "" {
			t.Fatal("no confirm link in the mail")
		}
		err = chromedp.Do(ctx, chromedp.Navigate(confirm), chromedp.WaitVisible(chromedp.ID("confirm")))
		if err != nil {
			t.Fatal(err)
		}
		shot("confirm", width)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("confirm")), chromedp.WaitNotPresent(chromedp.ID("confirm"))); err != nil {
			t.Fatal(err)
		}
		if s := bodyText(); !strings.Contains(s, "You are subscribed") {
			t.Fatalf("after confirming: %s", s)
		}
		sub, err := e.Store.SiteSubscriber(context.Background(), addr)
		if err != nil || fmt.Sprint(sub.Tags) != "[未来趋势]" {
			t.Fatalf("subscribed as %+v, %v; want the tag chosen on the form", sub, err)
		}

		// The welcome mail links the preferences page.
		prefs := prefsRE.FindString(waitMail(addr, 2))
		if prefs == "" {
			t.Fatal("no preferences link in the welcome mail")
		}
		err = chromedp.Do(ctx, chromedp.Navigate(prefs), chromedp.WaitVisible(chromedp.ID("save")))
		if err != nil {
			t.Fatal(err)
		}
		shot("preferences", width)
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`form.prefs input[name=tag][value=AI]`)),
			chromedp.Click(chromedp.CSS(`form.prefs input[name=tag][value="未来趋势"]`)),
			chromedp.Click(chromedp.ID("save")),
			chromedp.WaitVisible(chromedp.CSS("p.saved")),
		)
		if err != nil {
			t.Fatal(err)
		}
		if sub, _ := e.Store.SiteSubscriber(context.Background(), addr); fmt.Sprint(sub.Tags) != "[AI]" {
			t.Fatalf("after saving: tags %v, want [AI]", sub.Tags)
		}

		// The next issue, composed for the subscriber as a send streams
		// them, carries #AI and not #未来趋势.
		c, err := email.NewComposer(is, opts())
		if err != nil {
			t.Fatal(err)
		}
		for s, err := range e.Store.Subscribers(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if s.Email != addr {
				continue
			}
			m, err := c.Compose(s)
			if err := send(context.Background(), m, err); err != nil {
				t.Fatal(err)
			}
		}
		issue := waitMail(addr, 3)
		if !strings.Contains(issue, aiTitle) || strings.Contains(issue, futureTitle) {
			t.Errorf("the next issue does not honour the preferences:\n%s", issue)
		}
		if !strings.Contains(issue, "/preferences?t=") {
			t.Error("the issue mail does not link the preferences page")
		}

		// Leave.
		err = chromedp.Do(ctx, chromedp.Navigate(prefs), chromedp.WaitVisible(chromedp.ID("leave")),
			chromedp.Click(chromedp.ID("leave")), chromedp.WaitNotPresent(chromedp.ID("leave")))
		if err != nil {
			t.Fatal(err)
		}
		shot("left", width)
		if s := bodyText(); !strings.Contains(s, "You are unsubscribed") {
			t.Errorf("after leaving: %s", s)
		}
		if sup, _ := e.Store.IsSuppressed(context.Background(), addr); !sup {
			t.Error("leaving did not unsubscribe")
		}
	}
	t.Logf("screenshots in %s", dir)
}
