package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/web"
	"github.com/digest-newsletter/digest/templates"
)

var secret = []byte("web-test-secret-0123456789abcdef")

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// env is a running server on 127.0.0.1:0 over a published site in a temp
// folder, with real SQLite state.
type env struct {
	URL     string
	Out     string
	Outside string // a folder next to out/ holding secret.txt
	Store   *sqlite.Store
	Clock   *clock
	Site    digest.Site
	Log     *syncBuffer
	Server  *web.Server
}

type setupOpt func(*web.Options)

func start(t testing.TB, opts ...setupOpt) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{Out: filepath.Join(dir, "public"), Outside: filepath.Join(dir, "private"), Log: &syncBuffer{}}
	e.Clock = &clock{t: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	files := map[string]string{
		"index.html":                 `<!DOCTYPE html><title>Archive</title><h1>Weekly Digest</h1>`,
		"feed.xml":                   `<?xml version="1.0"?><rss version="2.0"><channel><title>W</title></channel></rss>`,
		"atom.xml":                   `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title></feed>`,
		"feed.json":                  `{"version":"https://jsonfeed.org/version/1.1","title":"W","items":[]}`,
		"issues/2026-W48/index.html": `<!DOCTYPE html><title>Issue</title><h1>#1</h1>`,
		"issues/2026-W48/index.md":   "# #1\n",
		"issues/.tmp-index.html-123": "half written",
		"issues/2026-W47/notes.txt":  "no index here",
		"../private/secret.txt":      "TOP-SECRET",
		"../private/sub/index.html":  "TOP-SECRET-PAGE",
	}
	for name, body := range files {
		p := filepath.Join(e.Out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Links out of the site must not be followed.
	if err := os.Symlink(e.Outside, filepath.Join(e.Out, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(e.Outside, "secret.txt"), filepath.Join(e.Out, "secret.txt")); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.Store = st

	ts := httptest.NewUnstartedServer(nil)
	e.URL = "http://" + ts.Listener.Addr().String()
	e.Site = digest.Site{Title: "Weekly Digest", URL: e.URL, Language: "en"}
	opt := web.Options{
		Out:       e.Out,
		Store:     st,
		Site:      e.Site,
		Secret:    secret,
		Templates: templates.Default,
		Logger:    slog.New(slog.NewJSONHandler(e.Log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:       e.Clock.Now,
	}
	for _, o := range opts {
		o(&opt)
	}
	e.Site = opt.Site
	srv, err := web.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	e.Server = srv
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return e
}

func (e *env) get(t *testing.T, path string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func (e *env) post(t *testing.T, path string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", e.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

// do sends req without following redirects and reads the body.
func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return string(b)
}

// raw sends a request line exactly as written, bypassing any client-side
// cleaning of the path.
func (e *env) raw(t *testing.T, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, strings.TrimPrefix(e.URL, "http://"))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStaticContentTypes(t *testing.T) {
	e := start(t)
	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/", "text/html; charset=utf-8", "<h1>Weekly Digest</h1>"},
		{"/index.html", "text/html; charset=utf-8", "<h1>Weekly Digest</h1>"},
		{"/feed.xml", "application/rss+xml", "<rss"},
		{"/atom.xml", "application/atom+xml", "<feed"},
		{"/feed.json", "application/feed+json", "jsonfeed.org"},
		{"/issues/2026-W48/", "text/html; charset=utf-8", "<h1>#1</h1>"},
		{"/issues/2026-W48/index.md", "text/markdown; charset=utf-8", "# #1"},
	}
	for _, tt := range tests {
		resp := e.get(t, tt.path)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", tt.path, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
			t.Errorf("GET %s: Content-Type %q, want %q", tt.path, ct, tt.wantType)
		}
		if b := body(resp); !strings.Contains(b, tt.wantBody) {
			t.Errorf("GET %s: body %q lacks %q", tt.path, b, tt.wantBody)
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("GET %s: no ETag or Last-Modified", tt.path)
		}
	}
	// A folder with a page, without its slash, goes to it (relative links).
	resp := e.get(t, "/issues/2026-W48")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/issues/2026-W48/" {
		t.Errorf("GET /issues/2026-W48: %d to %q, want 301 to /issues/2026-W48/", resp.StatusCode, resp.Header.Get("Location"))
	}
	// HEAD has the headers and no body.
	req, _ := http.NewRequest("HEAD", e.URL+"/feed.xml", nil)
	if resp := do(t, req); resp.StatusCode != 200 || body(resp) != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/rss+xml") {
		t.Errorf("HEAD /feed.xml: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	req, _ = http.NewRequest("PUT", e.URL+"/feed.xml", strings.NewReader("x"))
	if resp := do(t, req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT /feed.xml: %d, want 405", resp.StatusCode)
	}
	if resp := e.get(t, "/healthz"); resp.StatusCode != 200 || strings.TrimSpace(body(resp)) != "ok" {
		t.Errorf("GET /healthz: %d %q", resp.StatusCode, body(resp))
	}
}

func TestConditionalGet(t *testing.T) {
	e := start(t)
	for _, path := range []string{"/feed.xml", "/atom.xml", "/feed.json", "/"} {
		first := e.get(t, path)
		etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if r := e.get(t, path, "If-None-Match", etag); r.StatusCode != http.StatusNotModified || body(r) != "" {
			t.Errorf("%s with If-None-Match %s: %d, want 304 and no body", path, etag, r.StatusCode)
		}
		if r := e.get(t, path, "If-Modified-Since", lastMod); r.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-Modified-Since %s: %d, want 304", path, lastMod, r.StatusCode)
		}
		if r := e.get(t, path, "If-None-Match", `"something-else"`); r.StatusCode != 200 {
			t.Errorf("%s with another ETag: %d, want 200", path, r.StatusCode)
		}
	}
	// A republished feed is a new version.
	first := e.get(t, "/feed.xml")
	later := time.Now().Add(time.Hour)
	p := filepath.Join(e.Out, "feed.xml")
	if err := os.WriteFile(p, []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>W2</title></channel></rss>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	r := e.get(t, "/feed.xml", "If-None-Match", first.Header.Get("ETag"), "If-Modified-Since", first.Header.Get("Last-Modified"))
	if r.StatusCode != 200 || !strings.Contains(body(r), "W2") || r.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("changed feed: %d, ETag %s (was %s)", r.StatusCode, r.Header.Get("ETag"), first.Header.Get("ETag"))
	}
}

func TestNoEscapeNoListing(t *testing.T) {
	e := start(t)
	targets := []string{
		"/../private/secret.txt",
		"/../../../../etc/passwd",
		"/%2e%2e/private/secret.txt",
		"/%2E%2E/%2e%2e/etc/passwd",
		"/..%2fprivate%2fsecret.txt",
		"/issues/..%2f..%2fprivate/secret.txt",
		"/issues/2026-W48/../../../private/secret.txt",
		"/..%5cprivate%5csecret.txt",
		"/etc/passwd",
		"//etc/passwd",
		"/" + url.PathEscape(filepath.Join(e.Outside, "secret.txt")),
		"http://example.com/../private/secret.txt",
		"/link/secret.txt",
		"/link/sub/",
		"/secret.txt",
		"/issues/",
		"/issues/2026-W47/",
		"/issues/2026-W47",
		"/issues/.tmp-index.html-123",
		"/%00",
	}
	for _, target := range targets {
		code, b := e.raw(t, target)
		if code == 200 || strings.Contains(b, "TOP-SECRET") || strings.Contains(b, "root:") || strings.Contains(b, "half written") {
			t.Errorf("GET %s: %d, body %.80q", target, code, b)
		}
		if code >= 500 {
			t.Errorf("GET %s: %d, want a 4xx", target, code)
		}
	}
}

func unsubToken(e *env, email string) string {
	return digest.UnsubscribeToken(secret, email, e.Site.Host())
}

func suppressions(t *testing.T, st *sqlite.Store) []string {
	t.Helper()
	sups, err := st.Suppressions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sups {
		out = append(out, s.Email+"/"+s.Reason)
	}
	return out
}

func TestUnsubscribeOneClick(t *testing.T) {
	e := start(t)
	tok := unsubToken(e, "Ann@Example.com")

	// A GET, as link scanners do, shows a page and changes nothing.
	for range 3 {
		r := e.get(t, "/unsubscribe?t="+tok)
		b := body(r)
		if r.StatusCode != 200 || !strings.Contains(b, "ann@example.com") || !strings.Contains(b, `method="post"`) {
			t.Fatalf("GET /unsubscribe: %d\n%s", r.StatusCode, b)
		}
		if r.Header.Get("Set-Cookie") != "" || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET /unsubscribe headers: %v", r.Header)
		}
	}
	if got := suppressions(t, e.Store); len(got) != 0 {
		t.Fatalf("GET unsubscribed: %v", got)
	}

	// RFC 8058: POST to the List-Unsubscribe URL with the one-click body.
	for i := range 2 { // idempotent
		r := e.post(t, "/unsubscribe?t="+tok, url.Values{"List-Unsubscribe": {"One-Click"}})
		if r.StatusCode != 200 {
			t.Fatalf("one-click POST #%d: %d", i+1, r.StatusCode)
		}
		if r.Header.Get("Set-Cookie") != "" || r.Header.Get("Location") != "" {
			t.Errorf("one-click POST #%d: cookie or redirect: %v", i+1, r.Header)
		}
		if !strings.Contains(body(r), "ann@example.com") {
			t.Errorf("one-click POST #%d: page does not name the address", i+1)
		}
	}
	if got := suppressions(t, e.Store); fmt.Sprint(got) != "[ann@example.com/unsubscribed]" {
		t.Errorf("suppressions = %v", got)
	}
	// The page's button posts the token as a form field.
	if r := e.post(t, "/unsubscribe", url.Values{"t": {unsubToken(e, "bob@example.com")}}); r.StatusCode != 200 {
		t.Errorf("button POST: %d", r.StatusCode)
	}
	// So does a multipart body (RFC 8058 allows it).
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("List-Unsubscribe", "One-Click")
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+"/unsubscribe?t="+unsubToken(e, "cy@example.com"), &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := do(t, req); r.StatusCode != 200 {
		t.Errorf("multipart POST: %d", r.StatusCode)
	}
	if got := suppressions(t, e.Store); len(got) != 3 {
		t.Errorf("suppressions = %v, want ann, bob, cy", got)
	}
	if strings.Contains(e.Log.String(), tok) {
		t.Error("a token was written to the log")
	}
}

func TestUnsubscribeForged(t *testing.T) {
	e := start(t)
	good := unsubToken(e, "ann@example.com")
	tampered := []byte(good)
	tampered[5] ^= 1
	forged := []string{
		"",
		"garbage",
		string(tampered),
		digest.UnsubscribeToken([]byte("another-secret-0123456789abcdef"), "ann@example.com", e.Site.Host()),
		digest.UnsubscribeToken(secret, "ann@example.com", "other.example.org"),
		digest.ConfirmToken(secret, "ann@example.com", e.Site.Host(), e.Clock.Now().Add(time.Hour)),
		good + "A",
		strings.Repeat("A", 5000),
	}
	for _, tok := range forged {
		for _, r := range []*http.Response{
			e.get(t, "/unsubscribe?t="+url.QueryEscape(tok)),
			e.post(t, "/unsubscribe?t="+url.QueryEscape(tok), url.Values{"List-Unsubscribe": {"One-Click"}}),
			e.post(t, "/unsubscribe", url.Values{"t": {tok}}),
		} {
			if r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s %.20q: %d, want 400", r.Request.Method, tok, r.StatusCode)
			}
			if strings.Contains(body(r), "ann@example.com") || strings.Contains(body(r), "<form") {
				t.Errorf("%s %.20q: page shows an address or a form", r.Request.Method, tok)
			}
		}
	}
	if got := suppressions(t, e.Store); len(got) != 0 {
		t.Errorf("forged tokens changed the state: %v", got)
	}
}

// confirmSink collects the confirmation links the server would mail.
type confirmSink struct {
	mu    sync.Mutex
	links []string
	sent  chan string
}

func (c *confirmSink) send(ctx context.Context, sub digest.Subscriber, link string, expires time.Time) error {
	c.mu.Lock()
	c.links = append(c.links, sub.Email+" "+link)
	c.mu.Unlock()
	c.sent <- link
	return nil
}

func TestSubscribeNeverTells(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 100)}
	e := start(t, func(o *web.Options) {
		o.SendConfirm = sink.send
		o.NetworkLimit = web.Rate{Burst: 100, Every: time.Second}
	})
	ctx := context.Background()
	if _, err := e.Store.AddSubscriber(ctx, digest.SiteSubscriber{Email: "old@example.com"}, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Suppress(ctx, "gone@example.com", "unsubscribed", e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for _, addr := range []string{"new@example.com", "old@example.com", "gone@example.com", "new@example.com"} {
		r := e.post(t, "/subscribe", url.Values{"email": {addr}})
		if r.StatusCode != 200 {
			t.Errorf("subscribe %s: %d", addr, r.StatusCode)
		}
		if r.Header.Get("Set-Cookie") != "" {
			t.Errorf("subscribe %s set a cookie", addr)
		}
		pages = append(pages, body(r))
	}
	for i, p := range pages[1:] {
		if p != pages[0] {
			t.Errorf("answer %d differs from the first: the page tells addresses apart", i+1)
		}
	}
	// Mails go out in the background: new, old and gone each get one; the
	// repeated request for new is held back by the per-address limit.
	if err := e.Server.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sink.links) != 3 {
		t.Errorf("confirmation mails: %v, want one each for new, old and gone", sink.links)
	}
	if r := e.post(t, "/subscribe", url.Values{"email": {"not an address"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad address: %d, want 400", r.StatusCode)
	}
}

func TestSubscribeRateLimitAndHoneypot(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 100)}
	e := start(t, func(o *web.Options) {
		o.SendConfirm = sink.send
		o.NetworkLimit = web.Rate{Burst: 3, Every: time.Minute}
	})
	// A robot filling in the hidden field gets the usual answer and no mail.
	if r := e.post(t, "/subscribe", url.Values{"email": {"bot@example.com"}, "website": {"http://spam.example"}}); r.StatusCode != 200 {
		t.Errorf("honeypot: %d", r.StatusCode)
	}
	for i := range 2 {
		if r := e.post(t, "/subscribe", url.Values{"email": {fmt.Sprintf("a%d@example.com", i)}}); r.StatusCode != 200 {
			t.Errorf("request %d: %d", i+2, r.StatusCode)
		}
	}
	r := e.post(t, "/subscribe", url.Values{"email": {"a9@example.com"}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("4th request from one address: %d, Retry-After %q; want 429", r.StatusCode, r.Header.Get("Retry-After"))
	}
	e.Clock.Add(time.Minute)
	if r := e.post(t, "/subscribe", url.Values{"email": {"a9@example.com"}}); r.StatusCode != 200 {
		t.Errorf("a minute later: %d", r.StatusCode)
	}
	e.Server.Close(context.Background())
	for _, l := range sink.links {
		if strings.HasPrefix(l, "bot@") {
			t.Errorf("honeypot request was mailed: %s", l)
		}
	}
	if len(sink.links) != 3 {
		t.Errorf("mails %v, want 3", sink.links)
	}
}

func TestConfirmExpiredAndForged(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 10)}
	e := start(t, func(o *web.Options) { o.SendConfirm = sink.send })
	e.post(t, "/subscribe", url.Values{"email": {"late@example.com"}})
	link := <-sink.sent
	u, _ := url.Parse(link)
	tok := u.Query().Get("t")
	// Forged: the token of another kind, or tampered.
	for _, bad := range []string{unsubToken(e, "late@example.com"), tok[:len(tok)-2]} {
		if r := e.post(t, "/confirm", url.Values{"t": {bad}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("forged confirm: %d", r.StatusCode)
		}
	}
	e.Clock.Add(49 * time.Hour)
	for _, r := range []*http.Response{e.get(t, "/confirm?t="+tok), e.post(t, "/confirm", url.Values{"t": {tok}})} {
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(body(r), "expired") {
			t.Errorf("%s expired link: %d", r.Request.Method, r.StatusCode)
		}
	}
	if ok, _ := e.Store.IsSubscriber(context.Background(), "late@example.com"); ok {
		t.Error("subscribed with an expired or forged link")
	}
}

