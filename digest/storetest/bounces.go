package storetest

import (
	"context"
	"testing"
	"time"
)

// testSoftBounces: each report counts once per key, per address, whatever
// the case of the address, and the count survives a reopening.
func testSoftBounces(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		email, key string
		want       int
	}{
		{"Ann@example.com", "<dsn1@mx>", 1},
		{"ann@example.com", "<dsn1@mx>", 1}, // the same report read again
		{"bob@example.com", "<dsn2@mx>", 1},
		{"ann@example.com", "<dsn3@mx>", 2},
	}
	for _, st := range steps {
		got, err := s.AddSoftBounce(ctx, st.email, st.key, now)
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Errorf("AddSoftBounce(%s, %s) = %d, want %d", st.email, st.key, got, st.want)
		}
	}
	s2 := mustOpen(t, open)
	for email, want := range map[string]int{"ANN@example.com": 2, "bob@example.com": 1, "cy@example.com": 0} {
		if got, err := s2.SoftBounces(ctx, email); err != nil || got != want {
			t.Errorf("SoftBounces(%s) = %d, %v, want %d", email, got, err, want)
		}
	}
}
