package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestFileIndexRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t1 := time.Date(2026, 11, 1, 8, 30, 0, 123, time.UTC)
	want := map[string]FileRecord{}
	var x FileIndex
	for i := range 10000 { // several chunks
		r := FileRecord{
			Path:      fmt.Sprintf("Clippings/%d/剪藏 %d.md", i%7, i),
			Size:      int64(i * 37),
			ModTime:   t1.Add(time.Duration(i) * time.Second),
			FirstSeen: t1,
			Sig:       "AI\x1f未来趋势",
		}
		if i%10 == 0 {
			r.Tag, r.Clipped = []string{"AI", "未来趋势"}[i%20/10], t1.AddDate(0, 0, -i)
		}
		want[r.Path] = r
		x.Add(r)
	}
	if err := s.SaveFileIndex(ctx, &x); err != nil {
		t.Fatal(err)
	}
	got, err := s.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	for p, w := range want {
		if g := got[p]; !g.Same(w) || !g.Clipped.Equal(w.Clipped) || g.Clipped.IsZero() != w.Clipped.IsZero() {
			t.Fatalf("record %q = %+v, want %+v", p, g, w)
		}
	}
	// An empty index is an index: no records.
	if err := s.SaveFileIndex(ctx, &FileIndex{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Files(ctx); len(got) != 0 {
		t.Errorf("empty index read as %d records", len(got))
	}
}

func TestFileIndexCorrupt(t *testing.T) {
	var x FileIndex
	x.Add(FileRecord{Path: "a.md", Tag: "AI", Sig: "AI"})
	for n := 1; n < len(x.data); n++ {
		if err := new(Known).decode(x.data[:n]); err == nil {
			t.Errorf("index cut at %d of %d bytes decoded without error", n, len(x.data))
		}
	}
}
