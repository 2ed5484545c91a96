package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/vault"
	"github.com/digest-newsletter/digest/digest/weekly"
	"github.com/digest-newsletter/digest/templates"
)

// app wires a command to the outside world: the configuration, the time
// (real, or --now), the output streams, and the state opened on first use.
type app struct {
	cfg            *digest.Config
	now            time.Time
	fixedNow       bool // --now was given
	stdout, stderr io.Writer
	store          *sqlite.Store
	args           []string // the arguments of a command that takes some
}

func newApp(g *globals, stdout, stderr io.Writer, withConfig bool) (*app, error) {
	now, err := parseNow(g.now)
	if err != nil {
		return nil, err
	}
	a := &app{now: now, fixedNow: g.now != "", stdout: stdout, stderr: stderr}
	if withConfig {
		if a.cfg, err = a.loadConfig(g.config); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// loadConfig reads the configuration file, saying so when there is none
// and the defaults apply.
func (a *app) loadConfig(name string) (*digest.Config, error) {
	cfg, defaults, err := weekly.LoadConfig(cmp.Or(name, "digest.yaml"), name != "")
	if defaults && err == nil {
		a.logf("no digest.yaml here: using the defaults (vault %s); --config FILE names another file", weekly.DisplayPath(cfg.Vault))
	}
	return cfg, err
}

// newsletter wires the weekly package to the state, the vault, the
// templates and the mail transport. With secret, the token secret must be
// set (and is checked against the one links were signed with).
func (a *app) newsletter(ctx context.Context, secret bool) (*weekly.Newsletter, error) {
	if a.store == nil {
		s, err := sqlite.Open(ctx, a.cfg.State)
		if err != nil {
			return nil, err
		}
		a.store = s
	}
	tmpl, err := templates.Overlay(a.cfg.Templates)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	n := &weekly.Newsletter{
		Config:    a.cfg,
		State:     a.store,
		Vault:     vault.DirFS(a.cfg.Vault),
		Templates: tmpl,
		Outbox:    &mailer.Maildir{Dir: a.cfg.Outbox},
		Log:       a.logf,
	}
	if !a.fixedNow {
		n.Clock = time.Now // each copy dated at its sending
	}
	if info, err := os.Stat(a.cfg.Vault); err != nil {
		return nil, fmt.Errorf("vault: %w (the vault setting names the folder of clippings)", err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("vault: %s is not a folder", a.cfg.Vault)
	}
	if n.Transport, err = a.transport(); err != nil {
		return nil, err
	}
	if n.DKIM, err = email.LoadDKIM(a.cfg.DKIM); err != nil {
		return nil, err
	}
	if secret {
		if n.Secret, n.PreviousSecrets, err = a.secret(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// secret is the token secret from the environment, and the previous ones
// a rotation keeps verifying.
func (a *app) secret() ([]byte, [][]byte, error) { return weekly.Secrets(a.cfg, os.Getenv) }

// transport is where messages go: the relay, or the outbox Maildir.
func (a *app) transport() (mailer.Transport, error) { return mailer.FromConfig(a.cfg, os.Getenv) }

func (a *app) close() {
	if a.store != nil {
		a.store.Close()
	}
}

// logf writes one line of progress to stderr.
func (a *app) logf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "digest: "+format+"\n", args...)
}

// report prints what a run did: with asJSON, JSON on stdout; otherwise
// its text form on stdout and its summary line on stderr, where it has
// them. err, the run's own error, is returned.
func (a *app) report(rep any, asJSON bool, err error) error {
	var out error
	switch r := rep.(type) {
	case nil:
	case interface{ WriteText(io.Writer) error }:
		if !asJSON {
			out = r.WriteText(a.stdout)
		}
	}
	if s, ok := rep.(interface{ Summary() string }); ok && !asJSON {
		a.logf("%s", s.Summary())
	}
	if asJSON {
		out = a.printJSON(rep)
	}
	return cmp.Or(err, out)
}

// printJSON writes the --json summary of a run.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
