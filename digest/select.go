package digest

import (
	"sort"
	"time"
)

// Window is the span of clipping times an issue draws from.
type Window struct {
	Since  time.Time // exclusive
	Cutoff time.Time // inclusive
	First  bool      // no earlier issue: only clippings created in the window count, not files first seen in it
}

// FirstWindow is the window of the very first issue: one week back, so that a
// large vault never floods subscribers.
func FirstWindow(cutoff time.Time) Window {
	return Window{Since: cutoff.AddDate(0, 0, -7), Cutoff: cutoff, First: true}
}

// older reports whether a clipping created at created, whose file was first
// seen at firstSeen, is older than w: clipped before it, and not synced into
// the vault during it (after the last issue, though clipped before it).
func (w Window) older(created, firstSeen time.Time) bool {
	if created.After(w.Since) {
		return false
	}
	return w.First || !firstSeen.After(w.Since) || firstSeen.After(w.Cutoff)
}

// Candidate is a clipping that matched a configured tag, with the time the
// tool first saw its file (for clippings synced late into the vault).
type Candidate struct {
	Clip      *Clip
	Tag       string
	FirstSeen time.Time
}

// Decision says why a matching clipping was or was not picked, for preview
// and the --json summary.
type Decision struct {
	Path   string `json:"path"`
	Title  string `json:"title"`
	Tag    string `json:"tag"`
	Picked bool   `json:"picked"`
	Reason string `json:"reason"`
}

// Reasons a matching clipping is left out.
const (
	ReasonPicked    = "new in this window"
	ReasonIncluded  = "already in an earlier issue"
	ReasonDuplicate = "same page as another clipping"
	ReasonTooNew    = "clipped after the cutoff: next issue"
)

// Selector picks an issue's clippings from a stream of candidates, keeping
// only those that can still be picked, so a vault of any size is never held
// in memory.
type Selector struct {
	window   Window
	included func(key, path string) bool
	byKey    map[string]Candidate
	left     []Decision
}

// NewSelector selects for w; included reports whether a clipping (by its key
// or its path) is in an earlier issue.
func NewSelector(w Window, included func(key, path string) bool) *Selector {
	if included == nil {
		included = func(string, string) bool { return false }
	}
	return &Selector{window: w, included: included, byKey: map[string]Candidate{}}
}

// Consider offers one matching clipping.
func (s *Selector) Consider(c Candidate) {
	key := ClipKey(c.Clip)
	leave := func(reason string) {
		s.left = append(s.left, Decision{Path: c.Clip.Path, Title: c.Clip.Title, Tag: c.Tag, Reason: reason})
	}
	w := s.window
	switch {
	case s.included(key, c.Clip.Path):
		leave(ReasonIncluded)
		return
	case c.Clip.Created.After(w.Cutoff):
		leave(ReasonTooNew)
		return
	case w.older(c.Clip.Created, c.FirstSeen):
		return // older than the window: not worth a line in Decisions
	}
	if prev, ok := s.byKey[key]; ok {
		// Keep the earlier clipping of the same page (ties: the shorter path,
		// which is the original before Obsidian's " 1" copies).
		if earlier(c, prev) {
			c, prev = prev, c
			s.byKey[key] = prev
		}
		leave(ReasonDuplicate)
		return
	}
	s.byKey[key] = c
}

// Unwanted reports whether a clipping at path, created at created and first
// seen at firstSeen, cannot be picked: it is in an earlier issue, or older
// than the window. A build need not read such a file again while it is
// unchanged.
func (s *Selector) Unwanted(path string, created, firstSeen time.Time) bool {
	return s.included("", path) || s.window.older(created, firstSeen)
}

func earlier(a, b Candidate) bool {
	if !a.Clip.Created.Equal(b.Clip.Created) {
		return a.Clip.Created.Before(b.Clip.Created)
	}
	if len(a.Clip.Path) != len(b.Clip.Path) {
		return len(a.Clip.Path) < len(b.Clip.Path)
	}
	return a.Clip.Path < b.Clip.Path
}

// Picked returns the chosen candidates in a stable order (by path).
func (s *Selector) Picked() []Candidate {
	out := make([]Candidate, 0, len(s.byKey))
	for _, c := range s.byKey {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Clip.Path < out[j].Clip.Path })
	return out
}

// Decisions returns what was picked and what was left out and why, except
// clippings simply older than the window: in a large vault that is most of
// them.
func (s *Selector) Decisions() []Decision {
	var ds []Decision
	for _, c := range s.Picked() {
		ds = append(ds, Decision{Path: c.Clip.Path, Title: c.Clip.Title, Tag: c.Tag, Picked: true, Reason: ReasonPicked})
	}
	left := append([]Decision(nil), s.left...)
	sort.Slice(left, func(i, j int) bool { return left[i].Path < left[j].Path })
	return append(ds, left...)
}
