package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/digest-newsletter/digest/digest"
)

func testSettings(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	if _, err := s.Setting(ctx, "x"); !errors.Is(err, digest.ErrNotFound) {
		t.Fatalf("unset setting: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"one", "two"} {
		if err := s.SetSetting(ctx, "x", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, "x"); err != nil || got != v {
			t.Errorf("Setting = %q, %v; want %q", got, err, v)
		}
	}
}
