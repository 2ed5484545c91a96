package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/templates"
)

// app is what every command works with: the configuration, the pretend or
// real time, the output streams, and the state opened on first use.
type app struct {
	cfg            *digest.Config
	now            time.Time
	fixedNow       bool // --now was given
	stdout, stderr io.Writer
	store          *sqlite.Store
	renderer       *digest.Renderer
}

func newApp(g *globals, stdout, stderr io.Writer) (*app, error) {
	now, err := parseNow(g.now)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(g.config)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, now: now, fixedNow: g.now != "", stdout: stdout, stderr: stderr}, nil
}

// loadConfig reads the configuration file; without --config a missing
// digest.yaml means the defaults, relative to the current folder.
func loadConfig(name string) (*digest.Config, error) {
	explicit := name != ""
	if !explicit {
		name = "digest.yaml"
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		cfg := digest.DefaultConfig()
		return cfg, cfg.Resolve(wd)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, err
	}
	return digest.ParseConfig(f, name, filepath.Dir(abs))
}

// open returns the state store, opening it on first use.
func (a *app) open(ctx context.Context) (*sqlite.Store, error) {
	if a.store == nil {
		s, err := sqlite.Open(ctx, a.cfg.State)
		if err != nil {
			return nil, err
		}
		a.store = s
	}
	return a.store, nil
}

// templates returns the renderer over the embedded templates and the
// configured override folder, parsed once.
func (a *app) templates() (*digest.Renderer, error) {
	if a.renderer == nil {
		fsys, err := templates.Overlay(a.cfg.Templates)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		r, err := digest.NewRenderer(fsys)
		if err != nil {
			return nil, err
		}
		a.renderer = r
	}
	return a.renderer, nil
}

func (a *app) close() {
	if a.store != nil {
		a.store.Close()
	}
}

// logf writes one line of progress to stderr.
func (a *app) logf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "digest: "+format+"\n", args...)
}

// printJSON writes the --json summary of a run.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
