// Package web is digest's HTTP server: the published site (archive, issues,
// feeds) with conditional GET for feed readers, one-click unsubscribe
// (RFC 8058), subscription by double opt-in, and a health check.
//
//	GET  /…                    files of the out folder; no listings, nothing outside it
//	GET  /unsubscribe?t=TOKEN  a page with a button; never unsubscribes by itself
//	POST /unsubscribe?t=TOKEN  unsubscribes at once (List-Unsubscribe=One-Click)
//	POST /subscribe            email=ADDR[&tag=T…]: mails a confirmation link
//	GET  /confirm?t=TOKEN      a page with a button
//	POST /confirm?t=TOKEN      confirms the subscription (once) and mails a welcome
//	GET  /preferences?t=TOKEN  the reader's tags, pause, leave
//	POST /preferences?t=TOKEN  changes them
//	GET  /healthz              200 when the state answers
//	OPTIONS any                the methods a path answers, in Allow
//
// The server sets no cookies and never says whether an address is
// subscribed: every subscribe request gets the same answer. Subscribe
// requests are limited per network (/24 for IPv4, /56 for IPv6) and
// confirmation mails overall; a limited request gets 429 and Retry-After.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// ConfirmSender delivers the double opt-in mail to sub, asking them to open
// confirmURL before expires.
type ConfirmSender func(ctx context.Context, sub digest.Subscriber, confirmURL string, expires time.Time) error

// State is what the server keeps: subscriptions and suppressions.
type State interface {
	digest.SiteSubscribers
	digest.Suppressions
	Ping(ctx context.Context) error
}

// Options configure a Server.
type Options struct {
	Out    string // the published site's folder
	Store  State
	Site   digest.Site
	List   string // what tokens are bound to; "" means Site.Host(), as the Composer does
	Secret []byte // the token key; must pass digest.CheckSecret
	// PreviousSecrets still verify tokens, so that links mailed before a
	// rotation of the secret keep working.
	PreviousSecrets [][]byte
	Templates       fs.FS // base.html, unsubscribe.html, confirm_page.html, message.html
	Logger          *slog.Logger
	Now             func() time.Time // nil means time.Now

	// SendConfirm mails confirmation links; nil turns subscribing off.
	SendConfirm ConfirmSender
	// SendWelcome mails a reader who just confirmed; nil sends nothing.
	SendWelcome  WelcomeSender
	ConfirmTTL   time.Duration       // how long a confirmation link works; 0 means 48 h
	ConfirmLimit digest.ConfirmLimit // per address; zero means digest.DefaultConfirmLimit
	// NetworkLimit bounds subscribe requests per client network (/24,
	// /56); MailLimit the confirmation mails in all. Zero means
	// digest.DefaultSubscribe's.
	NetworkLimit Rate
	MailLimit    Rate
	// Tags are the configured tags: with more than one, the subscribe
	// form and the preferences page offer a choice.
	Tags []string
	// TrustProxy takes the client address from the last X-Forwarded-For
	// hop, for a server behind a reverse proxy.
	TrustProxy bool
}

// Server handles digest's HTTP endpoints. Make one with New; call Close
// when done, to send the confirmation mails still queued.
type Server struct {
	opt   Options
	log   *slog.Logger
	now   func() time.Time
	list  string
	pages *pages
	mux   *http.ServeMux

	netLimit  *limiter
	mailLimit *limiter
	queue     chan subscribeRequest
	quit      chan struct{} // closed when Close gives up waiting: deferred mails are dropped
	wg        sync.WaitGroup
	mu        sync.RWMutex // guards closed, and queue against a send after close
	closed    bool
	quitOnce  sync.Once
}

