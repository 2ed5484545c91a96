package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

// lockedBuffer collects a command's stderr while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// running is a long-running command (serve, preview) started in process.
type running struct {
	URL    string // where it listens
	Stderr *lockedBuffer
	cancel context.CancelFunc // what SIGTERM does
	done   chan error
}

var listenRE = regexp.MustCompile(`(?:previewing on |serving url=)(http://[0-9.:]+)/`)

// startCommand runs digest with args until the test ends or stop is called,
// and waits until it listens.
func startCommand(t *testing.T, env map[string]string, args ...string) *running {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Stderr: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, args, io.Discard, r.Stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Error("command did not stop")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(r.Stderr.String()); m != nil {
			r.URL = m[1]
			return r
		}
		select {
		case err := <-r.done:
			t.Fatalf("digest %s: %v\n%s", strings.Join(args, " "), err, r.Stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("digest %s is not listening:\n%s", strings.Join(args, " "), r.Stderr.String())
	return nil
}

// stop cancels the command as SIGTERM does and returns its error.
func (r *running) stop(t *testing.T, within time.Duration) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(within):
		t.Fatalf("did not stop within %v:\n%s", within, r.Stderr.String())
		return nil
	}
}

func httpGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// clipping is a note as the Obsidian Web Clipper saves it.
func clipping(title, source, created, tags string) string {
	return fmt.Sprintf("---\ntitle: %q\nsource: %q\ncreated: %s\ntags:\n  - %q\n---\n\n%s: the first paragraph of the body, long enough to make an excerpt of it.\n",
		title, source, created, tags, title)
}

// project writes a config, a vault and a subscribers file into a temp
// folder and returns the config's path.
func project(t *testing.T, extraConfig string, clips map[string]string, subscribers string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := `vault: ./vault
out: ./public
state: ./state/state.db
subscribers: ./subscribers.csv
outbox: ./outbox
tags: [AI, 未来趋势]
site: {title: Weekly Digest, url: "https://digest-weekly.net", author: Digest, language: en}
from: "Weekly Digest <digest@digest-weekly.net>"
schedule: {weekday: monday, time: "08:00", timezone: Asia/Shanghai}
` + extraConfig
	files := map[string]string{"digest.yaml": cfg, "subscribers.csv": subscribers}
	for name, body := range clips {
		files[filepath.Join("vault", name)] = body
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "digest.yaml")
}

