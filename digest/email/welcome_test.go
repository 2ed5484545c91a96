package email

import (
	"bytes"
	"mime"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest"
)

func TestComposeWelcome(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			opt := testOptions(lang)
			prefs := "https://digest.example.com/preferences?t=" + digest.PreferencesToken(testSecret, "new@example.com", opt.List)
			issue := "https://digest.example.com/issues/2026-W48/"
			m, err := ComposeWelcome(opt, digest.Subscriber{Email: "new@example.com", Tags: []string{"未来趋势"}},
				Welcome{IssueTitle: "剪藏周报 第 3 期", IssueURL: issue, PreferencesURL: prefs})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := m.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			p := parseMail(t, buf.Bytes())
			for _, link := range []string{prefs, issue} {
				if !strings.Contains(p.text, "\n  "+link+"\n") || !strings.Contains(p.html, `href="`+link+`"`) {
					t.Errorf("link %s missing:\n%s\n%s", link, p.text, p.html)
				}
			}
			if !strings.Contains(p.text, "#未来趋势") || !strings.Contains(p.text, "剪藏周报 第 3 期") {
				t.Errorf("text part lacks the tags or the latest issue:\n%s", p.text)
			}
			if !strings.Contains(p.header.Get("List-Unsubscribe"), "/unsubscribe?t=") || p.header.Get("List-Unsubscribe-Post") == "" {
				t.Errorf("List-Unsubscribe %q", p.header.Get("List-Unsubscribe"))
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
			if want := map[string]string{"en": "Welcome to Weekly Digest", "zh": "欢迎订阅剪藏周报"}[lang]; subject != want {
				t.Errorf("Subject = %q, want %q", subject, want)
			}
		})
	}
	// Before the first issue: no issue link, still a welcome.
	if _, err := ComposeWelcome(testOptions("en"), digest.Subscriber{Email: "new@example.com"},
		Welcome{PreferencesURL: "https://digest.example.com/preferences?t=x"}); err != nil {
		t.Errorf("welcome before the first issue: %v", err)
	}
	if _, err := ComposeWelcome(testOptions("en"), digest.Subscriber{Email: "new@example.com"},
		Welcome{PreferencesURL: "javascript:alert(1)"}); err == nil {
		t.Error("ComposeWelcome took a javascript: URL")
	}
}
