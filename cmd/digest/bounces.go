package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"

	"github.com/digest-newsletter/digest/digest/bounces"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/weekly"
)

// imapPasswordEnv holds the password of the bounce mailbox on IMAP.
const imapPasswordEnv = "DIGEST_IMAP_PASSWORD"

// imapTLS, when set, replaces the default TLS configuration of the IMAP
// connection: the tests trust their own server's certificate with it.
var imapTLS *tls.Config

func init() {
	var asJSON bool
	commands["bounces"] = &command{
		summary: "read the bounce mailbox: bounces, complaints and mailed unsubscribe requests become suppressions",
		flags:   func(fs *flagSet) { fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout") },
		run: func(ctx context.Context, a *app) error {
			rep, err := a.readBounces(ctx)
			if err != nil {
				return err
			}
			return a.report(rep, asJSON, nil)
		},
	}
}

// readBounces reads the bounce mailbox into the state.
func (a *app) readBounces(ctx context.Context) (*weekly.BounceReport, error) {
	if a.cfg.Bounces == nil {
		return nil, errors.New("bounces: no bounce mailbox is configured: set bounces: {maildir: ./bounces} or {imap: imaps://user@host/INBOX}, with return_path")
	}
	secret, previous, err := a.secret()
	if err != nil {
		return nil, err
	}
	s, err := sqlite.Open(ctx, a.cfg.State)
	if err != nil {
		return nil, err
	}
	a.store = s
	n := &weekly.Newsletter{Config: a.cfg, State: s, Secret: secret, PreviousSecrets: previous, Log: a.logf}
	if err := n.CheckSecret(ctx, false); err != nil {
		return nil, err
	}
	mb, err := a.bounceMailbox(ctx)
	if err != nil {
		return nil, err
	}
	defer mb.Close()
	return n.ReadBounces(ctx, mb, weekly.BounceOptions{Now: a.now})
}

// bounceMailbox opens the configured bounce mailbox.
func (a *app) bounceMailbox(ctx context.Context) (bounces.Mailbox, error) {
	b := a.cfg.Bounces
	if b.Maildir != "" {
		return &bounces.Maildir{Dir: b.Maildir}, nil
	}
	pw := os.Getenv(imapPasswordEnv)
	if pw == "" {
		return nil, fmt.Errorf("bounces.imap is set but %s is empty: the mailbox's password comes from the environment", imapPasswordEnv)
	}
	return bounces.OpenIMAP(ctx, b.IMAP, pw, b.Move, imapTLS)
}