func httpPost(t *testing.T, url string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := http.PostForm(url, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool, log func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; log:\n%s", what, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const serveSecret = "serve-test-secret-0123456789abcdef"

func smtpConfig(relay *mailertest.Server) string {
	return fmt.Sprintf("smtp: {host: 127.0.0.1, port: %d, tls: none, timeout: 5s}\n", relay.Port)
}

var confirmLinkRE = regexp.MustCompile(`https://digest-weekly\.net/confirm\?t=([A-Za-z0-9_-]+)`)

// TestServe runs digest serve against a real SMTP server: the site and its
// feeds, a one-click unsubscribe, a double opt-in, then the weekly run at
// 08:00, which sends the issue to the file's subscribers and the confirmed
// one but not to the one who left, and a clean stop.
func TestServe(t *testing.T) {
	relay := mailertest.Start(t)
	cfg := project(t, smtpConfig(relay), map[string]string{
		"Clippings/city.md": clipping("十年后的城市", "https://example.com/city", "2026-11-28", "AI"),
		"Clippings/work.md": clipping("The future of work", "https://example.org/work", "2026-11-27", "未来趋势"),
	}, "email,name\nann@example.com,Ann\nbob@example.com,Bob\ncy@example.com,Cy\n")
	// Four seconds before the Monday 08:00 run.
	s := startCommand(t, map[string]string{"DIGEST_SECRET": serveSecret},
		"--config", cfg, "--now", "2026-11-30T07:59:56+08:00", "serve", "--addr", "127.0.0.1:0")

	if resp, body := httpGet(t, s.URL+"/healthz"); resp.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	if resp, _ := httpGet(t, s.URL+"/feed.xml"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/rss+xml") {
		t.Errorf("feed.xml: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// Bob leaves with one click before the run.
	bob := digest.UnsubscribeToken([]byte(serveSecret), "bob@example.com", "digest-weekly.net")
	if resp, _ := httpPost(t, s.URL+"/unsubscribe?t="+bob, url.Values{"List-Unsubscribe": {"One-Click"}}); resp.StatusCode != 200 {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}

	// Dee subscribes on the web and confirms from the mail.
	if resp, _ := httpPost(t, s.URL+"/subscribe", url.Values{"email": {"dee@example.com"}, "name": {"Dee"}}); resp.StatusCode != 200 {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	waitFor(t, 5*time.Second, "the confirmation mail", func() bool { return relay.Count()["dee@example.com"] == 1 }, s.Stderr.String)
	text := mailertest.TextPart(t, relay.Received()[0].Data)
	m := confirmLinkRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no confirm link in:\n%s", text)
	}
	if resp, body := httpPost(t, s.URL+"/confirm", url.Values{"t": {m[1]}}); resp.StatusCode != 200 {
		t.Fatalf("confirm: %d\n%s", resp.StatusCode, body)
	}

	// The weekly run.
	waitFor(t, 20*time.Second, "the weekly run", func() bool { return strings.Contains(s.Stderr.String(), "weekly run done") }, s.Stderr.String)
	got := relay.Count()
	if got["ann@example.com"] != 1 || got["cy@example.com"] != 1 || got["bob@example.com"] != 0 {
		t.Errorf("messages per recipient %v, want one each for ann and cy, none for bob who unsubscribed", got)
	}
	if got["dee@example.com"] != 3 {
		t.Errorf("dee@example.com got %d messages, want 3: the confirmation, the welcome and the issue", got["dee@example.com"])
	}
	if resp, body := httpGet(t, s.URL+"/issues/2026-W49/"); resp.StatusCode != 200 || !strings.Contains(body, "十年后的城市") {
		t.Errorf("the issue page after the run: %d", resp.StatusCode)
	}
	if err := s.stop(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Stderr.String(), "msg=stopped") {
		t.Errorf("no clean stop logged:\n%s", s.Stderr.String())
	}
}

// subscribersCSV lists n addresses r000@example.com ….
func subscribersCSV(n int) string {
	var b strings.Builder
	b.WriteString("email\n")
	for i := range n {
		fmt.Fprintf(&b, "r%03d@example.com\n", i)
	}
	return b.String()
}

// TestServeSIGTERMDuringSend stops the server in the middle of the weekly
// send. With no drain time the send parks at once: the messages in flight
// are finished and recorded, the rest stay pending, nothing is left sending,
// and `digest send` then delivers the rest, so that every subscriber has
// exactly one copy. With a drain time the send finishes before the exit.
func TestServeSIGTERMDuringSend(t *testing.T) {
	for _, tc := range []struct {
		name  string
		drain string
		n     int
	}{
		{"park", "0s", 300},
		{"finish", "60s", 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			relay := mailertest.Start(t)
			slow := make(chan struct{})
			var once sync.Once
			relay.OnMessage(func(n int) {
				if n == 20 {
					once.Do(func() { close(slow) })
				}
				time.Sleep(10 * time.Millisecond)
			})
			cfg := project(t, smtpConfig(relay)+"send: {concurrency: 2}\n", map[string]string{
				"Clippings/city.md": clipping("十年后的城市", "https://example.com/city", "2026-11-28", "AI"),
			}, subscribersCSV(tc.n))
			dir := filepath.Dir(cfg)
			env := map[string]string{"DIGEST_SECRET": serveSecret}
			s := startCommand(t, env, "--config", cfg, "--now", "2026-11-30T07:59:58+08:00",
				"serve", "--addr", "127.0.0.1:0", "--drain", tc.drain)
			select {
			case <-slow:
			case <-time.After(20 * time.Second):
				t.Fatalf("the weekly send did not start:\n%s", s.Stderr.String())
			}
			start := time.Now()
			if err := s.stop(t, 30*time.Second); err != nil {
				t.Fatalf("serve: %v\n%s", err, s.Stderr.String())
			}
			took := time.Since(start)

			st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state", "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			counts, err := st.DeliveryCounts(context.Background(), "2026-W49")
			if err != nil {
				t.Fatal(err)
			}
			last, err := st.LastRun(context.Background())
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			received := len(relay.Received())
			t.Logf("stopped after %v: ledger %v, relay received %d", took.Round(time.Millisecond), counts, received)
			if counts[digest.Sending] != 0 || counts[digest.Unknown] != 0 {
				t.Errorf("ledger %v: rows left sending or unknown after a clean stop", counts)
			}
			if counts[digest.Sent] != received {
				t.Errorf("ledger says %d sent, the relay got %d", counts[digest.Sent], received)
			}
			switch tc.name {
			case "park":
				if counts[digest.Pending] == 0 || received >= tc.n {
					t.Errorf("the send was not stopped: ledger %v", counts)
				}
				if last.Outcome != digest.RunBaseline {
					t.Errorf("the interrupted run was recorded as handled: %+v", last)
				}
				// digest send goes on where the server stopped.
				var out lockedBuffer
				if err := run(context.Background(), []string{"--config", cfg, "--now", "2026-11-30T08:05:00+08:00", "send", "--json"}, &out, &out); err != nil {
					t.Fatalf("digest send after the stop: %v\n%s", err, out.String())
				}
			case "finish":
				if counts[digest.Sent] != tc.n {
					t.Errorf("with drain time the send did not finish: ledger %v", counts)
				}
				if last.Outcome != digest.RunSent || last.Issue != "2026-W49" {
					t.Errorf("the finished run is not recorded: %+v", last)
				}
			}
			for i := range tc.n {
				addr := fmt.Sprintf("r%03d@example.com", i)
				if c := relay.Count()[addr]; c != 1 {
					t.Errorf("%s got %d copies, want 1", addr, c)
				}
			}
		})
	}
}

// TestServeUnsubscribeDuringSend unsubscribes a recipient while the weekly
// send is under way: the suppression is recorded at once, and the send,
// which has not reached the address yet, skips it.
func TestServeUnsubscribeDuringSend(t *testing.T) {
	relay := mailertest.Start(t)
	started := make(chan struct{})
	var once sync.Once
	relay.OnMessage(func(n int) {
		if n == 5 {
			once.Do(func() { close(started) })
		}
		time.Sleep(15 * time.Millisecond)
	})
	cfg := project(t, smtpConfig(relay)+"send: {concurrency: 1}\n", map[string]string{
		"Clippings/city.md": clipping("十年后的城市", "https://example.com/city", "2026-11-28", "AI"),
	}, subscribersCSV(80))
	s := startCommand(t, map[string]string{"DIGEST_SECRET": serveSecret},
		"--config", cfg, "--now", "2026-11-30T07:59:58+08:00", "serve", "--addr", "127.0.0.1:0")
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatalf("the weekly send did not start:\n%s", s.Stderr.String())
	}
	// The ledger is walked in address order: r079 comes last.
	last := "r079@example.com"
	tok := digest.UnsubscribeToken([]byte(serveSecret), last, "digest-weekly.net")
	if resp, _ := httpPost(t, s.URL+"/unsubscribe?t="+tok, url.Values{"List-Unsubscribe": {"One-Click"}}); resp.StatusCode != 200 {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	waitFor(t, 20*time.Second, "the weekly run", func() bool { return strings.Contains(s.Stderr.String(), "weekly run done") }, s.Stderr.String)
	counts := relay.Count()
	if counts[last] != 0 {
		t.Errorf("%s unsubscribed during the send and still got the issue", last)
	}
	if n := len(counts); n != 79 {
		t.Errorf("%d recipients got the issue, want 79", n)
	}
}
