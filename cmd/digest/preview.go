package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/web"
)

// previewTo is the recipient the previewed mail is addressed to: one who
// wants every tag.
const previewTo = "reader@example.com"

func init() {
	var addr string
	commands["preview"] = command{
		flags: func(fs *flagSet) {
			fs.StringVar(&addr, "addr", "localhost:8081", "address to listen on (HOST:PORT)")
		},
		run: func(ctx context.Context, a *app) error { return a.preview(ctx, addr) },
	}
}

// preview serves the next issue as it would be sent now, built afresh from
// the vault (and the templates) on every request, writing no state.
func (a *app) preview(ctx context.Context, addr string) error {
	log := a.logger(false)
	r, err := a.templates()
	if err != nil {
		return err
	}
	h, err := web.NewPreview(a.previewSource(), r.FS(), a.cfg.Site, log)
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

// previewSource renders the preview: a dry build at the current time (or
// the --now time), the issue's page, and one subscriber's mail.
func (a *app) previewSource() web.PreviewSource {
	var mu sync.Mutex // build reads a.now and the renderer: one at a time
	start, now0 := time.Now(), a.now
	secret, fake := previewSecret(a.cfg)
	return func(ctx context.Context) (*web.Preview, error) {
		mu.Lock()
		defer mu.Unlock()
		a.now = now0.Add(time.Since(start))
		a.renderer = nil // template edits show on reload too
		r, err := a.templates()
		if err != nil {
			return nil, err
		}
		res, err := a.build(ctx, true)
		if err != nil {
			return nil, err
		}
		p := &web.Preview{Summary: res.summary(), Existing: res.Existing, Decisions: res.Decisions, Errors: res.Errors}
		if res.issue == nil {
			return p, nil
		}
		p.Issue = res.issue
		var buf bytes.Buffer
		if err := r.IssuePage(&buf, a.cfg.Site, res.issue); err != nil {
			return nil, fmt.Errorf("render issue page: %w", err)
		}
		p.Page = bytes.Clone(buf.Bytes())
		c, err := email.NewComposer(res.issue, email.ComposerOptions{
			Site: a.cfg.Site, From: a.cfg.From, Secret: secret, Templates: r.FS(), Date: a.now,
		})
		if err != nil {
			return nil, err
		}
		m, err := c.Compose(digest.Subscriber{Email: previewTo, Status: digest.StatusActive})
		if err != nil {
			return nil, err
		}
		p.To = previewTo
		if fake {
			p.To += " (unsubscribe links made with a stand-in secret: " + a.cfg.SecretEnv + " is not set)"
		}
		buf.Reset()
		if _, err := m.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("write message: %w", err)
		}
		p.EML = bytes.Clone(buf.Bytes())
		p.EmailHTML, p.EmailText = []byte(m.HTML()), []byte(m.Text())
		return p, nil
	}
}

// previewSecret is the configured token secret, or a stand-in when it is
// not set: a preview sends nothing, so its links need not work.
func previewSecret(cfg *digest.Config) (secret []byte, fake bool) {
	s := []byte(os.Getenv(cfg.SecretEnv))
	if digest.CheckSecret(s) == nil {
		return s, false
	}
	return []byte("digest-preview-stand-in-secret"), true
}
