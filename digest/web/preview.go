package web

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// Preview is one rendering of the next issue as it would be sent now.
type Preview struct {
	Issue     *digest.Issue // nil when there is nothing new to send
	Existing  bool          // the issue was built before (and may have been sent)
	Summary   string        // one line on the build
	Page      []byte        // the issue's web page
	EmailHTML []byte        // the HTML part of the mail
	EmailText []byte        // the plain-text part
	EML       []byte        // the whole message, as a mail client would save it
	To        string        // the recipient the mail was made for
	Decisions []digest.Decision
	Errors    []string // vault files that could not be read
}

// PreviewSource renders the preview. The preview server calls it on every
// request, so that an edit in the vault shows on reload.
type PreviewSource func(ctx context.Context) (*Preview, error)

// previewData is what preview.html is given.
type previewData struct {
	*Preview
	Site     digest.Site
	Rendered time.Time
	Picked   []digest.Decision
	Left     []digest.Decision
}

// NewPreview returns the handler of `digest preview`:
//
//	/            what would be sent, with links, and every clipping considered and why
//	/page        the issue's web page
//	/email.html  the mail's HTML part
//	/email.txt   its plain-text part
//	/issue.eml   the whole message, to download
func NewPreview(src PreviewSource, templates fs.FS, site digest.Site, log *slog.Logger) (http.Handler, error) {
	t, err := htmltemplate.New("preview.html").Funcs(digest.FuncsFor(site.Language)).ParseFS(templates, "preview.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	get := func(w http.ResponseWriter, r *http.Request) *Preview {
		p, err := src(r.Context())
		if err != nil {
			log.Error("preview", "err", err)
			http.Error(w, "preview: "+err.Error(), http.StatusInternalServerError)
			return nil
		}
		return p
	}
	part := func(contentType string, body func(*Preview) []byte, download bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			p := get(w, r)
			if p == nil {
				return
			}
			if p.Issue == nil {
				http.Error(w, "nothing to send now: no new clippings with the configured tags", http.StatusNotFound)
				return
			}
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Cache-Control", "no-store")
			if download {
				h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.eml"`, p.Issue.ID))
			}
			w.Write(body(p))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p := get(w, r)
		if p == nil {
			return
		}
		d := previewData{Preview: p, Site: site, Rendered: time.Now()}
		decisions := p.Decisions
		if p.Existing && len(decisions) == 0 && p.Issue != nil {
			for _, it := range p.Issue.Items {
				decisions = append(decisions, digest.Decision{Path: it.Path, Title: it.Title, Tag: it.Tag, Picked: true,
					Reason: "in the issue, built before"})
			}
		}
		for _, dec := range decisions {
			if dec.Picked {
				d.Picked = append(d.Picked, dec)
			} else {
				d.Left = append(d.Left, dec)
			}
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, d); err != nil {
			log.Error("preview", "err", err)
			http.Error(w, "preview: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	})
	mux.HandleFunc("GET /page", part("text/html; charset=utf-8", func(p *Preview) []byte { return p.Page }, false))
	mux.HandleFunc("GET /email.html", part("text/html; charset=utf-8", func(p *Preview) []byte { return p.EmailHTML }, false))
	mux.HandleFunc("GET /email.txt", part("text/plain; charset=utf-8", func(p *Preview) []byte { return p.EmailText }, false))
	mux.HandleFunc("GET /issue.eml", part("message/rfc822", func(p *Preview) []byte { return p.EML }, true))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes,
			"duration", time.Since(start).Round(time.Microsecond))
	}), nil
}
