package digest

import (
	"testing"
	"time"
)

func TestSelector(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	clip := func(path, src string, created time.Time) *Clip {
		return &Clip{Path: path, Title: path, Source: src, Created: created}
	}
	tests := []struct {
		name     string
		window   Window
		included map[string]bool
		cands    []Candidate
		want     []string // picked paths
		reasons  map[string]string
	}{
		{
			name:   "first issue looks back one week only",
			window: FirstWindow(day(23)),
			cands: []Candidate{
				{Clip: clip("new.md", "", day(20)), FirstSeen: day(23)},
				{Clip: clip("old.md", "", day(10)), FirstSeen: day(23)},
			},
			want: []string{"new.md"},
		},
		{
			name:   "later issues take files first seen in the window (late sync)",
			window: Window{Since: day(16), Cutoff: day(23)},
			cands: []Candidate{
				{Clip: clip("late.md", "", day(2)), FirstSeen: day(20)},
				{Clip: clip("stale.md", "", day(2)), FirstSeen: day(10)},
			},
			want: []string{"late.md"},
		},
		{
			name:   "first issue ignores first-seen, or a new vault would flood",
			window: FirstWindow(day(23)),
			cands:  []Candidate{{Clip: clip("late.md", "", day(2)), FirstSeen: day(23)}},
			want:   nil,
		},
		{
			name:   "the same page clipped twice appears once, the earlier copy",
			window: FirstWindow(day(23)),
			cands: []Candidate{
				{Clip: clip("a 1.md", "https://www.example.com/a/?utm_source=x#top", day(21))},
				{Clip: clip("a.md", "http://example.com/a", day(20))},
			},
			want:    []string{"a.md"},
			reasons: map[string]string{"a 1.md": ReasonDuplicate},
		},
		{
			name:     "never in two issues, by key or by path",
			window:   Window{Since: day(16), Cutoff: day(23)},
			included: map[string]bool{"https://example.com/a": true, "moved.md": true},
			cands: []Candidate{
				{Clip: clip("again.md", "https://example.com/a", day(20))},
				{Clip: clip("moved.md", "", day(20))},
			},
			want:    nil,
			reasons: map[string]string{"again.md": ReasonIncluded, "moved.md": ReasonIncluded},
		},
		{
			name:    "after the cutoff waits for the next issue",
			window:  FirstWindow(day(23)),
			cands:   []Candidate{{Clip: clip("future.md", "", day(24))}},
			reasons: map[string]string{"future.md": ReasonTooNew},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSelector(tt.window, func(k, p string) bool { return tt.included[k] || tt.included[p] })
			for _, c := range tt.cands {
				s.Consider(c)
			}
			var got []string
			for _, c := range s.Picked() {
				got = append(got, c.Clip.Path)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("picked %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("picked %q, want %q", got, tt.want)
				}
			}
			for _, d := range s.Decisions() {
				if want, ok := tt.reasons[d.Path]; ok && d.Reason != want {
					t.Errorf("%s: reason %q, want %q", d.Path, d.Reason, want)
				}
			}
		})
	}
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.Example.com/a/?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2"},
		{"http://example.com:80/a", "https://example.com/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"https://mp.weixin.qq.com/s/abc", "https://mp.weixin.qq.com/s/abc"},
	}
	for _, tt := range tests {
		u, _ := webURL(tt.in)
		if got := NormalizeURL(u); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIssueID(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 9, 0, 0, 0, sh), "2026-W48"},
		// Sunday 20:00 UTC is already Monday in Shanghai: the next week.
		{time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC), "2026-W49"},
		{time.Date(2027, 1, 1, 9, 0, 0, 0, sh), "2026-W53"},
	}
	for _, tt := range tests {
		if got := IssueID(tt.t, sh); got != tt.want {
			t.Errorf("IssueID(%v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}
