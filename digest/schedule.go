package digest

import "time"

// DefaultGrace is how late a missed weekly run may still be caught up when
// the schedule does not say.
const DefaultGrace = 24 * time.Hour

// Next returns the first scheduled run strictly after after. Runs fall on the
// schedule's weekday at its wall-clock time in its zone, once a week, across
// daylight-saving changes: on the day clocks spring forward past the time,
// the run is at the same distance after the jump as the time was after the
// start of the gap (08:30 in a gap of 08:00–09:00 runs at 09:30 new time);
// on the day they fall back over it, it runs at the first of the two.
//
// A Schedule that was not resolved by Config.Resolve is resolved here; if it
// is invalid, Next returns the zero time.
func (s Schedule) Next(after time.Time) time.Time {
	if !s.ready() {
		return time.Time{}
	}
	y, m, d := after.In(s.loc).Date()
	// Eight days ahead always reach the next weekday; one day back covers a
	// run pushed past midnight by a gap that straddles it.
	for i := -1; i <= 8; i++ {
		if t, ok := s.on(y, m, d+i); ok && t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// Prev returns the last scheduled run at or before t.
func (s Schedule) Prev(t time.Time) time.Time {
	if !s.ready() {
		return time.Time{}
	}
	y, m, d := t.In(s.loc).Date()
	for i := 1; i >= -8; i-- {
		if r, ok := s.on(y, m, d+i); ok && !r.After(t) {
			return r
		}
	}
	return time.Time{}
}

// Due says what a server should do at now when every run up to and
// including done has been handled (run or skipped): the latest scheduled run
// after done and at or before now, if any (ok), and whether it is still
// within the grace window (run it now, late) or past it (skip it: the issue
// it would send is stale). Older missed runs are superseded by the latest.
func (s Schedule) Due(done, now time.Time) (run time.Time, ok, inGrace bool) {
	run = s.Prev(now)
	if run.IsZero() || !run.After(done) {
		return time.Time{}, false, false
	}
	return run, true, now.Sub(run) <= s.grace()
}

// GraceWindow is how late a missed run may still be caught up: Grace, or
// DefaultGrace when it is zero.
func (s Schedule) GraceWindow() time.Duration { return s.grace() }

func (s Schedule) grace() time.Duration {
	if s.Grace <= 0 {
		return DefaultGrace
	}
	return s.Grace
}

// ready resolves a hand-made Schedule on a copy and reports whether it is
// valid.
func (s *Schedule) ready() bool {
	if s.loc != nil {
		return true
	}
	return s.resolve() == nil
}

// on returns the run on the civil date y-m-d (normalised, so d may be out of
// range) if that date is the schedule's weekday.
func (s Schedule) on(y int, m time.Month, d int) (time.Time, bool) {
	date := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	if date.Weekday() != s.day {
		return time.Time{}, false
	}
	y, m, d = date.Date()
	return wallTime(y, m, d, s.min/60, s.min%60, s.loc), true
}

// wallTime is the instant the clocks of loc show y-m-d hh:mm, chosen without
// relying on time.Date's unspecified choice at a transition: the earlier of
// two instants when the time repeats, and the time read with the offset
// before the change when it does not exist.
func wallTime(y int, m time.Month, d, hh, mm int, loc *time.Location) time.Time {
	// The wall time as seconds of a clock at UTC; an instant u shows it when
	// u + offset(u) == wall.
	wall := time.Date(y, m, d, hh, mm, 0, 0, time.UTC).Unix()
	offset := func(u int64) int64 { _, off := time.Unix(u, 0).In(loc).Zone(); return int64(off) }
	before, after := offset(wall-2*86400), offset(wall+2*86400)
	best := int64(0)
	found := false
	for _, off := range []int64{before, after} {
		u := wall - off
		if offset(u) == off && (!found || u < best) {
			best, found = u, true
		}
	}
	if !found {
		// A gap: read it with the offset in force before the jump.
		best = wall - before
	}
	return time.Unix(best, 0).In(loc)
}
