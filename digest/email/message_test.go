package email

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/text"

	"github.com/digest-newsletter/digest/templates"
)

// update rewrites the golden files in testdata: go test -update.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	testSecret = []byte("message-test-secret-0123456789")
	testDate   = time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	testSites  = map[string]digest.Site{
		"en": {Title: "Weekly Digest", URL: "https://digest.example.com", Author: "Ada", Email: "digest@example.com", Language: "en"},
		"zh": {Title: "剪藏周报", URL: "https://digest.example.com/", Author: "王芳", Language: "zh-CN"},
	}
)

// testTitles are issue titles; the Chinese one is long enough to be folded
// over several encoded words in the Subject.
var testTitles = map[string]string{
	"en": "Weekly Digest #3 · 2026-W48",
	"zh": "剪藏周报第 3 期 · 2026-W48：人工智能、个体价值与十年后的城市",
}

// testIssue is a small issue of two groups, one item of which is hostile.
func testIssue() *digest.Issue {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 9, 30, 0, 0, time.UTC) }
	return &digest.Issue{
		ID:     "2026-W48",
		Number: 3,
		Title:  "Weekly Digest #3 · 2026-W48",
		Since:  d(23),
		Cutoff: testDate,
		Items: []digest.Item{
			{
				Title: "Why large language models still cannot count the r's in strawberry, and what tokenizers have to do with it",
				URL:   "https://www.example.org/posts/tokenizers?utm_source=x", Site: "example.org",
				Authors: []string{"Jane Doe", "Rob Pike"}, Clipped: d(28), Tag: "AI", Minutes: 7,
				Excerpt: "Tokenizers split text into pieces that are not letters. A model that sees “straw” and “berry” as two tokens never saw three r's in the first place, which is why the question trips it up so reliably.",
			},
			{
				Title: "AI 时代，个体价值会被重新定义吗？",
				URL:   "https://mp.weixin.qq.com/s/AbCdEf123", Site: "mp.weixin.qq.com",
				Authors: []string{"@python_xxt"}, Clipped: d(27), Tag: "AI", Minutes: 12,
				Excerpt: "当工具的边际成本趋近于零，真正稀缺的不再是执行力，而是判断力和品味。这篇文章讨论了个体在人工智能浪潮中如何重新找到自己的位置，以及为什么“会提问”比“会回答”更重要。",
			},
			{
				Title:   "Evil <b>title</b>\r\nBcc: victim@example.com\r\nX-Injected: yes",
				Clipped: d(26), Tag: "AI", Minutes: 1,
				Excerpt: `<script>alert("x")</script> a note without a source`,
			},
			{
				Title: "十年后的城市会是什么样",
				URL:   "https://example.cn/city", Site: "example.cn",
				Clipped: d(25), Tag: "未来趋势", Minutes: 5,
				Excerpt: "自动驾驶、远程办公和老龄化，将把城市的形状改变得比我们想象的更快。",
			},
		},
	}
}

func testOptions(lang string) ComposerOptions {
	return ComposerOptions{
		Site:      testSites[lang],
		From:      "Weekly Digest <digest@example.com>",
		Secret:    testSecret,
		List:      "digest.example.com",
		Templates: templates.Default,
		Date:      testDate,
	}
}

