package weekly

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

// fakeClock is the scheduler's clock in these tests: sleeping moves it on
// at once, and the test ends when it passes end.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	end    time.Time
	cancel context.CancelFunc
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	over := !c.t.Before(c.end)
	c.mu.Unlock()
	if over {
		c.cancel()
	}
	return ctx.Err()
}

type schedRun struct {
	sched digest.Schedule
	clock *fakeClock
	store *sqlite.Store
	log   bytes.Buffer
	jobs  []time.Time // scheduled times the job ran for
	// fail makes the job fail while it returns true.
	fail func(at, now time.Time) bool
}

func newSchedRun(t *testing.T, weekday, hhmm, zone string, grace time.Duration) *schedRun {
	t.Helper()
	cfg := digest.DefaultConfig()
	cfg.Schedule = digest.Schedule{Weekday: weekday, Time: hhmm, Timezone: zone, Grace: grace}
	if err := cfg.Resolve(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &schedRun{sched: cfg.Schedule, store: st}
}

// run runs the scheduler from start until the fake clock reaches end.
func (r *schedRun) run(t *testing.T, start, end time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.clock = &fakeClock{t: start, end: end, cancel: cancel}
	s := &Scheduler{
		Schedule: r.sched,
		Now:      r.clock.now,
		Sleep:    r.clock.sleep,
		Runs:     r.store,
		Log:      slog.New(slog.NewTextHandler(&r.log, nil)),
		Retry:    5 * time.Minute,
		Poll:     time.Hour,
		Job: func(ctx context.Context, at time.Time) (digest.Run, error) {
			if r.fail != nil && r.fail(at, r.clock.now()) {
				return digest.Run{}, errors.New("relay down")
			}
			r.jobs = append(r.jobs, at)
			return digest.Run{Outcome: digest.RunSent, Issue: digest.IssueID(at, r.sched.Location())}, nil
		},
	}
	if err := s.Loop(ctx, ctx); err != nil {
		t.Fatal(err)
	}
}

func (r *schedRun) record(t *testing.T, at time.Time) {
	t.Helper()
	if err := r.store.RecordRun(context.Background(), digest.Run{At: at, Outcome: digest.RunSent, Finished: at}); err != nil {
		t.Fatal(err)
	}
}

func stamps(ts []time.Time) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.UTC().Format(time.RFC3339))
	}
	return strings.Join(s, " ")
}

func TestSchedulerFirstStartAndWeeks(t *testing.T) {
	r := newSchedRun(t, "monday", "08:00", "Asia/Shanghai", 0)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// Started on Monday at 09:00, an hour after the run: not a missed run,
	// there was no server before.
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, sh)
	r.run(t, start, start.AddDate(0, 0, 15))
	want := "2026-12-07T00:00:00Z 2026-12-14T00:00:00Z"
	if got := stamps(r.jobs); got != want {
		t.Errorf("runs %s, want %s", got, want)
	}
	last, err := r.store.LastRun(context.Background())
	if err != nil || last.Issue != "2026-W51" || last.Outcome != digest.RunSent {
		t.Errorf("last run %+v, %v", last, err)
	}
}

// TestSchedulerDST runs a year of Sundays in New York: at 02:30, which does
// not exist on spring-forward day (run at 03:30 EDT), and at 01:30, which
// happens twice on fall-back day (run once, at the first). The job runs once
// a week, a week apart give or take the hour the clocks moved.
func TestSchedulerDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, tc := range []struct {
		hhmm         string
		spring, fall string // the runs on the DST weekends, UTC
	}{
		{"02:30", "2026-03-08T07:30:00Z", "2026-11-01T07:30:00Z"},
		{"01:30", "2026-03-08T06:30:00Z", "2026-11-01T05:30:00Z"},
	} {
		r := newSchedRun(t, "sunday", tc.hhmm, "America/New_York", 0)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, ny)
		r.run(t, start, start.AddDate(1, 0, 0))
		if n := len(r.jobs); n != 52 {
			t.Errorf("%s: %d runs in 2026, want 52 Sundays", tc.hhmm, n)
		}
		got := " " + stamps(r.jobs) + " "
		for _, w := range []string{tc.spring, tc.fall} {
			if strings.Count(got, " "+w[:10]) != 1 || !strings.Contains(got, " "+w+" ") {
				t.Errorf("%s: want exactly one run on %s, at %s; runs: %s", tc.hhmm, w[:10], w, got)
			}
		}
		for i := 1; i < len(r.jobs); i++ {
			if d := r.jobs[i].Sub(r.jobs[i-1]); d < 167*time.Hour || d > 169*time.Hour {
				t.Errorf("%s: %s between runs %s and %s", tc.hhmm, d, r.jobs[i-1].In(ny), r.jobs[i].In(ny))
			}
		}
	}
}

