package weekly

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/bounces"
)

// ServeOptions tune Serve.
type ServeOptions struct {
	Handler http.Handler     // the site: archive, feeds, (un)subscribe
	Clock   func() time.Time // the server's time
	Drain   time.Duration    // how long a running send may go on after ctx ends
	Log     *slog.Logger
	// Closed is called once the HTTP server has stopped, to finish what
	// the handler still has queued; it is given a few seconds.
	Closed func(ctx context.Context) error
	// Bounces, when set, opens the bounce mailbox, read at the start and
	// then every BounceEvery beside the schedule.
	Bounces     func(ctx context.Context) (bounces.Mailbox, error)
	BounceEvery time.Duration
}

// Serve serves the site on l and runs the weekly build and send at the
// schedule until ctx is cancelled (SIGTERM). Then it stops taking requests,
// gives a running send the drain time to finish, after which the send stops
// taking messages and parks the rest in the ledger as pending, and returns.
func (n *Newsletter) Serve(ctx context.Context, l net.Listener, o ServeOptions) error {
	log := o.Log
	hs := &http.Server{
		Handler:           o.Handler,
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
	sched := &Scheduler{
		Schedule: n.Config.Schedule,
		Now:      o.Clock,
		Sleep:    Sleep,
		Runs:     n.State,
		Job:      func(ctx context.Context, at time.Time) (digest.Run, error) { return n.Run(ctx, at, o.Clock) },
		Log:      log,
		Retry:    5 * time.Minute,
		Poll:     time.Minute,
	}
	schedDone := make(chan error, 1)
	go func() { schedDone <- sched.Loop(loopCtx, jobCtx) }()
	bouncesDone := make(chan struct{})
	go func() {
		defer close(bouncesDone)
		n.readBouncesEvery(loopCtx, o)
	}()

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "drain", o.Drain)
	case err := <-httpErr:
		runErr = fmt.Errorf("serve: %w", err)
	case err := <-schedDone:
		schedDone <- err
		if err != nil {
			runErr = fmt.Errorf("schedule: %w", err)
		}
	}
	stopLoop()
	<-bouncesDone
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && runErr == nil {
		runErr = fmt.Errorf("serve: shutdown: %w", err)
	}
	drain := time.AfterFunc(o.Drain, cancelJobs)
	if err := <-schedDone; err != nil && runErr == nil {
		runErr = fmt.Errorf("schedule: %w", err)
	}
	drain.Stop()
	if o.Closed != nil {
		cctx, cancelClose := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancelClose()
		if err := o.Closed(cctx); err != nil {
			log.Warn("confirmation mails still queued were dropped", "err", err)
		}
	}
	log.Info("stopped")
	return runErr
}

// readBouncesEvery reads the bounce mailbox now and every o.BounceEvery
// until ctx ends; a mailbox that cannot be read is tried again next time.
func (n *Newsletter) readBouncesEvery(ctx context.Context, o ServeOptions) {
	if o.Bounces == nil || o.BounceEvery <= 0 {
		return
	}
	t := time.NewTicker(o.BounceEvery)
	defer t.Stop()
	for {
		n.readBouncesOnce(ctx, o)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (n *Newsletter) readBouncesOnce(ctx context.Context, o ServeOptions) {
	mb, err := o.Bounces(ctx)
	if err != nil {
		o.Log.Warn("bounce mailbox not read", "err", err)
		return
	}
	defer mb.Close()
	rep, err := n.ReadBounces(ctx, mb, BounceOptions{Now: o.Clock()})
	if err != nil && ctx.Err() == nil {
		o.Log.Warn("bounce mailbox read in part", "mailbox", mb.String(), "err", err)
	}
	if rep != nil && rep.Read > 0 {
		o.Log.Info("bounce mailbox read", "mailbox", rep.Mailbox, "read", rep.Read, "suppressed", rep.Suppressed)
	}
}
