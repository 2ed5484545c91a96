package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// scheduler runs the weekly job of `digest serve` at the schedule's times,
// catching up a run missed while the server was down if it is still within
// the grace window, and skipping it with a log line otherwise. Which runs
// were handled is kept in the state, so a restart knows what it missed.
type scheduler struct {
	sched digest.Schedule
	now   func() time.Time
	// sleep waits d or until ctx is done; a fake clock's advances time.
	sleep func(ctx context.Context, d time.Duration) error
	runs  runLog
	// job builds and sends the issue of the run scheduled at at. It is
	// given jobCtx, which outlives ctx by the drain time so that a send
	// can finish or park its deliveries.
	job   func(ctx context.Context, at time.Time) (digest.Run, error)
	log   *slog.Logger
	retry time.Duration // wait after a failed run before trying again
	poll  time.Duration // longest sleep: the clock is looked at again after it
}

// runLog is where handled runs are kept: the state store.
type runLog interface {
	LastRun(ctx context.Context) (digest.Run, error)
	RecordRun(ctx context.Context, r digest.Run) error
}

// loop runs until ctx is done. Jobs run under jobCtx.
func (s *scheduler) loop(ctx, jobCtx context.Context) error {
	last, err := s.runs.LastRun(ctx)
	if errors.Is(err, digest.ErrNotFound) {
		// First start: the runs before it were not missed, there was no
		// server to miss them.
		last = digest.Run{At: s.sched.Prev(s.now()), Outcome: digest.RunBaseline, Finished: s.now()}
		if err := s.runs.RecordRun(ctx, last); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	var announced time.Time
	for ctx.Err() == nil {
		// Another instance sharing the state may have handled a run.
		if last, err = s.runs.LastRun(ctx); err != nil {
			return err
		}
		now := s.now()
		at, due, inGrace := s.sched.Due(last.At, now)
		switch {
		case due && inGrace:
			late := now.Sub(at)
			if late > time.Minute {
				s.log.Info("catching up a missed run", "scheduled", at, "late", late.Round(time.Second))
			} else {
				s.log.Info("weekly run", "scheduled", at)
			}
			r, err := s.job(jobCtx, at)
			if err == nil {
				// Recorded even when a stop came during the run: it finished.
				r.At, r.Finished = at, s.now()
				if err := s.runs.RecordRun(context.WithoutCancel(ctx), r); err != nil {
					return err
				}
				s.log.Info("weekly run done", "scheduled", at, "outcome", r.Outcome, "issue", r.Issue, "detail", r.Detail)
				continue
			}
			if ctx.Err() != nil {
				// Stopped mid-run: not recorded, so that the next start
				// resumes it while it is still fresh.
				s.log.Info("weekly run interrupted", "scheduled", at, "err", err)
				return nil
			}
			s.log.Error("weekly run failed; will try again", "scheduled", at, "err", err, "retry_in", s.retry)
			if s.sleep(ctx, s.retry) != nil {
				return nil
			}
			continue
		case due:
			s.log.Warn("missed run skipped: past the grace window, its issue would be stale",
				"scheduled", at, "late", now.Sub(at).Round(time.Second), "grace", s.sched.GraceWindow())
			skip := digest.Run{At: at, Outcome: digest.RunSkipped, Detail: "missed while down, past the grace window", Finished: now}
			if err := s.runs.RecordRun(ctx, skip); err != nil {
				return err
			}
			continue
		}
		next := s.sched.Next(now)
		if next.IsZero() {
			return nil // an invalid schedule; Config.Resolve refuses those
		}
		if !next.Equal(announced) {
			s.log.Info("next weekly run", "at", next, "in", next.Sub(now).Round(time.Second))
			announced = next
		}
		if s.sleep(ctx, min(next.Sub(now), s.poll)) != nil {
			return nil
		}
	}
	return nil
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