func compose(t testing.TB, c *Composer, sub digest.Subscriber) ([]byte, *Message) {
	t.Helper()
	m, err := c.Compose(sub)
	if err != nil {
		t.Fatalf("Compose(%s): %v", sub.Email, err)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	return buf.Bytes(), m
}

func newComposer(t testing.TB, lang string) *Composer {
	t.Helper()
	is := testIssue()
	is.Title = testTitles[lang]
	c, err := NewComposer(is, testOptions(lang))
	if err != nil {
		t.Fatalf("NewComposer: %v", err)
	}
	return c
}

// parsedMail is a message read back with the standard library.
type parsedMail struct {
	header     mail.Header
	keys       []string // header field names, in order
	text, html string
	textCT     string
	htmlCT     string
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	var p parsedMail
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no blank line after the header")
	}
	for line := range strings.SplitSeq(string(head), "\r\n") {
		if line != "" && line[0] != ' ' && line[0] != '\t' {
			name, _, _ := strings.Cut(line, ":")
			p.keys = append(p.keys, name)
		}
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes long, more than RFC 5322 allows", i+1, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	p.header = msg.Header
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("part %d: Content-Transfer-Encoding = %q, want quoted-printable", len(parts)+1, cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatalf("part %d: quoted-printable: %v", len(parts)+1, err)
		}
		if !utf8.Valid(body) {
			t.Errorf("part %d is not valid UTF-8", len(parts)+1)
		}
		ct := part.Header.Get("Content-Type")
		parts = append(parts, ct)
		switch len(parts) {
		case 1:
			p.text, p.textCT = strings.ReplaceAll(string(body), "\r\n", "\n"), ct
		case 2:
			p.html, p.htmlCT = string(body), ct
		}
	}
	if len(parts) != 2 {
		t.Fatalf("parts = %q, want text and HTML", parts)
	}
	if !strings.HasPrefix(p.textCT, "text/plain; charset=UTF-8") || !strings.HasPrefix(p.htmlCT, "text/html; charset=UTF-8") {
		t.Errorf("parts = %q, want text/plain then text/html, in UTF-8", parts)
	}
	return p
}

var testSubscribers = map[string]digest.Subscriber{
	"en": {Email: "alice@example.com", Name: "Alice Liddell", Status: digest.StatusActive},
	"zh": {Email: "wang.fang@example.cn", Name: "王芳", Status: digest.StatusActive},
}

// TestComposeGolden compares whole messages with testdata/eml; run with
// -update to rewrite them, and read the diff.
func TestComposeGolden(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			raw, _ := compose(t, newComposer(t, lang), testSubscribers[lang])
			again, _ := compose(t, newComposer(t, lang), testSubscribers[lang])
			if !bytes.Equal(raw, again) {
				t.Fatal("two composers wrote different messages for the same subscriber")
			}
			golden := filepath.Join("testdata", "eml", lang+".eml")
			if *update {
				if err := os.WriteFile(golden, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("message differs from %s (run go test -update and read the diff)\n%s", golden, raw)
			}
		})
	}
}