// New checks the options and parses the page templates.
func New(opt Options) (*Server, error) {
	if err := digest.CheckSecret(opt.Secret); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if opt.Store == nil {
		return nil, errors.New("web: no state store")
	}
	if opt.Out == "" {
		return nil, errors.New("web: no folder to serve")
	}
	s := &Server{opt: opt, log: opt.Logger, now: opt.Now, list: opt.List}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.list == "" {
		s.list = opt.Site.Host()
	}
	if s.opt.ConfirmTTL <= 0 {
		s.opt.ConfirmTTL = 48 * time.Hour
	}
	if s.opt.ConfirmLimit == (digest.ConfirmLimit{}) {
		s.opt.ConfirmLimit = digest.DefaultConfirmLimit
	}
	if s.opt.NetworkLimit == (Rate{}) {
		s.opt.NetworkLimit = digest.DefaultSubscribe.PerNetwork
	}
	if s.opt.MailLimit == (Rate{}) {
		s.opt.MailLimit = digest.DefaultSubscribe.Overall
	}
	var err error
	if s.pages, err = parsePages(opt.Templates, opt.Site.Language); err != nil {
		return nil, err
	}
	s.netLimit = newLimiter(s.opt.NetworkLimit)
	s.mailLimit = newLimiter(s.opt.MailLimit)
	s.queue = make(chan subscribeRequest, 256)
	s.quit = make(chan struct{})
	s.wg.Add(1)
	go s.mailer()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /unsubscribe", s.unsubscribePage)
	mux.HandleFunc("POST /unsubscribe", s.unsubscribe)
	mux.HandleFunc("POST /subscribe", s.subscribe)
	mux.HandleFunc("GET /confirm", s.confirmPage)
	mux.HandleFunc("POST /confirm", s.confirm)
	mux.HandleFunc("GET /preferences", s.preferencesPage)
	mux.HandleFunc("POST /preferences", s.preferences)
	mux.HandleFunc("/", s.static)
	s.mux = mux
	return s, nil
}

// ServeHTTP refuses paths that try to leave the site, then routes the
// request, logging it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	w = rec
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case badPath(r.URL.Path):
		s.message(w, r, http.StatusBadRequest, "badpath")
	case r.Method == http.MethodOptions:
		h.Set("Allow", allowed(r.URL.Path))
		w.WriteHeader(http.StatusNoContent)
	default:
		s.mux.ServeHTTP(w, r)
	}
	level := slog.LevelInfo
	if r.URL.Path == "/healthz" {
		level = slog.LevelDebug
	}
	// The query is left out: it holds tokens.
	s.log.Log(r.Context(), level, "http",
		"method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes,
		"duration", time.Since(start).Round(time.Microsecond), "client", s.clientIP(r))
}

// Close stops taking subscribe requests and sends the confirmation mails
// still queued, until ctx is done.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.quitOnce.Do(func() { close(s.quit) })
		return ctx.Err()
	}
}

// allowed lists the methods served at path, for OPTIONS and 405 answers.
func allowed(path string) string {
	switch path {
	case "/unsubscribe", "/confirm", "/preferences":
		return "GET, HEAD, POST, OPTIONS"
	case "/subscribe":
		return "POST, OPTIONS"
	}
	return "GET, HEAD, OPTIONS"
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.opt.Store.Ping(ctx); err != nil {
		s.log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "state unavailable")
		return
	}
	fmt.Fprintln(w, "ok")
}

// badPath reports whether a request path has a dot segment, a backslash or
// a NUL: nothing the site has, and what an attempt to leave it looks like,
// however it was encoded.
func badPath(p string) bool {
	if strings.ContainsAny(p, "\\\x00") {
		return true
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." || seg == "." {
			return true
		}
	}
	return false
}

// network is the block of addresses a client is counted in: its /24 for
// IPv4, its /56 for IPv6 (what one home or carrier NAT gets), so that
// rotating addresses within one network does not escape the limit.
func network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	bits := 24
	if a.Is6() {
		bits = 56
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// clientIP is the address of the client.
func (s *Server) clientIP(r *http.Request) string {
	if s.opt.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(hops[len(hops)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recorder remembers the status and size of a response, for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
