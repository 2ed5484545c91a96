// Package weekly is the life of an issue: building this week's issue from
// the vault, publishing the site, mailing it through the delivery ledger,
// and running both on the weekly schedule. Every command drives it; it
// reaches the outside world only through what a Newsletter is given.
//
// The flow runs one way:
//
//	vault (digest/vault) → clips → Selector → Issue → state (digest.State)
//	Issue → pages and feeds (digest.Renderer) → out/
//	Issue → messages (digest/email) → ledger → relay or outbox (digest/mailer)
//
// A per-tag feed is a matter of Publish and the renderer; a Postgres state
// is another digest.State, wired in cmd/digest and checked by
// digest/storetest.
package weekly

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
)

// Newsletter is one newsletter and everything its life touches.
type Newsletter struct {
	Config    *digest.Config
	State     digest.State
	Vault     fs.FS            // the vault's folder
	Templates fs.FS            // the templates, embedded or overridden
	Transport mailer.Transport // the relay, or the outbox Maildir; nil for no mail
	Outbox    mailer.Transport // the outbox Maildir, for dry runs
	Secret    []byte           // keys tokens and Message-IDs
	// PreviousSecrets still verify tokens made before a rotation.
	PreviousSecrets [][]byte
	DKIM            *email.DKIMSigner // signs every message; nil for none
	// Clock dates each copy as it is sent; nil dates every copy with the
	// run's now (a --now run, a test).
	Clock func() time.Time
	// Log receives one line per thing worth telling the owner; nil for
	// none. Lines carry no trailing newline.
	Log func(format string, args ...any)

	renderer *digest.Renderer
}

func (n *Newsletter) logf(format string, args ...any) {
	if n.Log != nil {
		n.Log(format, args...)
	}
}

// render returns the renderer over the newsletter's templates, parsed once.
func (n *Newsletter) render() (*digest.Renderer, error) {
	if n.renderer == nil {
		r, err := digest.NewRenderer(n.Templates)
		if err != nil {
			return nil, err
		}
		n.renderer = r
	}
	return n.renderer, nil
}

// zone is the time zone the owner reads times in.
func (n *Newsletter) zone() *time.Location { return n.Config.Schedule.Location() }

// when formats t for the owner.
func (n *Newsletter) when(t time.Time) string { return t.In(n.zone()).Format("2006-01-02 15:04 MST") }

// plural writes "1 clipping", "2 clippings".
func plural(k int, one, many string) string {
	if k == 1 {
		return fmt.Sprintf("%d %s", k, one)
	}
	return fmt.Sprintf("%d %s", k, many)
}

// LoadConfig reads the configuration file name. Without explicit (no
// --config), a missing file means the defaults, relative to the current
// folder; defaults then says so.
func LoadConfig(name string, explicit bool) (cfg *digest.Config, defaults bool, err error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		wd, err := os.Getwd()
		if err != nil {
			return nil, false, err
		}
		cfg := digest.DefaultConfig()
		return cfg, true, cfg.Resolve(wd)
	}
	if err != nil {
		return nil, false, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, false, err
	}
	cfg, err = digest.ParseConfig(f, name, filepath.Dir(abs))
	return cfg, false, err
}
