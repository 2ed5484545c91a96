package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/web"
)

// subscribeAndLink posts the form for email (with form values) and
// returns the token of the confirmation link mailed.
func subscribeAndLink(t *testing.T, e *env, sink *confirmSink, form url.Values) string {
	t.Helper()
	if r := e.post(t, "/subscribe", form); r.StatusCode != 200 {
		t.Fatalf("subscribe: %d\n%s", r.StatusCode, body(r))
	}
	select {
	case link := <-sink.sent:
		u, _ := url.Parse(link)
		return u.Query().Get("t")
	case <-time.After(5 * time.Second):
		t.Fatalf("no confirmation mail; log:\n%s", e.Log.String())
	}
	return ""
}

func unsubscribe(t *testing.T, e *env, email string) {
	t.Helper()
	if r := e.post(t, "/unsubscribe", url.Values{"t": {unsubToken(e, email)}}); r.StatusCode != 200 {
		t.Fatalf("unsubscribe: %d", r.StatusCode)
	}
}

// TestConfirmLinkOnceNeverAfterLeaving replays confirm links: a link works
// once, and a link mailed before the reader unsubscribed never brings them
// back (issue 11).
func TestConfirmLinkOnceNeverAfterLeaving(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 10)}
	e := start(t, func(o *web.Options) { o.SendConfirm = sink.send })
	ctx := context.Background()

	tok := subscribeAndLink(t, e, sink, url.Values{"email": {"ann@example.com"}})
	if r := e.post(t, "/confirm", url.Values{"t": {tok}}); r.StatusCode != 200 {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	if r := e.post(t, "/confirm", url.Values{"t": {tok}}); r.StatusCode != http.StatusGone {
		t.Errorf("second use of the link: %d, want 410", r.StatusCode)
	}
	e.Clock.Add(time.Minute)
	unsubscribe(t, e, "ann@example.com")
	e.Clock.Add(time.Minute)
	if r := e.post(t, "/confirm", url.Values{"t": {tok}}); r.StatusCode == 200 {
		t.Error("a replayed confirm link re-subscribed after unsubscribing")
	}
	if sup, _ := e.Store.IsSuppressed(ctx, "ann@example.com"); !sup {
		t.Error("the replay lifted the suppression")
	}

	// Mailed, not yet confirmed; the reader leaves (or bounces); the link
	// then comes back: the suppression stands.
	tok = subscribeAndLink(t, e, sink, url.Values{"email": {"bob@example.com"}})
	e.Clock.Add(time.Minute)
	if err := e.Store.Suppress(ctx, "bob@example.com", "bounced", e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(time.Minute)
	if r := e.post(t, "/confirm", url.Values{"t": {tok}}); r.StatusCode != http.StatusConflict {
		t.Errorf("confirm after a later bounce: %d, want 409", r.StatusCode)
	}
	if sup, _ := e.Store.IsSuppressed(ctx, "bob@example.com"); !sup {
		t.Error("confirming lifted a later bounce")
	}

	// Leaving, then asking again and confirming the new link, is fine.
	e.Clock.Add(11 * time.Minute)
	tok = subscribeAndLink(t, e, sink, url.Values{"email": {"ann@example.com"}})
	if r := e.post(t, "/confirm", url.Values{"t": {tok}}); r.StatusCode != 200 {
		t.Errorf("confirm after asking again: %d", r.StatusCode)
	}
	if sup, _ := e.Store.IsSuppressed(ctx, "ann@example.com"); sup {
		t.Error("asking again and confirming did not lift the old suppression")
	}
}

// TestSubscribeLimitPerNetwork sends requests from many addresses of one
// network: they share one limit, with Retry-After; another network is not
// held back.
func TestSubscribeLimitPerNetwork(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 100)}
	e := start(t, func(o *web.Options) {
		o.SendConfirm = sink.send
		o.TrustProxy = true
		o.NetworkLimit = web.Rate{Burst: 3, Every: time.Minute}
	})
	from := func(ip, email string) *http.Response {
		req, _ := http.NewRequest("POST", e.URL+"/subscribe", strings.NewReader(url.Values{"email": {email}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		return do(t, req)
	}
	for _, net := range []struct {
		name string
		ips  []string
	}{
		{"IPv4 /24", []string{"203.0.113.1", "203.0.113.77", "203.0.113.200", "203.0.113.254"}},
		{"IPv6 /56", []string{"2001:db8:0:100::1", "2001:db8:0:1ff::9", "2001:db8:0:1a0:1::2", "2001:db8:0:1ab::3"}},
	} {
		for i, ip := range net.ips {
			r := from(ip, fmt.Sprintf("u%d@example.com", i))
			if i < 3 && r.StatusCode != 200 {
				t.Errorf("%s: request %d from %s: %d", net.name, i+1, ip, r.StatusCode)
			}
			if i == 3 && (r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "") {
				t.Errorf("%s: 4th request of the network, from %s: %d, Retry-After %q; want 429 with Retry-After",
					net.name, ip, r.StatusCode, r.Header.Get("Retry-After"))
			}
		}
	}
	if r := from("198.51.100.7", "other@example.com"); r.StatusCode != 200 {
		t.Errorf("another network: %d", r.StatusCode)
	}
}

// TestSubscribeOverallLimitIsHonest: when the overall mail limit holds a
// confirmation back, the page says when it comes; when it would hold it
// back too long, 429 with Retry-After, and nothing is queued.
func TestSubscribeOverallLimitIsHonest(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 10)}
	e := start(t, func(o *web.Options) {
		o.SendConfirm = sink.send
		o.MailLimit = web.Rate{Burst: 1, Every: 10 * time.Minute}
	})
	subscribeAndLink(t, e, sink, url.Values{"email": {"first@example.com"}})
	r := e.post(t, "/subscribe", url.Values{"email": {"second@example.com"}})
	if b := body(r); r.StatusCode != http.StatusAccepted || !strings.Contains(b, "within 10 minutes") {
		t.Errorf("deferred: %d\n%s", r.StatusCode, b)
	}
	// second holds the next token: a third would wait 20 minutes, within
	// the bound; with an hour-long interval it would be refused.
	e2 := start(t, func(o *web.Options) {
		o.SendConfirm = sink.send
		o.MailLimit = web.Rate{Burst: 1, Every: 2 * time.Hour}
	})
	subscribeAndLink(t, e2, sink, url.Values{"email": {"first@example.com"}})
	r = e2.post(t, "/subscribe", url.Values{"email": {"late@example.com"}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(body(r), "Nothing was sent") {
		t.Errorf("over the overall limit: %d, Retry-After %q\n%s", r.StatusCode, r.Header.Get("Retry-After"), body(r))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	e.Server.Close(ctx) // the deferred mail is dropped, not waited for
}

// TestConfirmMailGreetsNobody: a name typed into the form never reaches the
// confirmation mail.
func TestConfirmMailGreetsNobody(t *testing.T) {
	var mu sync.Mutex
	var names []string
	sent := make(chan struct{}, 1)
	e := start(t, func(o *web.Options) {
		o.SendConfirm = func(ctx context.Context, sub digest.Subscriber, link string, expires time.Time) error {
			mu.Lock()
			names = append(names, sub.Name)
			mu.Unlock()
			sent <- struct{}{}
			return nil
		}
	})
	e.post(t, "/subscribe", url.Values{"email": {"x@example.com"}, "name": {"Click http://evil.example to win"}})
	<-sent
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 1 || names[0] != "" {
		t.Errorf("names given to the confirmation: %q, want one empty", names)
	}
}

func TestOptionsListsMethods(t *testing.T) {
	e := start(t)
	for path, want := range map[string][]string{
		"/unsubscribe":      {"GET", "POST"},
		"/confirm":          {"GET", "POST"},
		"/preferences":      {"GET", "POST"},
		"/subscribe":        {"POST"},
		"/issues/2026-W48/": {"GET", "HEAD"},
	} {
		req, _ := http.NewRequest("OPTIONS", e.URL+path, nil)
		r := do(t, req)
		allow := r.Header.Get("Allow")
		for _, m := range append(want, "OPTIONS") {
			if !strings.Contains(allow, m) {
				t.Errorf("OPTIONS %s: Allow %q lacks %s", path, allow, m)
			}
		}
		if r.StatusCode/100 != 2 {
			t.Errorf("OPTIONS %s: %d", path, r.StatusCode)
		}
	}
}

// TestTagsWelcomePreferences: a tag chosen on the form is kept; confirming
// mails a welcome once, with the preferences link; the preferences page
// changes nothing on GET, changes tags and pause on POST, and leaves.
func TestTagsWelcomePreferences(t *testing.T) {
	sink := &confirmSink{sent: make(chan string, 10)}
	welcomes := make(chan string, 10)
	e := start(t, func(o *web.Options) {
		o.SendConfirm = sink.send
		o.Tags = []string{"AI", "未来趋势"}
		o.SendWelcome = func(ctx context.Context, sub digest.Subscriber, prefs string) error {
			welcomes <- sub.Email + " " + fmt.Sprint(sub.Tags) + " " + prefs
			return nil
		}
	})
	ctx := context.Background()
	if r := e.get(t, "/preferences?t=x"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad preferences token: %d", r.StatusCode)
	}
	r := e.post(t, "/subscribe", url.Values{"email": {"bad"}})
	if b := body(r); !strings.Contains(b, `name="tag" value="未来趋势"`) {
		t.Errorf("the form shown again has no tag choice:\n%s", b)
	}
	tok := subscribeAndLink(t, e, sink, url.Values{"email": {"li@example.cn"}, "tag": {"未来趋势"}})
	r = e.post(t, "/confirm", url.Values{"t": {tok}})
	if r.StatusCode != 200 || !strings.Contains(body(r), "/preferences?t=") {
		t.Fatalf("confirm: %d\n%s", r.StatusCode, body(r))
	}
	var w string
	select {
	case w = <-welcomes:
	case <-time.After(5 * time.Second):
		t.Fatal("no welcome mail")
	}
	if !strings.HasPrefix(w, "li@example.cn [未来趋势] "+e.URL+"/preferences?t=") {
		t.Errorf("welcome: %s", w)
	}
	prefs, _ := url.Parse(strings.Fields(w)[2])
	pt := prefs.Query().Get("t")

	r = e.get(t, "/preferences?t="+url.QueryEscape(pt))
	b := body(r)
	if r.StatusCode != 200 || !strings.Contains(b, `value="未来趋势" checked`) || strings.Contains(b, `value="AI" checked`) {
		t.Fatalf("preferences page: %d\n%s", r.StatusCode, b)
	}
	r = e.post(t, "/preferences", url.Values{"t": {pt}, "action": {"save"}, "tag": {"AI"}})
	if r.StatusCode != 200 || !strings.Contains(body(r), "Saved") {
		t.Errorf("save: %d\n%s", r.StatusCode, body(r))
	}
	sub, err := e.Store.SiteSubscriber(ctx, "li@example.cn")
	if err != nil || fmt.Sprint(sub.Tags) != "[AI]" || sub.Paused {
		t.Errorf("after saving: %+v, %v", sub, err)
	}
	if r := e.post(t, "/preferences", url.Values{"t": {pt}, "action": {"save"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("saving no tag at all: %d, want 400", r.StatusCode)
	}
	e.post(t, "/preferences", url.Values{"t": {pt}, "action": {"save"}, "tag": {"AI", "未来趋势"}, "pause": {"1"}})
	if sub, _ := e.Store.SiteSubscriber(ctx, "li@example.cn"); len(sub.Tags) != 0 || !sub.Paused {
		t.Errorf("after pausing with every tag: %+v", sub)
	}
	r = e.post(t, "/preferences", url.Values{"t": {pt}, "action": {"leave"}})
	if r.StatusCode != 200 {
		t.Errorf("leave: %d", r.StatusCode)
	}
	if sup, _ := e.Store.IsSuppressed(ctx, "li@example.cn"); !sup {
		t.Error("leaving did not unsubscribe")
	}
	// An unsubscribe token is no preferences token.
	if r := e.get(t, "/preferences?t="+url.QueryEscape(unsubToken(e, "li@example.cn"))); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unsubscribe token on the preferences page: %d", r.StatusCode)
	}
	if len(welcomes) != 0 {
		t.Errorf("more than one welcome")
	}
}