func TestComposeMessage(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			sub := testSubscribers[lang]
			c := newComposer(t, lang)
			raw, m := compose(t, c, sub)
			p := parseMail(t, raw)

			wantKeys := []string{"Date", "Precedence", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Message-ID", "Subject", "From", "To", "Content-Type"}
			if got := slices.Sorted(slices.Values(p.keys)); !slices.Equal(got, slices.Sorted(slices.Values(wantKeys))) {
				t.Errorf("header fields = %q, want %q", p.keys, wantKeys)
			}
			dec := new(mime.WordDecoder)
			if got, err := dec.DecodeHeader(p.header.Get("Subject")); err != nil || got != testTitles[lang] {
				t.Errorf("Subject = %q (%v)", got, err)
			}
			if got := p.header.Get("Date"); got != "Mon, 30 Nov 2026 08:00:00 +0800" {
				t.Errorf("Date = %q", got)
			}
			from, err := p.header.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Address != "digest@example.com" || from[0].Name != "Weekly Digest" {
				t.Errorf("From = %v (%v)", from, err)
			}
			to, err := p.header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != sub.Email || to[0].Name != sub.Name {
				t.Errorf("To = %v (%v), want %s <%s>", to, err, sub.Name, sub.Email)
			}

			// Message-ID: <issue.hmac@site-host>, as Message says.
			id := p.header.Get("Message-ID")
			if id != m.MessageID || id != MessageID(testSecret, "2026-W48", sub.Email, "digest.example.com", "digest.example.com") {
				t.Errorf("Message-ID = %q, Message.MessageID = %q", id, m.MessageID)
			}
			if !regexp.MustCompile(`^<2026-W48\.[0-9a-f]{32}@digest\.example\.com>$`).MatchString(id) {
				t.Errorf("Message-ID = %q, want <2026-W48.HASH@digest.example.com>", id)
			}
			if m.To != sub.Email {
				t.Errorf("Message.To = %q", m.To)
			}

			// RFC 8058 and RFC 2919.
			unsub := unsubscribeURL(t, p.header.Get("List-Unsubscribe"))
			token := strings.TrimPrefix(unsub, "https://digest.example.com/unsubscribe?t=")
			if email, err := digest.VerifyUnsubscribeToken(testSecret, token, "digest.example.com"); err != nil || email != sub.Email {
				t.Errorf("unsubscribe token is for %q (%v), want %q", email, err, sub.Email)
			}
			if got := p.header.Get("Precedence"); got != "bulk" {
				t.Errorf("Precedence = %q, want bulk (out-of-office replies stay away)", got)
			}
			if got := p.header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", got)
			}
			hasMailto := strings.Contains(p.header.Get("List-Unsubscribe"), "<mailto:digest@example.com?subject=unsubscribe>")
			if hasMailto != (testSites[lang].Email != "") {
				t.Errorf("List-Unsubscribe = %q: mailto when site.email is set, only then", p.header.Get("List-Unsubscribe"))
			}
			listID, err := dec.DecodeHeader(p.header.Get("List-Id"))
			if err != nil || listID != testSites[lang].Title+" <digest.example.com>" {
				t.Errorf("List-Id = %q (%v)", listID, err)
			}

			// The visible link, the greeting, and both groups in both parts.
			greeting := map[string]string{"en": "Hi Alice Liddell,", "zh": "你好，王芳："}[lang]
			for _, part := range []struct{ name, body, link string }{
				{"text", p.text, unsub},
				{"html", p.html, `href="` + strings.ReplaceAll(unsub, "&", "&amp;") + `"`},
			} {
				if !strings.Contains(part.body, part.link) {
					t.Errorf("%s part has no unsubscribe link %s", part.name, part.link)
				}
				if !strings.Contains(part.body, greeting) {
					t.Errorf("%s part does not greet with %q", part.name, greeting)
				}
				for _, want := range []string{"#AI", "#未来趋势", "AI 时代，个体价值会被重新定义吗？", "https://digest.example.com/issues/2026-W48/"} {
					if !strings.Contains(part.body, want) {
						t.Errorf("%s part lacks %q", part.name, want)
					}
				}
				if strings.Contains(part.body, "DIGESTSLOT") {
					t.Errorf("%s part has a stand-in left", part.name)
				}
			}

			// Plain text written for reading: no markup, lines filled to 72 columns.
			if strings.Contains(p.text, "<b>") && !strings.Contains(p.text, "Evil <b>title</b>") {
				t.Errorf("text part has markup")
			}
			for i, line := range strings.Split(p.text, "\n") {
				if w := text.DisplayWidth(line); w > textWidth && !strings.Contains(line, "://") {
					t.Errorf("text line %d is %d columns wide: %q", i+1, w, line)
				}
			}
			if !strings.Contains(p.text, "Jane Doe, Rob Pike · example.org · November 28, 2026 · 7 min") && !strings.Contains(p.text, "Jane Doe, Rob Pike · example.org · 2026年11月28日 · 7 分钟") {
				t.Errorf("text part lacks the byline of the first item:\n%s", p.text)
			}

			// HTML: inlined, no script, no external style.
			html := strings.ToLower(p.html)
			for _, bad := range []string{"<script", "<link", "javascript:", "stylesheet", "@import"} {
				if strings.Contains(html, bad) {
					t.Errorf("HTML part contains %q", bad)
				}
			}
			if !strings.Contains(p.html, "&lt;script&gt;") || !strings.Contains(p.html, "Evil &lt;b&gt;title&lt;/b&gt;") {
				t.Errorf("HTML part does not show the hostile item escaped")
			}
			for _, tag := range []string{"<h1 style=", "<h2 style=", "<h3 style=", `<p class="excerpt" style=`, `<td class="footer" style=`} {
				if !strings.Contains(p.html, tag) {
					t.Errorf("HTML part has no inlined %s…", tag)
				}
			}
			if !strings.Contains(p.html, "max-width:600px") || !strings.Contains(p.html, "PingFang SC") {
				t.Errorf("HTML part lacks the 600px card or the CJK font stack")
			}
		})
	}
}

