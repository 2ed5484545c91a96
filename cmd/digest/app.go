package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/vault"
	"github.com/digest-newsletter/digest/digest/weekly"
	"github.com/digest-newsletter/digest/templates"
)

// Environment variables: secrets never live in the configuration file.
const (
	passwordEnv = "DIGEST_SMTP_PASSWORD"
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

// loadConfig reads the configuration file; without --config a missing
// digest.yaml means the defaults, relative to the current folder, and says
// so.
func (a *app) loadConfig(name string) (*digest.Config, error) {
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
		if err := cfg.Resolve(wd); err != nil {
			return nil, err
		}
		a.logf("no digest.yaml in %s: using the defaults (vault %s); --config FILE names another file", wd, weekly.DisplayPath(cfg.Vault))
		return cfg, nil
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
	if n.DKIM, err = a.dkim(); err != nil {
		return nil, err
	}
	if secret {
		if n.Secret, err = a.secret(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// dkim is the signer of the dkim: setting, or nil without one.
func (a *app) dkim() (*email.DKIMSigner, error) {
	d := a.cfg.DKIM
	if d == nil {
		return nil, nil
	}
	key, err := os.ReadFile(d.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("dkim.key_file: %w", err)
	}
	s, err := email.LoadDKIMSigner(d.Domain, d.Selector, key)
	if err != nil {
		return nil, err
	}
	if e := d.Ed25519; e != nil {
		key, err := os.ReadFile(e.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("dkim.ed25519.key_file: %w", err)
		}
		if err := s.AddKey(e.Selector, key); err != nil {
			return nil, fmt.Errorf("dkim.ed25519: %w", err)
		}
	}
	return s, nil
}

// secret is the HMAC key of the links and Message-IDs, from the
// environment.
func (a *app) secret() ([]byte, error) {
	name := a.cfg.SecretEnv
	secret := []byte(os.Getenv(name))
	if err := digest.CheckSecret(secret); err != nil {
		return nil, fmt.Errorf("%s: %w: it signs the unsubscribe links; generate it once, e.g. openssl rand -hex 32, and keep it (see README)",
			name, err)
	}
	return secret, nil
}

// previousSecrets are the secrets a rotation keeps verifying, from
// <secret_env>_PREVIOUS, space-separated.
func (a *app) previousSecrets() [][]byte {
	var out [][]byte
	for _, s := range strings.Fields(os.Getenv(a.cfg.SecretEnv + "_PREVIOUS")) {
		out = append(out, []byte(s))
	}
	return out
}

// transport is where messages go: the relay of the smtp setting, with the
// password from the environment, or the outbox Maildir without one.
func (a *app) transport() (mailer.Transport, error) {
	if a.cfg.SMTP == nil {
		return &mailer.Maildir{Dir: a.cfg.Outbox}, nil
	}
	c := *a.cfg.SMTP
	if c.Username != "" {
		c.Password = os.Getenv(passwordEnv)
		if c.Password == "" {
			return nil, fmt.Errorf("smtp.username is %q but %s is empty: the relay's password comes from the environment", c.Username, passwordEnv)
		}
	}
	return &mailer.SMTP{Config: c, ReturnPath: a.cfg.ReturnPath}, nil
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
