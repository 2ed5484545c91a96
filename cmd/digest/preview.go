package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/web"
	"github.com/digest-newsletter/digest/digest/weekly"
)

func init() {
	var addr string
	commands["preview"] = &command{
		summary: "serve the issue a plain send would mail now, rendered afresh on every request; records nothing",
		flags: func(fs *flagSet) {
			fs.StringVar(&addr, "addr", "localhost:8081", "address to listen on (`host:port`)")
		},
		run: func(ctx context.Context, a *app) error { return a.preview(ctx, addr) },
	}
}

// preview serves the next issue as it would be mailed now, built afresh
// from the vault (and the templates) on every request, writing no state.
func (a *app) preview(ctx context.Context, addr string) error {
	n, err := a.newsletter(ctx, false)
	if err != nil {
		return err
	}
	secret, fake := a.previewSecret()
	n.Secret = secret
	var mu sync.Mutex // one rendering at a time
	clock := a.clock()
	src := func(ctx context.Context) (*web.Preview, error) {
		mu.Lock()
		defer mu.Unlock()
		p, err := n.Preview(ctx, clock())
		if err != nil {
			return nil, err
		}
		b := p.Build
		wp := &web.Preview{Summary: b.Summary(), Existing: b.Published, Decisions: b.Decisions, Errors: b.Errors,
			Issue: b.IssueBuilt(), Page: p.Page, EML: p.EML, EmailHTML: p.HTML, EmailText: p.Text}
		if wp.Issue != nil {
			wp.To = weekly.PreviewTo
			if fake {
				wp.To += " (unsubscribe links made with a stand-in secret: " + a.cfg.SecretEnv + " is not set)"
			}
		}
		return wp, nil
	}
	h, err := web.NewPreview(src, n.Templates, a.cfg.Site, a.logger(false))
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	a.logf("previewing on http://%s/ (reload to render again; Ctrl-C to stop)", l.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("preview: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("preview: %w", err)
	}
	return nil
}

// previewSecret is the configured token secret, or a stand-in when it is
// not set: a preview sends nothing, so its links need not work.
func (a *app) previewSecret() (secret []byte, fake bool) {
	s := []byte(os.Getenv(a.cfg.SecretEnv))
	if digest.CheckSecret(s) == nil {
		return s, false
	}
	return []byte("digest-preview-stand-in-secret"), true
}