// unsubscribeURL returns the https URL of a List-Unsubscribe value.
func unsubscribeURL(t *testing.T, v string) string {
	t.Helper()
	m := regexp.MustCompile(`^<(https://[^>]+)>`).FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("List-Unsubscribe = %q, want <https://…> first", v)
	}
	return m[1]
}

func TestComposeMessageIDs(t *testing.T) {
	c := newComposer(t, "en")
	_, a := compose(t, c, digest.Subscriber{Email: "a@example.com"})
	_, a2 := compose(t, newComposer(t, "en"), digest.Subscriber{Email: "a@example.com", Name: "Changed Name"})
	_, b := compose(t, c, digest.Subscriber{Email: "b@example.com"})
	if a.MessageID != a2.MessageID {
		t.Errorf("Message-ID changed between runs: %s, %s", a.MessageID, a2.MessageID)
	}
	if a.MessageID == b.MessageID {
		t.Errorf("two addresses share Message-ID %s", a.MessageID)
	}
	id := func(secret, issue, email, list string) string {
		return MessageID([]byte(secret), issue, email, list, "h.example")
	}
	base := id("secret-0123456789", "2026-W48", "a@example.com", "news.example")
	if got := id("secret-0123456789", "2026-W48", " A@Example.COM ", "news.example"); got != base {
		t.Errorf("MessageID depends on case or spaces: %s, %s", got, base)
	}
	// Keyed: another secret, list, issue or address gives another ID.
	for _, other := range []string{
		id("secret-0123456789X", "2026-W48", "a@example.com", "news.example"),
		id("secret-0123456789", "2026-W48", "a@example.com", "other.example"),
		id("secret-0123456789", "2026-W49", "a@example.com", "news.example"),
		id("secret-0123456789", "2026-W48", "b@example.com", "news.example"),
		id("secret-0123456789", "2026-W4", "8a@example.com", "news.example"),
	} {
		if other == base || strings.TrimPrefix(other, "<2026-W48.") == strings.TrimPrefix(base, "<2026-W48.") {
			t.Errorf("MessageID %s collides with %s", other, base)
		}
	}
	if strings.Contains(base, fmt.Sprintf("%x", sha256.Sum256([]byte("a@example.com")))[:16]) {
		t.Errorf("MessageID %s is the plain hash of the address", base)
	}

	// A test copy has its own ID, distinct from the real copy's.
	test, err := c.ComposeTest(digest.Subscriber{Email: "a@example.com"}, testDate)
	if err != nil {
		t.Fatal(err)
	}
	if test.MessageID == a.MessageID {
		t.Errorf("test copy shares the real copy's Message-ID %s", a.MessageID)
	}
}

