package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/web"
	"github.com/digest-newsletter/digest/digest/weekly"
)

// serveOptions are the flags of `digest serve`.
type serveOptions struct {
	addr       string
	drain      time.Duration // how long a send may go on after SIGTERM
	jsonLog    bool
	trustProxy bool
}

func init() {
	var o serveOptions
	commands["serve"] = &command{
		summary: "serve the archive, feeds and (un)subscribe pages, and build and mail the issue on the weekly schedule",
		flags: func(fs *flagSet) {
			fs.StringVar(&o.addr, "addr", "localhost:8080", "address to listen on (HOST:PORT)")
			fs.DurationVar(&o.drain, "drain", 20*time.Second, "on SIGTERM, how long a running send may go on before its deliveries are parked")
			fs.BoolVar(&o.jsonLog, "log-json", false, "log JSON lines instead of text")
			fs.BoolVar(&o.trustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (behind a reverse proxy)")
		},
		run: func(ctx context.Context, a *app) error { return a.serve(ctx, o) },
	}
}

// serve publishes the site and serves it with the subscription endpoints
// while weekly runs the schedule, until SIGTERM.
func (a *app) serve(ctx context.Context, o serveOptions) error {
	log := a.logger(o.jsonLog)
	n, err := a.newsletter(ctx, true)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := n.CheckSecret(ctx, true); err != nil {
		return err
	}
	n.Log = func(format string, args ...any) { log.Info(digest.MaskAddresses(fmt.Sprintf(format, args...))) }
	if err := n.Publish(ctx); err != nil {
		return err
	}
	clock := a.clock()
	srv, err := web.New(web.Options{
		Out:             a.cfg.Out,
		Store:           a.store,
		Site:            a.cfg.Site,
		Secret:          n.Secret,
		PreviousSecrets: n.PreviousSecrets,
		Templates:       n.Templates,
		Logger:          log,
		Now:             clock,
		SendConfirm:     a.confirmSender(n, clock),
		SendWelcome: func(ctx context.Context, sub digest.Subscriber, prefs string) error {
			return n.SendWelcome(ctx, sub, prefs, clock())
		},
		ConfirmLimit: a.cfg.Subscribe.PerAddress,
		NetworkLimit: a.cfg.Subscribe.PerNetwork,
		MailLimit:    a.cfg.Subscribe.Overall,
		Tags:         a.cfg.Tags,
		TrustProxy:   o.trustProxy,
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("serving", "url", "http://"+l.Addr().String()+"/", "out", a.cfg.Out, "site", a.cfg.Site.URL)
	so := weekly.ServeOptions{Handler: srv, Clock: clock, Drain: o.drain, Log: log, Closed: srv.Close}
	if b := a.cfg.Bounces; b != nil {
		so.Bounces, so.BounceEvery = a.bounceMailbox, b.Every
	}
	return n.Serve(ctx, l, so)
}

// confirmSender mails the double opt-in message through the configured
// relay, or into the outbox when there is none.
func (a *app) confirmSender(n *weekly.Newsletter, clock func() time.Time) web.ConfirmSender {
	return func(ctx context.Context, sub digest.Subscriber, link string, expires time.Time) error {
		return n.SendConfirm(ctx, sub, link, expires, clock())
	}
}

// clock is the server's time: the real time, or with --now a clock that
// starts there and runs.
func (a *app) clock() func() time.Time {
	if !a.fixedNow {
		return time.Now
	}
	start, now0 := time.Now(), a.now
	return func() time.Time { return now0.Add(time.Since(start)) }
}

// logger is the structured log of the long-running commands, on stderr.
func (a *app) logger(json bool) *slog.Logger {
	if json {
		return slog.New(slog.NewJSONHandler(a.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(a.stderr, nil))
}
