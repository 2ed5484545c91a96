package digest

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

func schedule(t *testing.T, weekday, hhmm, zone string, grace time.Duration) Schedule {
	t.Helper()
	s := Schedule{Weekday: weekday, Time: hhmm, Timezone: zone, Grace: grace}
	if err := s.resolve(); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduleNext(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	berlin := mustLoad(t, "Europe/Berlin")
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name              string
		weekday, at, zone string
		after             time.Time
		want              string // RFC3339 in UTC
	}{
		{"plain week", "monday", "08:00", "Asia/Shanghai", utc("2026-11-24T00:00:00Z"), "2026-11-30T00:00:00Z"},
		{"same day before the time", "monday", "08:00", "Asia/Shanghai", utc("2026-11-29T23:59:00Z"), "2026-11-30T00:00:00Z"},
		{"exactly at a run gives the next", "monday", "08:00", "Asia/Shanghai", utc("2026-11-30T00:00:00Z"), "2026-12-07T00:00:00Z"},

		// New York springs forward on Sunday 2026-03-08 at 02:00 EST → 03:00 EDT.
		{"NY monday 08:00 before spring forward is EST", "monday", "08:00", "America/New_York", utc("2026-02-28T00:00:00Z"), "2026-03-02T13:00:00Z"},
		{"NY monday 08:00 after spring forward is EDT", "monday", "08:00", "America/New_York", utc("2026-03-02T13:00:00Z"), "2026-03-09T12:00:00Z"},
		{"NY 02:30 does not exist on spring-forward day: 03:30 EDT", "sunday", "02:30", "America/New_York", time.Date(2026, 3, 7, 12, 0, 0, 0, ny), "2026-03-08T07:30:00Z"},
		{"NY 02:00 is the gap's start: 03:00 EDT", "sunday", "02:00", "America/New_York", time.Date(2026, 3, 7, 12, 0, 0, 0, ny), "2026-03-08T07:00:00Z"},
		{"NY run after the gap day is back at 02:30", "sunday", "02:30", "America/New_York", utc("2026-03-08T07:30:00Z"), "2026-03-15T06:30:00Z"},
		{"NY 03:00 on spring-forward day exists", "sunday", "03:00", "America/New_York", time.Date(2026, 3, 7, 12, 0, 0, 0, ny), "2026-03-08T07:00:00Z"},

		// New York falls back on Sunday 2026-11-01 at 02:00 EDT → 01:00 EST.
		{"NY 01:30 repeats on fall-back day: the first (EDT)", "sunday", "01:30", "America/New_York", time.Date(2026, 10, 31, 12, 0, 0, 0, ny), "2026-11-01T05:30:00Z"},
		{"NY no second 01:30 on fall-back day", "sunday", "01:30", "America/New_York", utc("2026-11-01T05:30:00Z"), "2026-11-08T06:30:00Z"},
		{"NY inside the repeated hour, after the first 01:30", "sunday", "01:30", "America/New_York", utc("2026-11-01T06:10:00Z"), "2026-11-08T06:30:00Z"},
		{"NY monday 08:00 after fall back is EST", "monday", "08:00", "America/New_York", utc("2026-10-27T00:00:00Z"), "2026-11-02T13:00:00Z"},

		// Berlin: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
		{"Berlin 02:30 in the gap: 03:30 CEST", "sunday", "02:30", "Europe/Berlin", time.Date(2026, 3, 28, 9, 0, 0, 0, berlin), "2026-03-29T01:30:00Z"},
		{"Berlin 02:30 repeats: the first (CEST)", "sunday", "02:30", "Europe/Berlin", time.Date(2026, 10, 24, 9, 0, 0, 0, berlin), "2026-10-25T00:30:00Z"},
		{"Berlin no second 02:30", "sunday", "02:30", "Europe/Berlin", utc("2026-10-25T00:30:00Z"), "2026-11-01T01:30:00Z"},
		{"Berlin monday 08:00 across spring forward", "monday", "08:00", "Europe/Berlin", utc("2026-03-24T00:00:00Z"), "2026-03-30T06:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := schedule(t, tt.weekday, tt.at, tt.zone, 0)
			got := s.Next(tt.after)
			if got.UTC().Format(time.RFC3339) != tt.want {
				t.Errorf("Next(%s) = %s (%s), want %s", tt.after.UTC().Format(time.RFC3339), got.UTC().Format(time.RFC3339), got, tt.want)
			}
			if got.Location() != s.Location() {
				t.Errorf("Next returned a time in %v, want the schedule's zone %v", got.Location(), s.Location())
			}
			if p := s.Prev(got); !p.Equal(got) {
				t.Errorf("Prev(%s) = %s, want the run itself", got, p)
			}
			if p := s.Prev(got.Add(-time.Second)); !p.Before(got) || s.Next(p) != got {
				t.Errorf("Prev just before the run = %s, whose Next is %s, want %s", p, s.Next(p), got)
			}
		})
	}
}