func TestSchedulerCatchUp(t *testing.T) {
	ber, _ := time.LoadLocation("Europe/Berlin")
	// Sunday 2026-03-29 02:30 does not exist in Berlin: the run is 03:30 CEST.
	run := time.Date(2026, 3, 29, 3, 30, 0, 0, ber)
	tests := []struct {
		name     string
		grace    time.Duration
		lastDone time.Time     // the last run handled before the server went down
		back     time.Duration // when the server comes back, after run
		want     string        // jobs run until the next week's run, exclusive
		skipped  bool
	}{
		{"down over the run, back within the default grace", 0, run.AddDate(0, 0, -7), 5 * time.Hour, "2026-03-29T01:30:00Z", false},
		{"back just inside the grace", 0, run.AddDate(0, 0, -7), 24 * time.Hour, "2026-03-29T01:30:00Z", false},
		{"back after the grace: skipped", 0, run.AddDate(0, 0, -7), 25 * time.Hour, "", true},
		{"a short custom grace", 2 * time.Hour, run.AddDate(0, 0, -7), 3 * time.Hour, "", true},
		{"down three weeks: only the latest run is caught up", 0, run.AddDate(0, 0, -21), time.Hour, "2026-03-29T01:30:00Z", false},
		{"already handled before going down", 0, run, time.Hour, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSchedRun(t, "sunday", "02:30", "Europe/Berlin", tt.grace)
			r.record(t, tt.lastDone)
			start := run.Add(tt.back)
			r.run(t, start, time.Date(2026, 4, 5, 2, 0, 0, 0, ber)) // before the next week's 02:30
			if got := stamps(r.jobs); got != tt.want {
				t.Errorf("jobs %q, want %q", got, tt.want)
			}
			last, _ := r.store.LastRun(context.Background())
			if skipped := last.Outcome == digest.RunSkipped; skipped != tt.skipped {
				t.Errorf("last run %+v, skipped %v, want %v", last, skipped, tt.skipped)
			}
			if tt.skipped && !strings.Contains(r.log.String(), "missed run skipped") {
				t.Errorf("no log line for the skipped run:\n%s", r.log.String())
			}
			if tt.want != "" && tt.back > time.Minute && !strings.Contains(r.log.String(), "catching up") {
				t.Errorf("no log line for the catch-up:\n%s", r.log.String())
			}
		})
	}
}

func TestSchedulerRetriesWithinGrace(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	run := time.Date(2026, 11, 30, 8, 0, 0, 0, sh)

	// The relay is down for three hours: the run is retried, and made once.
	r := newSchedRun(t, "monday", "08:00", "Asia/Shanghai", 0)
	r.record(t, run.AddDate(0, 0, -7))
	r.fail = func(at, now time.Time) bool { return now.Before(run.Add(3 * time.Hour)) }
	r.run(t, run.Add(-time.Minute), run.Add(24*time.Hour))
	if got := stamps(r.jobs); got != "2026-11-30T00:00:00Z" {
		t.Errorf("jobs %q, want the run once", got)
	}

	// Down for longer than the grace: given up with a log line, and the next
	// week runs as usual.
	r = newSchedRun(t, "monday", "08:00", "Asia/Shanghai", 0)
	r.record(t, run.AddDate(0, 0, -7))
	r.fail = func(at, now time.Time) bool { return now.Before(run.Add(30 * time.Hour)) }
	r.run(t, run.Add(-time.Minute), run.AddDate(0, 0, 7).Add(time.Hour))
	if got := stamps(r.jobs); got != "2026-12-07T00:00:00Z" {
		t.Errorf("jobs %q, want only the next week's", got)
	}
	if !strings.Contains(r.log.String(), "missed run skipped") {
		t.Errorf("no skip logged:\n%s", r.log.String())
	}
}