// TestDoubleOptInSMTP goes the whole way through a real SMTP server: the
// form, the confirmation mail composed from the templates and delivered by
// the mailer, the link in it, the page, the button, the stored subscriber.
func TestDoubleOptInSMTP(t *testing.T) {
	relay := mailertest.Start(t)
	tr := &mailer.SMTP{Config: digest.SMTP{Host: relay.Host, Port: relay.Port, TLS: "none", Timeout: 5 * time.Second}}
	var e *env
	e = start(t, func(o *web.Options) {
		o.SendConfirm = func(ctx context.Context, sub digest.Subscriber, link string, expires time.Time) error {
			m, err := email.ComposeConfirm(email.ComposerOptions{
				Site: e.Site, From: "Weekly Digest <digest@example.com>", Secret: secret,
				Templates: templates.Default, Date: e.Clock.Now(),
			}, sub, link, expires)
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
	})
	r := e.post(t, "/subscribe", url.Values{"email": {"li.lei@example.cn"}, "name": {"李雷"}})
	if r.StatusCode != 200 {
		t.Fatalf("subscribe: %d", r.StatusCode)
	}
	var msg mailertest.Message
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := relay.Received(); len(got) > 0 {
			msg = got[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no confirmation mail; log:\n%s", e.Log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if fmt.Sprint(msg.To) != "[li.lei@example.cn]" {
		t.Errorf("mail to %v", msg.To)
	}
	link := confirmLink(t, msg.Data, e.URL)
	if ok, _ := e.Store.IsSubscriber(context.Background(), "li.lei@example.cn"); ok {
		t.Fatal("subscribed before confirming")
	}
	// Opening the link shows a button and changes nothing.
	r = e.get(t, strings.TrimPrefix(link, e.URL))
	if b := body(r); r.StatusCode != 200 || !strings.Contains(b, "li.lei@example.cn") || !strings.Contains(b, `id="confirm"`) {
		t.Fatalf("GET confirm link: %d\n%s", r.StatusCode, b)
	}
	if ok, _ := e.Store.IsSubscriber(context.Background(), "li.lei@example.cn"); ok {
		t.Fatal("GET of the confirm link subscribed")
	}
	u, _ := url.Parse(link)
	r = e.post(t, "/confirm", url.Values{"t": {u.Query().Get("t")}})
	if r.StatusCode != 200 || !strings.Contains(body(r), "subscribed") {
		t.Fatalf("confirm: %d\n%s", r.StatusCode, body(r))
	}
	var subs []digest.Subscriber
	for s, err := range e.Store.Subscribers(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	if len(subs) != 1 || subs[0].Email != "li.lei@example.cn" || subs[0].Name != "李雷" {
		t.Errorf("subscribers = %+v", subs)
	}
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+/confirm\?t=[A-Za-z0-9_%-]+`)

// confirmLink finds the confirmation link in the text part of a raw message.
func confirmLink(t *testing.T, raw []byte, base string) string {
	t.Helper()
	link := linkRE.FindString(mailertest.TextPart(t, raw))
	if !strings.HasPrefix(link, base+"/confirm?t=") {
		t.Fatalf("link %q in the text part, want one to %s/confirm", link, base)
	}
	return link
}

// TestUnsubscribeAfterRotation: a link mailed before the secret was
// rotated still unsubscribes while the previous secret is listed, and is
// refused once it is not.
func TestUnsubscribeAfterRotation(t *testing.T) {
	old := []byte("the-previous-secret-0123456789abc")
	e := start(t, func(o *web.Options) { o.PreviousSecrets = [][]byte{old} })
	oldTok := digest.UnsubscribeToken(old, "ann@example.com", e.Site.Host())
	if r := e.post(t, "/unsubscribe?t="+oldTok, url.Values{"List-Unsubscribe": {"One-Click"}}); r.StatusCode != 200 {
		t.Fatalf("an old link after rotation: %d", r.StatusCode)
	}
	if got := suppressions(t, e.Store); fmt.Sprint(got) != "[ann@example.com/unsubscribed]" {
		t.Errorf("suppressions = %v", got)
	}
	e2 := start(t)
	if r := e2.post(t, "/unsubscribe?t="+oldTok, url.Values{"List-Unsubscribe": {"One-Click"}}); r.StatusCode == 200 {
		t.Error("a link made with an unlisted secret was accepted")
	}
}
