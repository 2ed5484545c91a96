package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

func TestFilesRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t1 := time.Date(2026, 11, 1, 8, 30, 0, 123, time.UTC)
	want := map[string]digest.FileRecord{}
	var recs []digest.FileRecord
	for i := range 1013 { // whole INSERTs of filesPerInsert rows and a last, shorter one
		r := digest.FileRecord{
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
		recs = append(recs, r)
	}
	if err := s.SaveFiles(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		got, err := s.Files(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("read %d records, want %d", len(got), len(want))
		}
		for p, w := range want {
			if g := got[p]; !g.Same(w) || g.Clipped.IsZero() != w.Clipped.IsZero() {
				t.Fatalf("record %q = %+v, want %+v", p, g, w)
			}
		}
	}
	check()
	// A changed file replaces its record; a gone one is forgotten.
	changed := recs[1]
	changed.Size, changed.Tag, changed.Clipped = 1, "AI", t1
	gone := []string{recs[2].Path, "never-seen.md"}
	want[changed.Path] = changed
	delete(want, recs[2].Path)
	if err := s.SaveFiles(ctx, []digest.FileRecord{changed}, gone); err != nil {
		t.Fatal(err)
	}
	check()
}
