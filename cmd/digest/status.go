package main

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/weekly"
)

func init() {
	var asJSON bool
	commands["status"] = &command{
		summary: "show the issues and their deliveries, the site's subscribers, the last weekly run and the suppressions by cause",
		flags:   func(fs *flagSet) { fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout") },
		run: func(ctx context.Context, a *app) error {
			st, err := a.status(ctx)
			if err != nil {
				return err
			}
			return a.report(st, asJSON, nil)
		},
	}
}

// status reads the state, read-only; with no state file yet it creates
// none and says so.
func (a *app) status(ctx context.Context) (*weekly.Status, error) {
	if _, err := os.Stat(a.cfg.State); errors.Is(err, fs.ErrNotExist) {
		return &weekly.Status{State: weekly.DisplayPath(a.cfg.State) + " (none yet: nothing built)",
			Issues: []weekly.IssueStatus{}, Unmailed: []string{}, Suppressions: []digest.Suppression{}, SuppressedBy: map[string]int{}}, nil
	}
	s, err := sqlite.OpenReadOnly(ctx, a.cfg.State)
	if err != nil {
		return nil, err
	}
	a.store = s
	tr, err := a.transport()
	if err != nil {
		tr = nil // status reads; it needs no password
	}
	n := &weekly.Newsletter{Config: a.cfg, State: s, Transport: tr}
	return n.Status(ctx, weekly.DisplayPath(a.cfg.State))
}
