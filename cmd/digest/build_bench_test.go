package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/bench/vaultgen"
)

// BenchmarkBuild runs `digest build` on a generated vault of 2,000 notes:
// the first build with a fresh state, and a rebuild a week later with
// nothing changed. bench/compare.sh measures 10,000 and 100,000 against rg.
func BenchmarkBuild(b *testing.B) {
	dir := b.TempDir()
	now := time.Date(2026, 6, 29, 20, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if _, err := vaultgen.WriteVault(filepath.Join(dir, "vault"), vaultgen.Options{Notes: 2000, Seed: 1, Now: now, Recent: 12}); err != nil {
		b.Fatal(err)
	}
	cfg := filepath.Join(dir, "digest.yaml")
	conf := "vault: vault\nstate: state/state.db\nout: public\nsite: {title: Bench, url: https://bench.example.com}\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	build := func(b *testing.B, at time.Time) {
		if err := run(context.Background(), []string{"--config", cfg, "--now", at.Format(time.RFC3339), "build"}, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			os.RemoveAll(filepath.Join(dir, "state"))
			build(b, now)
		}
	})
	b.Run("rebuild", func(b *testing.B) {
		os.RemoveAll(filepath.Join(dir, "state"))
		build(b, now)
		for b.Loop() {
			build(b, now.AddDate(0, 0, 7))
		}
	})
}
