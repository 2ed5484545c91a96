package digest

import (
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"strings"
	"sync"
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
	Prev      *Issue   // the issue before it, if any
	Next      *Issue   // the issue after it, if any
	Tags      []string // the tags a reader may choose on the subscribe form; none for one tag
}

// Description is the page's one-line summary for search engines and link
// previews: the editor's note, else the first item's title and excerpt,
// else the site's title.
func (p Page) Description() string {
	if is := p.Issue; is != nil {
		if s := is.IntroText(); s != "" {
			return text.Truncate(s, 200)
		}
		if len(is.Items) > 0 {
			it := is.Items[0]
			s := it.Title
			if it.Excerpt != "" {
				s += " — " + it.Excerpt
			}
			return text.Truncate(s, 200)
		}
	}
	if len(p.Issues) > 0 {
		return p.Site.Title + " · " + p.Issues[0].Title
	}
	return p.Site.Title
}

// page is the Page of the site's pages, with the tag choice of the
// subscribe form when several tags are configured.
func page(site Site, root, canonical string) Page {
	p := Page{Site: site, Root: root, Canonical: canonical}
	if len(site.Tags) > 1 {
		p.Tags = site.Tags
	}
	return p
}

// Renderer renders pages from a template folder (see package templates).
// Templates are parsed once, when it is made.
type Renderer struct {
	fsys fs.FS
	mu   sync.Mutex
	sets map[string]*templateSet // by catalogue language, parsed on first use
}

// templateSet is the page templates with the words of one language.
type templateSet struct {
	index, issue *htmltemplate.Template
	markdown     *texttemplate.Template
}

// Funcs are the helpers every template may call; the words and dates of
// "t", "th" and "day" are English here, in the site's language from FuncsFor.
var Funcs = map[string]any{
	"date":   func(t time.Time) string { return t.Format("2006-01-02") },
	"join":   strings.Join,
	"md":     MarkdownEscape,
	"mdurl":  MarkdownURL,
	"slug":   TagURLPath,
	"yaml":   yamlString,
	"link":   Link,
	"addr":   Addr,
	"font":   func(lang string) htmltemplate.CSS { return htmltemplate.CSS(FontStack(lang)) },
	"t":      func(key string, args ...any) string { return T(LangEN, key, args...) },
	"th":     func(key string, args ...any) htmltemplate.HTML { return THTML(LangEN, key, args...) },
	"day":    func(t time.Time) string { return Day(LangEN, t) },
	"uilang": func() string { return LangEN },
}

// NewRenderer parses the page templates of fsys, so that a broken
// template is reported at once.
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	r := &Renderer{fsys: fsys, sets: map[string]*templateSet{}}
	if _, err := r.set(LangEN); err != nil {
		return nil, err
	}
	return r, nil
}

// set returns the templates in the words of a site language.
func (r *Renderer) set(language string) (*templateSet, error) {
	lang := UILang(language)
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.sets[lang]; ok {
		return s, nil
	}
	funcs := FuncsFor(lang)
	page := func(name string) (*htmltemplate.Template, error) {
		t, err := htmltemplate.New(name).Funcs(funcs).ParseFS(r.fsys, "base.html", name)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		return t, nil
	}
	s := &templateSet{}
	var err error
	if s.index, err = page("index.html"); err != nil {
		return nil, err
	}
	if s.issue, err = page("issue.html"); err != nil {
		return nil, err
	}
	if s.markdown, err = texttemplate.New("issue.md").Funcs(funcs).ParseFS(r.fsys, "issue.md"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	r.sets[lang] = s
	return s, nil
}

// FS is the template folder the renderer was made from.
func (r *Renderer) FS() fs.FS { return r.fsys }

// Index writes the archive page.
func (r *Renderer) Index(w io.Writer, site Site, issues []*Issue) error {
	s, err := r.set(site.Language)
	if err != nil {
		return err
	}
	p := page(site, "", site.URL+"/")
	p.Issues = issues
	return s.index.ExecuteTemplate(w, "base", p)
}

// IssuePage writes an issue as a web page.
func (r *Renderer) IssuePage(w io.Writer, site Site, is *Issue) error {
	return r.IssuePageNav(w, site, is, nil, nil)
}

// IssuePageNav writes an issue as a web page linking the issues before and
// after it (nil for none).
func (r *Renderer) IssuePageNav(w io.Writer, site Site, is, prev, next *Issue) error {
	s, err := r.set(site.Language)
	if err != nil {
		return err
	}
	p := page(site, "../../", site.URL+"/"+is.Path())
	p.Issue, p.Prev, p.Next = is, prev, next
	return s.issue.ExecuteTemplate(w, "base", p)
}

// Favicon writes the site's icon, favicon.svg of the templates.
func (r *Renderer) Favicon(w io.Writer) error {
	b, err := fs.ReadFile(r.fsys, "favicon.svg")
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// IssueMarkdown writes an issue as portable Markdown.
func (r *Renderer) IssueMarkdown(w io.Writer, site Site, is *Issue) error {
	s, err := r.set(site.Language)
	if err != nil {
		return err
	}
	return s.markdown.Execute(w, Page{Site: site, Root: "../../", Canonical: site.URL + "/" + is.Path(), Issue: is})
}

// yamlString quotes s for YAML frontmatter: a JSON string is a YAML
// double-quoted scalar, with every control character escaped.
func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
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
