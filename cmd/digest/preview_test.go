package main

import (
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

func TestPreview(t *testing.T) {
	cfg := project(t, "", map[string]string{
		"Clippings/city.md":   clipping("十年后的城市", "https://example.com/city", "2026-11-28", "AI"),
		"Clippings/city 1.md": clipping("十年后的城市 (again)", "https://example.com/city?utm_source=x", "2026-11-29", "AI"),
		"Clippings/work.md":   clipping("The future of work", "https://example.org/work", "2026-11-27", "未来趋势"),
		"Clippings/other.md":  clipping("Cooking", "https://example.net/food", "2026-11-27", "food"),
	}, "email\nann@example.com\n")
	dir := filepath.Dir(cfg)
	p := startCommand(t, map[string]string{"DIGEST_SECRET": "preview-test-secret-0123456789"},
		"--config", cfg, "--now", "2026-11-30T09:00:00+08:00", "preview", "--addr", "127.0.0.1:0")

	resp, body := httpGet(t, p.URL+"/")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"Weekly Digest #1", "十年后的城市", "The future of work", "new in this window", "same page as another clipping", "#AI", "#未来趋势"} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %q", want)
		}
	}
	if strings.Contains(body, "Cooking") {
		t.Error("an untagged clipping is listed")
	}
	for _, part := range []struct{ path, ctype, want string }{
		{"/page", "text/html", "十年后的城市"},
		{"/email.html", "text/html", "unsubscribe?t="},
		{"/email.txt", "text/plain", "The future of work"},
		{"/issue.eml", "message/rfc822", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"},
	} {
		resp, body := httpGet(t, p.URL+part.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), part.ctype) || !strings.Contains(body, part.want) {
			t.Errorf("GET %s: %d %s, want %s with %q", part.path, resp.StatusCode, resp.Header.Get("Content-Type"), part.ctype, part.want)
		}
		if part.path == "/issue.eml" {
			if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "2026-W49.eml") {
				t.Errorf("Content-Disposition %q", cd)
			}
			m, err := mail.ReadMessage(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative") || m.Header.Get("To") == "" {
				t.Errorf(".eml headers: %v", m.Header)
			}
		}
	}

	// An edit in the vault shows on the next request.
	if err := os.WriteFile(filepath.Join(dir, "vault", "Clippings", "new.md"),
		[]byte(clipping("Brand new clipping", "https://example.com/new", "2026-11-29", "AI")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, body := httpGet(t, p.URL+"/page"); !strings.Contains(body, "Brand new clipping") {
		t.Error("a clipping added to the vault does not show on reload")
	}
	if err := p.stop(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	// Preview writes no state: no issue, no file records.
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.LastIssue(context.Background()); !errors.Is(err, digest.ErrNotFound) {
		t.Errorf("preview saved an issue: %v", err)
	}
	if files, _ := st.Files(context.Background()); len(files) != 0 {
		t.Errorf("preview recorded %d vault files", len(files))
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("preview wrote the site")
	}
}