// TestScheduleWeekly walks two years of runs in DST zones at awkward times
// (in and around the transition hours) with a fake clock stepping by the
// hour: every run is found exactly once, one per week, on the weekday, at the
// wall time except on spring-forward days.
func TestScheduleWeekly(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Shanghai"} {
		for _, hhmm := range []string{"00:00", "01:30", "02:00", "02:30", "03:00", "08:00", "23:59"} {
			s := schedule(t, "sunday", hhmm, zone, 0)
			loc := s.Location()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
			end := start.AddDate(2, 0, 0)
			var runs []time.Time
			next := s.Next(start)
			for now := start; now.Before(end); now = now.Add(time.Hour) {
				// A server polling every hour: whatever came due since the
				// last poll is due now.
				if !next.After(now) {
					runs = append(runs, next)
					next = s.Next(next)
				}
			}
			for i, r := range runs {
				local := r.In(loc)
				if local.Weekday() != time.Sunday {
					t.Errorf("%s %s: run %s on a %s", zone, hhmm, local, local.Weekday())
				}
				if got := local.Format("15:04"); got != hhmm {
					// Only a time that does not exist that day may move, and
					// only forwards, by less than the jump (at most 1 h here).
					want, _ := time.ParseInLocation("2006-01-02 15:04", local.Format("2006-01-02 ")+hhmm, loc)
					if exists := want.In(loc).Format("15:04") == hhmm; exists || local.Sub(want) > time.Hour {
						t.Errorf("%s %s: run at %s", zone, hhmm, local)
					}
				}
				if i > 0 {
					gap := r.Sub(runs[i-1])
					if gap < 7*24*time.Hour-time.Hour || gap > 7*24*time.Hour+time.Hour {
						t.Errorf("%s %s: %s after the previous run %s", zone, hhmm, gap, runs[i-1].In(loc))
					}
					if runs[i-1].In(loc).YearDay() == local.YearDay() {
						t.Errorf("%s %s: two runs on %s", zone, hhmm, local.Format("2006-01-02"))
					}
				}
			}
			if n := len(runs); n < 103 || n > 105 {
				t.Errorf("%s %s: %d runs in two years, want 104", zone, hhmm, n)
			}
		}
	}
}

func TestScheduleDue(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	// Sunday 02:30 New York: on 2026-03-08 the run is at 03:30 EDT.
	s := schedule(t, "sunday", "02:30", "America/New_York", 0)
	gapRun := time.Date(2026, 3, 8, 3, 30, 0, 0, ny)
	prevRun := time.Date(2026, 3, 1, 2, 30, 0, 0, ny)
	tests := []struct {
		name        string
		s           Schedule
		done, now   time.Time
		wantRun     time.Time
		ok, inGrace bool
	}{
		{"nothing due yet", s, prevRun, time.Date(2026, 3, 8, 1, 0, 0, 0, ny), time.Time{}, false, false},
		{"due on time", s, prevRun, gapRun, gapRun, true, true},
		{"already handled", s, gapRun, gapRun.Add(time.Hour), time.Time{}, false, false},
		{"down over the run, back 3 h later: catch up", s, prevRun, gapRun.Add(3 * time.Hour), gapRun, true, true},
		{"back at the edge of the default 24 h grace", s, prevRun, gapRun.Add(24 * time.Hour), gapRun, true, true},
		{"back 25 h later: skip", s, prevRun, gapRun.Add(25 * time.Hour), gapRun, true, false},
		{"custom grace of 2 h: 3 h late is skipped", schedule(t, "sunday", "02:30", "America/New_York", 2*time.Hour), prevRun, gapRun.Add(3 * time.Hour), gapRun, true, false},
		{"down for three weeks: only the latest run, late", s, prevRun.AddDate(0, 0, -14), gapRun.Add(2 * time.Hour), gapRun, true, true},
		{"down for three weeks, back after the grace: skip the latest", s, prevRun.AddDate(0, 0, -14), gapRun.AddDate(0, 0, 2), gapRun, true, false},
		{"first start, no run handled", s, time.Time{}, gapRun.Add(time.Minute), gapRun, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, ok, inGrace := tt.s.Due(tt.done, tt.now)
			if !run.Equal(tt.wantRun) || ok != tt.ok || inGrace != tt.inGrace {
				t.Errorf("Due(%s, %s) = %s, %v, %v; want %s, %v, %v", tt.done, tt.now, run, ok, inGrace, tt.wantRun, tt.ok, tt.inGrace)
			}
		})
	}
}

func TestScheduleInvalid(t *testing.T) {
	s := Schedule{Weekday: "someday", Time: "08:00", Timezone: "UTC"}
	if got := s.Next(time.Now()); !got.IsZero() {
		t.Errorf("Next of an invalid schedule = %v, want the zero time", got)
	}
	// A hand-made valid one is resolved on the fly.
	s = Schedule{Weekday: "Monday", Time: "08:00", Timezone: "UTC"}
	if got := s.Next(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("Next = %v, want 2026-11-30 08:00 UTC", got)
	}
}
