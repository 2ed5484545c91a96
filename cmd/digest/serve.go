package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/web"
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
	commands["serve"] = command{
		flags: func(fs *flagSet) {
			fs.StringVar(&o.addr, "addr", "localhost:8080", "address to listen on (HOST:PORT)")
			fs.DurationVar(&o.drain, "drain", 20*time.Second, "on SIGTERM, how long a running send may go on before its deliveries are parked")
			fs.BoolVar(&o.jsonLog, "log-json", false, "log JSON lines instead of text")
			fs.BoolVar(&o.trustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (behind a reverse proxy)")
		},
		run: func(ctx context.Context, a *app) error { return a.serve(ctx, o) },
	}
}

// leaseTTL is how long the weekly run's lease lasts unless renewed; a
// holder that died frees it after this.
const leaseTTL = 2 * time.Minute

// serve publishes the site, serves it with the subscription endpoints, and
// runs the weekly build and send at the schedule until ctx is cancelled
// (SIGTERM). Then it stops taking requests, gives a running send the drain
// time to finish, after which the send stops taking messages and parks the
// rest in the ledger as pending, and returns.
func (a *app) serve(ctx context.Context, o serveOptions) error {
	log := a.logger(o.jsonLog)
	secret := []byte(os.Getenv(a.cfg.SecretEnv))
	if err := digest.CheckSecret(secret); err != nil {
		return fmt.Errorf("serve: %s: %w (unsubscribe and confirm links are signed with it)", a.cfg.SecretEnv, err)
	}
	st, err := a.open(ctx)
	if err != nil {
		return err
	}
	r, err := a.templates()
	if err != nil {
		return err
	}
	if err := a.publish(ctx); err != nil {
		return err
	}
	clock := a.clock()
	srv, err := web.New(web.Options{
		Out:         a.cfg.Out,
		Store:       st,
		Site:        a.cfg.Site,
		Secret:      secret,
		Templates:   r.FS(),
		Logger:      log,
		Now:         clock,
		SendConfirm: a.confirmSender(secret, r.FS(), clock),
		TrustProxy:  o.trustProxy,
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("serving", "url", "http://"+l.Addr().String()+"/", "out", a.cfg.Out, "site", a.cfg.Site.URL)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- hs.Serve(l) }()

	// The weekly job runs under jobCtx, which ends the drain time after ctx.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	sched := &scheduler{
		sched: a.cfg.Schedule,
		now:   clock,
		sleep: sleep,
		runs:  st,
		job:   func(ctx context.Context, at time.Time) (digest.Run, error) { return a.weeklyRun(ctx, at, clock, log) },
		log:   log,
		retry: 5 * time.Minute,
		poll:  time.Minute,
	}
	schedDone := make(chan error, 1)
	go func() { schedDone <- sched.loop(loopCtx, jobCtx) }()

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "drain", o.drain)
	case err := <-httpErr:
		runErr = fmt.Errorf("serve: %w", err)
	case err := <-schedDone:
		schedDone <- err
		if err != nil {
			runErr = fmt.Errorf("schedule: %w", err)
		}
	}
	stopLoop()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && runErr == nil {
		runErr = fmt.Errorf("serve: shutdown: %w", err)
	}
	drain := time.AfterFunc(o.drain, cancelJobs)
	if err := <-schedDone; err != nil && runErr == nil {
		runErr = fmt.Errorf("schedule: %w", err)
	}
	drain.Stop()
	cctx, cancelClose := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelClose()
	if err := srv.Close(cctx); err != nil {
		log.Warn("confirmation mails still queued were dropped", "err", err)
	}
	log.Info("stopped")
	return runErr
}

// weeklyRun builds, publishes and sends the issue of the run scheduled at
// at, holding the state's lease so that no other instance runs it at the
// same time. The issue is built as of at, so a run caught up late sends
// the issue it would have sent on time, never an older one.
func (a *app) weeklyRun(ctx context.Context, at time.Time, clock func() time.Time, log *slog.Logger) (digest.Run, error) {
	st, err := a.open(ctx)
	if err != nil {
		return digest.Run{}, err
	}
	lease, err := st.Acquire(ctx, "weekly-run", instanceID(), leaseTTL, clock())
	if err != nil {
		return digest.Run{}, err
	}
	ctx, release := digest.HoldLease(ctx, lease, clock)
	defer release()

	a.now = at
	res, err := a.build(ctx, false)
	if err != nil {
		return digest.Run{}, err
	}
	if err := a.publish(ctx); err != nil {
		return digest.Run{}, err
	}
	if res.issue == nil {
		log.Info("no new clippings with the configured tags: nothing sent", "scheduled", at)
		return digest.Run{Outcome: digest.RunNoIssue}, nil
	}
	if want := digest.IssueID(at, a.cfg.Schedule.Location()); res.issue.ID != want {
		return digest.Run{Outcome: digest.RunSkipped, Issue: res.issue.ID,
			Detail: fmt.Sprintf("the issue built is %s, not this run's %s: not sent", res.issue.ID, want)}, nil
	}
	a.now = clock()
	detail, err := a.sendScheduled(ctx, res.issue)
	if err != nil {
		return digest.Run{}, err
	}
	return digest.Run{Outcome: digest.RunSent, Issue: res.issue.ID, Detail: detail}, nil
}

// sendScheduled sends the issue of a weekly run through the ledger, as
// `digest send` does: to every subscriber who has not had it. When ctx is
// cancelled (SIGTERM, after the drain time) the delivery stops taking
// messages, records those in flight, and leaves the rest pending for the
// next run or `digest send` to go on with.
func (a *app) sendScheduled(ctx context.Context, is *digest.Issue) (string, error) {
	secret, err := a.secret()
	if err != nil {
		return "", err
	}
	rep, err := a.deliverIssue(ctx, is, secret, false, false)
	if err != nil {
		if rep != nil {
			err = fmt.Errorf("%w (%s)", err, rep.summary())
		}
		return "", err
	}
	return rep.summary(), nil
}

// confirmSender mails the double opt-in message through the configured
// relay, or into the outbox when there is none.
func (a *app) confirmSender(secret []byte, templates fs.FS, clock func() time.Time) web.ConfirmSender {
	return func(ctx context.Context, sub digest.Subscriber, link string, expires time.Time) error {
		m, err := email.ComposeConfirm(email.ComposerOptions{
			Site: a.cfg.Site, From: a.cfg.From, Secret: secret, Templates: templates, Date: clock(),
		}, sub, link, expires)
		if err != nil {
			return err
		}
		tr, err := a.transport()
		if err != nil {
			return err
		}
		res, err := mailer.SendOne(ctx, tr, m)
		if err != nil {
			return err
		}
		if res.Outcome != mailer.Delivered {
			return fmt.Errorf("%s: %s: %s", tr, res.Outcome, res.Response)
		}
		return nil
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

var instanceOnce = sync.OnceValue(func() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
})

// instanceID names this process in leases.
func instanceID() string { return instanceOnce() }
