package weekly

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// Scheduler runs the weekly job of `digest serve` at the schedule's times,
// catching up a run missed while the server was down if it is still within
// the grace window, and skipping it with a log line otherwise. Which runs
// were handled is kept in the state, so a restart knows what it missed.
type Scheduler struct {
	Schedule digest.Schedule
	Now      func() time.Time
	// Sleep waits d or until ctx is done; a fake clock's advances time.
	Sleep func(ctx context.Context, d time.Duration) error
	Runs  digest.Runs
	// Job builds and sends the issue of the run scheduled at at. It is
	// given jobCtx, which outlives ctx by the drain time so that a send
	// can finish or park its deliveries.
	Job   func(ctx context.Context, at time.Time) (digest.Run, error)
	Log   *slog.Logger
	Retry time.Duration // wait after a failed run before trying again
	Poll  time.Duration // longest sleep: the clock is looked at again after it
}

// Loop runs until ctx is done. Jobs run under jobCtx.
func (s *Scheduler) Loop(ctx, jobCtx context.Context) error {
	err := s.loop(ctx, jobCtx)
	if ctx.Err() != nil {
		return nil // stopped: whatever was cut short is not an error
	}
	return err
}

func (s *Scheduler) loop(ctx, jobCtx context.Context) error {
	last, err := s.Runs.LastRun(ctx)
	if errors.Is(err, digest.ErrNotFound) {
		// First start: the runs before it were not missed, there was no
		// server to miss them.
		last = digest.Run{At: s.Schedule.Prev(s.Now()), Outcome: digest.RunBaseline, Finished: s.Now()}
		if err := s.Runs.RecordRun(ctx, last); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	var announced time.Time
	for ctx.Err() == nil {
		// Another instance sharing the state may have handled a run.
		if last, err = s.Runs.LastRun(ctx); err != nil {
			return err
		}
		now := s.Now()
		at, due, inGrace := s.Schedule.Due(last.At, now)
		switch {
		case due && inGrace:
			late := now.Sub(at)
			if late > time.Minute {
				s.Log.Info("catching up a missed run", "scheduled", at, "late", late.Round(time.Second))
			} else {
				s.Log.Info("weekly run", "scheduled", at)
			}
			r, err := s.Job(jobCtx, at)
			if err == nil {
				// Recorded even when a stop came during the run: it finished.
				r.At, r.Finished = at, s.Now()
				if err := s.Runs.RecordRun(context.WithoutCancel(ctx), r); err != nil {
					return err
				}
				s.Log.Info("weekly run done", "scheduled", at, "outcome", r.Outcome, "issue", r.Issue, "detail", r.Detail)
				continue
			}
			if ctx.Err() != nil {
				// Stopped mid-run: not recorded, so that the next start
				// resumes it while it is still fresh.
				s.Log.Info("weekly run interrupted", "scheduled", at, "err", err)
				return nil
			}
			s.Log.Error("weekly run failed; will try again", "scheduled", at, "err", err, "retry_in", s.Retry)
			if s.Sleep(ctx, s.Retry) != nil {
				return nil
			}
			continue
		case due:
			s.Log.Warn("missed run skipped: past the grace window, its issue would be stale",
				"scheduled", at, "late", now.Sub(at).Round(time.Second), "grace", s.Schedule.GraceWindow())
			skip := digest.Run{At: at, Outcome: digest.RunSkipped, Detail: "missed while down, past the grace window", Finished: now}
			if err := s.Runs.RecordRun(ctx, skip); err != nil {
				return err
			}
			continue
		}
		next := s.Schedule.Next(now)
		if next.IsZero() {
			return nil // an invalid schedule; Config.Resolve refuses those
		}
		if !next.Equal(announced) {
			s.Log.Info("next weekly run", "at", next, "in", next.Sub(now).Round(time.Second))
			announced = next
		}
		if s.Sleep(ctx, min(next.Sub(now), s.Poll)) != nil {
			return nil
		}
	}
	return nil
}

// Sleep waits d, or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
