package digest

import (
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/digest-newsletter/digest/digest/text"
)

// Page is what the page templates are given.
type Page struct {
	Site      Site
	Root      string   // relative path from the page to the site root, "" or "../../"
	Canonical string   // absolute URL of the page
	Issues    []*Issue // the archive, newest first (index)
	Issue     *Issue   // the issue (issue pages)
}

// Renderer renders pages from a template folder (see package templates).
// Templates are parsed once, when it is made.
type Renderer struct {
	index, issue *htmltemplate.Template
	markdown     *texttemplate.Template
	fsys         fs.FS
}

// Funcs are the helpers every template may call.
var Funcs = map[string]any{
	"date":  func(t time.Time) string { return t.Format("2006-01-02") },
	"join":  strings.Join,
	"md":    MarkdownEscape,
	"mdurl": MarkdownURL,
}

// NewRenderer parses the page templates of fsys.
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	page := func(name string) (*htmltemplate.Template, error) {
		t, err := htmltemplate.New(name).Funcs(Funcs).ParseFS(fsys, "base.html", name)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		return t, nil
	}
	r := &Renderer{fsys: fsys}
	var err error
	if r.index, err = page("index.html"); err != nil {
		return nil, err
	}
	if r.issue, err = page("issue.html"); err != nil {
		return nil, err
	}
	if r.markdown, err = texttemplate.New("issue.md").Funcs(Funcs).ParseFS(fsys, "issue.md"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return r, nil
}

// FS is the template folder the renderer was made from.
func (r *Renderer) FS() fs.FS { return r.fsys }

// Index writes the archive page.
func (r *Renderer) Index(w io.Writer, site Site, issues []*Issue) error {
	return r.index.ExecuteTemplate(w, "base", Page{Site: site, Canonical: site.URL + "/", Issues: issues})
}

// IssuePage writes an issue as a web page.
func (r *Renderer) IssuePage(w io.Writer, site Site, is *Issue) error {
	return r.issue.ExecuteTemplate(w, "base", Page{Site: site, Root: "../../", Canonical: site.URL + "/" + is.Path(), Issue: is})
}

// IssueMarkdown writes an issue as portable Markdown.
func (r *Renderer) IssueMarkdown(w io.Writer, site Site, is *Issue) error {
	return r.markdown.Execute(w, Page{Site: site, Root: "../../", Canonical: site.URL + "/" + is.Path(), Issue: is})
}

// MarkdownEscape makes plain text safe to put in Markdown: it cannot start
// markup, a link, a tag or HTML, and carries no control characters.
func MarkdownEscape(s string) string {
	var b strings.Builder
	for _, r := range text.StripControl(s) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '=', '!':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MarkdownURL makes a URL safe as a Markdown link destination written in
// angle brackets: what could end the destination or the link, or open
// HTML, is percent-encoded.
func MarkdownURL(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c <= ' ' || c == 0x7f || strings.IndexByte("<>()[]\\\"'`", c) >= 0:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