func TestComposeGreeting(t *testing.T) {
	tests := []struct {
		lang, name, want string
	}{
		{"en", "Alice", "Hi Alice,"},
		{"en", "", "Hi there,"},
		{"zh", "王芳", "你好，王芳："},
		{"zh", "", "你好："},
		{"en", "Bob\r\nBcc: x@example.com", "Hi Bob Bcc: x@example.com,"},
		{"en", "<script>", "Hi <script>,"},
	}
	for _, tt := range tests {
		raw, _ := compose(t, newComposer(t, tt.lang), digest.Subscriber{Email: "g@example.com", Name: tt.name})
		p := parseMail(t, raw)
		if !strings.HasPrefix(p.text, tt.want+"\n") {
			t.Errorf("%s %q: text starts %q, want %q", tt.lang, tt.name, firstLine(p.text), tt.want)
		}
		if want := strings.ReplaceAll(strings.ReplaceAll(tt.want, "<", "&lt;"), ">", "&gt;"); !strings.Contains(p.html, ">"+want+"<") {
			t.Errorf("%s %q: HTML lacks greeting %q", tt.lang, tt.name, want)
		}
		if len(p.keys) != 11 {
			t.Errorf("%s %q: header fields %q", tt.lang, tt.name, p.keys)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestComposeHeaderInjection puts header syntax in the issue title: the
// subject stays one line and no header field appears.
func TestComposeHeaderInjection(t *testing.T) {
	is := testIssue()
	is.Title = "Digest\r\nBcc: victim@example.com\nX-Injected: 1\u2028Reply-To: x@example.com\x00"
	c, err := NewComposer(is, testOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := compose(t, c, testSubscribers["en"])
	p := parseMail(t, raw)
	want := []string{"Content-Type", "Date", "From", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Message-ID", "Precedence", "Subject", "To"}
	if got := slices.Sorted(slices.Values(p.keys)); !slices.Equal(got, want) {
		t.Errorf("header fields = %q, want %q", got, want)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != "Digest Bcc: victim@example.com X-Injected: 1 Reply-To: x@example.com" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	if strings.Contains(head, "\nBcc:") || strings.Contains(head, "\nX-Injected:") || strings.Contains(head, "\nReply-To:") {
		t.Errorf("header has an injected line:\n%s", head)
	}
}

func TestComposeTagFilter(t *testing.T) {
	c := newComposer(t, "zh")
	tests := []struct {
		tags       []string
		want, skip []string // headings in the text part
	}{
		{nil, []string{"#AI", "#未来趋势"}, nil},
		{[]string{"未来趋势"}, []string{"#未来趋势", "1 篇"}, []string{"#AI", "AI 时代"}},
		{[]string{"ai", "cooking"}, []string{"#AI", "3 篇"}, []string{"#未来趋势", "example.cn/city"}},
		{[]string{"AI/LLM"}, nil, nil}, // a subtag does not want its parent
		{[]string{"cooking"}, nil, nil},
	}
	for _, tt := range tests {
		sub := digest.Subscriber{Email: "t@example.com", Tags: tt.tags}
		m, err := c.Compose(sub)
		if tt.want == nil {
			if !errors.Is(err, ErrNothingForSubscriber) || m != nil {
				t.Errorf("tags %q: Compose = %v, %v; want ErrNothingForSubscriber", tt.tags, m, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("tags %q: %v", tt.tags, err)
		}
		var buf bytes.Buffer
		m.WriteTo(&buf)
		p := parseMail(t, buf.Bytes())
		for _, part := range []string{p.text, p.html} {
			for _, w := range tt.want {
				if !strings.Contains(part, w) {
					t.Errorf("tags %q: lacks %q", tt.tags, w)
				}
			}
			for _, s := range tt.skip {
				if strings.Contains(part, s) {
					t.Errorf("tags %q: has %q", tt.tags, s)
				}
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bodies) != 3 {
		t.Errorf("%d bodies rendered, want 3 (one per distinct set of groups)", len(c.bodies))
	}
}

func TestComposeErrors(t *testing.T) {
	mod := func(f func(*ComposerOptions)) ComposerOptions {
		o := testOptions("en")
		f(&o)
		return o
	}
	tests := []struct {
		name string
		opt  ComposerOptions
		is   *digest.Issue
		want string
	}{
		{"no secret", mod(func(o *ComposerOptions) { o.Secret = nil }), testIssue(), "no secret"},
		{"no templates", mod(func(o *ComposerOptions) { o.Templates = nil }), testIssue(), "no templates"},
		{"bad from", mod(func(o *ComposerOptions) { o.From = "not an address" }), testIssue(), "from"},
		{"bad list", mod(func(o *ComposerOptions) { o.List = "a b>\r\nX: y" }), testIssue(), "list"},
		{"bad url", mod(func(o *ComposerOptions) { o.Site.URL = "javascript:alert(1)" }), testIssue(), "site.url"},
		{"empty issue", testOptions("en"), &digest.Issue{ID: "2026-W48"}, "no items"},
		{"no unsubscribe link", mod(func(o *ComposerOptions) {
			o.Templates = overlay(map[string]string{"email.txt": "{{.Greeting}} {{.Issue.Title}}"})
		}), testIssue(), "no unsubscribe link"},
		{"template error", mod(func(o *ComposerOptions) {
			o.Templates = overlay(map[string]string{"email.html": "{{.Nope}}"})
		}), testIssue(), "templates"},
	}
	for _, tt := range tests {
		_, err := NewComposer(tt.is, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewComposer error = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
	c := newComposer(t, "en")
	for _, addr := range []string{"", "Alice <a@example.com>", "a@example.com\r\nBcc: b@example.com", "nope"} {
		if _, err := c.Compose(digest.Subscriber{Email: addr}); err == nil {
			t.Errorf("Compose(%q) did not fail", addr)
		}
	}
}

// overlay returns the default templates with some replaced.
func overlay(replace map[string]string) fs.FS {
	m := fstest.MapFS{}
	names, _ := fs.Glob(templates.Default, "*")
	for _, name := range names {
		data, _ := fs.ReadFile(templates.Default, name)
		m[name] = &fstest.MapFile{Data: data}
	}
	for name, s := range replace {
		m[name] = &fstest.MapFile{Data: []byte(s)}
	}
	return m
}

func TestComposeConfirm(t *testing.T) {
	expires := testDate.Add(48 * time.Hour)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			opt := testOptions(lang)
			token := digest.ConfirmToken(testSecret, "new@example.com", opt.List, expires)
			url := "https://digest.example.com/confirm?t=" + token
			m, err := ComposeConfirm(opt, digest.Subscriber{Email: "new@example.com"}, url, expires)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := m.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			p := parseMail(t, buf.Bytes())
			if p.header.Get("List-Unsubscribe") != "" {
				t.Error("confirmation mail has List-Unsubscribe")
			}
			if !strings.Contains(p.text, "\n  "+url+"\n") || !strings.Contains(p.html, `href="`+url+`"`) {
				t.Errorf("confirm URL missing:\n%s\n%s", p.text, p.html)
			}
			if email, err := digest.VerifyConfirmToken(testSecret, token, opt.List, testDate); err != nil || email != "new@example.com" {
				t.Errorf("token: %q, %v", email, err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
			if want := map[string]string{"en": "Confirm your subscription to Weekly Digest", "zh": "请确认订阅剪藏周报"}[lang]; subject != want {
				t.Errorf("Subject = %q, want %q", subject, want)
			}
			if !strings.Contains(p.html, "style=") || strings.Contains(strings.ToLower(p.html), "<script") {
				t.Error("HTML part not inlined, or has a script")
			}
			m2, _ := ComposeConfirm(opt, digest.Subscriber{Email: "new@example.com"}, url, expires)
			if m.MessageID != m2.MessageID || !strings.HasSuffix(m.MessageID, "@digest.example.com>") || strings.Contains(m.MessageID, "new") {
				t.Errorf("Message-ID %s, then %s", m.MessageID, m2.MessageID)
			}
		})
	}
	if _, err := ComposeConfirm(testOptions("en"), digest.Subscriber{Email: "new@example.com"}, "javascript:alert(1)", expires); err == nil {
		t.Error("ComposeConfirm took a javascript: URL")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		prefix, text, want string
	}{
		{"", "short", "short"},
		{"* ", "a b\r\nc\x00d", "* a b c d"},
		{"  ", strings.Repeat("word ", 20), "  " + strings.TrimSpace(strings.Repeat("word ", 14)) + "\n  " + strings.TrimSpace(strings.Repeat("word ", 6))},
		{"", "see https://example.com/" + strings.Repeat("x", 80) + " now", "see\nhttps://example.com/" + strings.Repeat("x", 80) + "\nnow"},
		{"", strings.Repeat("汉", 40), strings.Repeat("汉", 36) + "\n" + strings.Repeat("汉", 4)},
		// No line starts with a closing mark.
		{"", strings.Repeat("汉", 35) + "，。结束", strings.Repeat("汉", 35) + "\n" + "，。结束"},
	}
	for _, tt := range tests {
		got := wrap(tt.prefix, tt.text)
		if tt.want == strings.Repeat("汉", 35)+"\n"+"，。结束" {
			// UAX 14 keeps the marks with the character before them.
			if strings.HasPrefix(strings.Split(got, "\n")[1], "，") {
				t.Errorf("wrap(%q) starts a line with a closing mark:\n%s", tt.text, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("wrap(%q, %q) =\n%s\nwant\n%s", tt.prefix, tt.text, got, tt.want)
		}
	}
}

// BenchmarkCompose composes the issue for 10,000 subscribers of a few tag
// sets; ns/op is per message.
func BenchmarkCompose(b *testing.B) {
	c := newComposer(b, "zh")
	tagSets := [][]string{nil, {"AI"}, {"未来趋势"}, {"AI", "未来趋势"}}
	subs := make([]digest.Subscriber, 10000)
	for i := range subs {
		subs[i] = digest.Subscriber{Email: fmt.Sprintf("reader%05d@example.com", i), Name: fmt.Sprintf("读者%d", i), Tags: tagSets[i%len(tagSets)]}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := c.Compose(subs[i%len(subs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkComposeWrite adds writing the message out, as sending does.
func BenchmarkComposeWrite(b *testing.B) {
	c := newComposer(b, "zh")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m, err := c.Compose(digest.Subscriber{Email: fmt.Sprintf("reader%05d@example.com", i%10000), Name: "读者"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// An encoded Subject decodes to the title, and no line of it is longer
// than RFC 2047 allows a line holding encoded words (76).
func TestSubjectField(t *testing.T) {
	dec := new(mime.WordDecoder)
	for _, s := range []string{
		"Weekly Digest #3",
		"剪藏周报第 3 期 · 2026-W48：人工智能、个体价值与十年后的城市",
		"emoji 🧠🤖 and café_au_lait = 3?",
		strings.Repeat("長", 100),
	} {
		field := string(appendField(nil, "Subject", mime.QEncoding.Encode("UTF-8", s)))
		for line := range strings.Lines(field) {
			if len(strings.TrimRight(line, "\r\n")) > 76 {
				t.Errorf("%q: line %q is longer than 76", s, line)
			}
		}
		got, err := dec.DecodeHeader(strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(field, "Subject:"), "\r\n", "")))
		if err != nil || got != s {
			t.Errorf("%q: field %q decodes to %q (%v)", s, field, got, err)
		}
	}
}

func TestWrapURLInCJK(t *testing.T) {
	url := "https://example.com/a/very/long/path/" + strings.Repeat("x", 30)
	got := wrap("", strings.Repeat("汉", 20)+"（见"+url+"）。"+strings.Repeat("字", 40))
	if !strings.Contains(got, url) {
		t.Errorf("URL broken:\n%s", got)
	}
	lines := strings.Split(got, "\n")
	if lines[0] != strings.Repeat("汉", 20) {
		t.Errorf("first line %q, want the text before the URL", lines[0])
	}
	for _, line := range lines {
		if strings.HasPrefix(line, "）") || strings.HasPrefix(line, "。") || strings.HasSuffix(line, "（") {
			t.Errorf("line %q breaks at a bracket or full stop:\n%s", line, got)
		}
	}
}

// TestComposeDatePerCopy: with a clock, each copy is dated when it is
// composed, just before it is sent, not when the run began.
func TestComposeDatePerCopy(t *testing.T) {
	opt := testOptions("en")
	at := testDate
	opt.Clock = func() time.Time { at = at.Add(2 * time.Hour); return at }
	c, err := NewComposer(testIssue(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Mon, 30 Nov 2026 10:00:00 +0800", "Mon, 30 Nov 2026 12:00:00 +0800"} {
		raw, _ := compose(t, c, testSubscribers["en"])
		if got := parseMail(t, raw).header.Get("Date"); got != want {
			t.Errorf("Date = %q, want %q", got, want)
		}
	}
}

// TestComposeForInboxes: the preheader an inbox previews, the Outlook
// fixed-width table, the postal address in the footer.
func TestComposeForInboxes(t *testing.T) {
	preheader := regexp.MustCompile(`<div class="preheader" style="display:none;[^"]*mso-hide:all">([^<]*?) [\x{034f}\x{200c}\x{00a0}]+</div>`)
	for _, tt := range []struct {
		name, want string
		note       *digest.Note
	}{
		{"titles", "Why large language models still cannot count the r&#39;s in strawberry, and what tokenizers have to do with it · AI 时代，个体价值会被重新定义…", nil},
		{"note", "This week: **tokenizers**, and a city ten years on.", &digest.Note{Title: "Notes", Body: "This week: **tokenizers**, and a city ten years on."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			is := testIssue()
			is.Note = tt.note
			opt := testOptions("en")
			opt.Site.PostalAddress = "Digest Press, 1 Example Street, Springfield"
			c, err := NewComposer(is, opt)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := compose(t, c, testSubscribers["en"])
			p := parseMail(t, raw)
			m := preheader.FindStringSubmatch(p.html)
			if m == nil {
				t.Fatalf("no hidden preheader right after <body>:\n%s", p.html[:min(len(p.html), 3000)])
			}
			want := tt.want
			if tt.note != nil {
				want = "This week: tokenizers, and a city ten years on."
			}
			if m[1] != want {
				t.Errorf("preheader = %q, want %q", m[1], want)
			}
			if i, j := strings.Index(p.html, "<!--[if mso]><table role=\"presentation\" width=\"600\""), strings.Index(p.html, `class="card"`); i < 0 || j < i {
				t.Errorf("no Outlook table of 600px around the card")
			}
			if !strings.Contains(p.html, "<!--[if mso]></td></tr></table><![endif]-->") {
				t.Errorf("the Outlook table is not closed")
			}
			if !strings.Contains(p.html, ">Digest Press, 1 Example Street, Springfield</p>") || !strings.Contains(p.text, "\nDigest Press, 1 Example Street, Springfield\n") {
				t.Errorf("postal address missing from a part")
			}
		})
	}
	raw, _ := compose(t, newComposer(t, "en"), testSubscribers["en"])
	if strings.Contains(parseMail(t, raw).html, `class="postal"`) {
		t.Error("a postal address shown without site.postal_address")
	}
}

// TestComposeAgain: a resend carries the Message-ID the first try had,
// whatever the secret keys now.
func TestComposeAgain(t *testing.T) {
	c := newComposer(t, "en")
	sub := digest.Subscriber{Email: "ann@example.org", Status: digest.StatusActive}
	first, err := c.Compose(sub)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.ComposeAgain(sub, "<kept.id@news.example.com>")
	if err != nil {
		t.Fatal(err)
	}
	if again.MessageID != "<kept.id@news.example.com>" || first.MessageID == again.MessageID {
		t.Errorf("ComposeAgain's Message-ID %s (first %s)", again.MessageID, first.MessageID)
	}
	if same, _ := c.ComposeAgain(sub, ""); same.MessageID != first.MessageID {
		t.Errorf("ComposeAgain without an id: %s, want %s", same.MessageID, first.MessageID)
	}
}
