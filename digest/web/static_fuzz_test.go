package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzStaticPath throws request targets at the server: whatever the path,
// nothing outside the served folder (private/secret.txt beside it, reached
// by .. or by a symbolic link) and no hidden file comes back, and nothing
// makes it fail with a 5xx.
func FuzzStaticPath(f *testing.F) {
	for _, seed := range []string{
		"/", "/feed.xml", "/issues/2026-W48/", "/issues/2026-W48", "/../private/secret.txt",
		"/%2e%2e/private/secret.txt", "/..%2fprivate%2fsecret.txt", "/link/secret.txt", "/secret.txt",
		"/issues/.tmp-index.html-123", "//etc/passwd", "/./feed.xml", "/issues/../../private/secret.txt",
		"/unsubscribe?t=x", "/confirm?t=", "/healthz", "/%00", "/..\\private\\secret.txt",
	} {
		f.Add(seed)
	}
	e := start(f)
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest("GET", "http://digest.test"+target, nil)
		if err != nil {
			return // not a request line a client could send
		}
		rec := httptest.NewRecorder()
		e.Server.ServeHTTP(rec, req)
		body := rec.Body.String()
		if strings.Contains(body, "TOP-SECRET") || strings.Contains(body, "half written") {
			t.Fatalf("GET %q: %d served a file outside the site", target, rec.Code)
		}
		if rec.Code >= 500 {
			t.Fatalf("GET %q: %d", target, rec.Code)
		}
	})
}
