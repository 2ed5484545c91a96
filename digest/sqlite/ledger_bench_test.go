package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// BenchmarkApplyGroup is one group commit of a send at concurrency 4: four
// answers and four sending marks, synced to disk.
func BenchmarkApplyGroup(b *testing.B) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	n := 4*b.N + 4
	rs := make([]digest.Recipient, n)
	for i := range rs {
		rs[i] = digest.Recipient{Email: fmt.Sprintf("reader%07d@example.org", i), Name: "Reader"}
	}
	if _, err := st.AddRecipients(ctx, "2026-W48", 1, rs, now); err != nil {
		b.Fatal(err)
	}
	mark := func(i int) digest.Change {
		return digest.Change{Email: rs[i].Email, From: digest.Pending, To: digest.Sending, MessageID: "<x@y>", Attempts: 1}
	}
	first := []digest.Change{mark(0), mark(1), mark(2), mark(3)}
	if _, err := st.Apply(ctx, "2026-W48", first, now); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		cs := make([]digest.Change, 0, 8)
		for w := range 4 {
			cs = append(cs, digest.Change{Email: rs[4*i+w].Email, From: digest.Sending, To: digest.Sent, Code: 250, Response: "250 2.0.0 Ok: queued as ABC"})
			cs = append(cs, mark(4*i+4+w))
		}
		if _, err := st.Apply(ctx, "2026-W48", cs, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "msg/s")
}
