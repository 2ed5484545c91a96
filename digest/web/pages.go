package web

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// pageData is what the server's page templates are given. Site, Root and
// Canonical are what base.html needs, as for the published pages.
type pageData struct {
	Site      digest.Site
	Root      string // the site's path, "/" unless it is served below a prefix
	Canonical string
	Lang      string // the catalogue language of the site: en, zh-CN, zh-TW, ja
	View      string // which state of the page to show
	Email     string
	Token     string
	Expires   time.Time
	Wait      int    // minutes to wait, for limited and deferred answers
	Prefs     string // the preferences link
	Saved     string // what the preferences form just did: "saved", "notags"
	Paused    bool
	Choices   []tagChoice // the tags to choose from, when there are several
	Tags      []string    // the configured tags, for the subscribe form
}

// Description is the pages' meta description: the site's title.
func (d pageData) Description() string { return d.Site.Title }

// pages are the server's page templates, each over base.html.
type pages struct {
	unsubscribe, confirm, message, preferences *htmltemplate.Template
}

func parsePages(fsys fs.FS, language string) (*pages, error) {
	if fsys == nil {
		return nil, fmt.Errorf("web: no templates")
	}
	parse := func(name string) (*htmltemplate.Template, error) {
		t, err := htmltemplate.New(name).Funcs(digest.FuncsFor(language)).ParseFS(fsys, "base.html", name)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		return t, nil
	}
	var p pages
	var err error
	if p.unsubscribe, err = parse("unsubscribe.html"); err != nil {
		return nil, err
	}
	if p.confirm, err = parse("confirm_page.html"); err != nil {
		return nil, err
	}
	if p.message, err = parse("message.html"); err != nil {
		return nil, err
	}
	if p.preferences, err = parse("preferences.html"); err != nil {
		return nil, err
	}
	return &p, nil
}

// render writes a page of the server: never cached, never sending the
// token in a Referer, and loading nothing from elsewhere.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, t *htmltemplate.Template, d pageData) {
	d.Site = s.opt.Site
	d.Lang = digest.UILang(s.opt.Site.Language)
	d.Root = sitePath(s.opt.Site.URL)
	d.Canonical = s.opt.Site.URL + r.URL.Path
	if len(s.opt.Tags) > 1 {
		d.Tags = s.opt.Tags
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", d); err != nil {
		s.log.Error("render page", "template", t.Name(), "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// message writes the page of a short message: an error, or the answer to a
// subscribe request.
func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, view string) {
	s.render(w, r, status, s.pages.message, pageData{View: view})
}

// sitePath is the path of the site's URL, ending in a slash.
func sitePath(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return "/"
	}
	return strings.TrimSuffix(u.Path, "/") + "/"
}
