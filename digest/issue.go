package digest

import (
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest/text"
)

// Issue is one weekly edition. Once saved it is a snapshot: its items carry
// the titles and excerpts as they were, so rebuilding never changes what
// subscribers got.
type Issue struct {
	ID     string    // ISO week of its first build in the schedule's zone, e.g. 2026-W48
	Number int       // 1 for the first issue
	Title  string    // the editor's note's title, else e.g. "Weekly Digest #3 · December 1"
	Since  time.Time // items clipped after this …
	Cutoff time.Time // … and up to this
	Items  []Item    // in group order, then newest first
	Note   *Note     // the editor's note, if any

	Published time.Time // first built
	Updated   time.Time // last built: an issue is refreshed until it is mailed
}

// Note is the editor's note of an issue: a note of the vault whose
// frontmatter says `digest: next` or `digest: <issue id>`. Its title is the
// issue's title and subject; its body, Markdown, the introduction.
type Note struct {
	Path  string // in the vault
	Title string
	Body  string // Markdown
}

// Item is one clipping as an issue shows it.
type Item struct {
	Key     string   // what makes two clippings the same page: normalised source URL, else "path:"+Path
	Path    string   // in the vault
	Title   string   //
	URL     string   // the source when it is an http(s) URL, else empty
	Site    string   // host of URL without "www."
	Authors []string //
	Clipped time.Time
	Tag     string // the configured tag it matched
	Minutes int    // reading time
	Excerpt string // plain text
	Lang    string // BCP 47 language of the clipping (zh-Hans, ja, en …), "" when unknown
}

// Group is the items of one configured tag.
type Group struct {
	Tag   string
	Items []Item
}

// Groups returns the items grouped by tag, in the order tags first appear.
func (is *Issue) Groups() []Group {
	var gs []Group
	idx := map[string]int{}
	for _, it := range is.Items {
		i, ok := idx[it.Tag]
		if !ok {
			i = len(gs)
			idx[it.Tag] = i
			gs = append(gs, Group{Tag: it.Tag})
		}
		gs[i].Items = append(gs[i].Items, it)
	}
	return gs
}

// Tags lists the distinct tags of the issue's items.
func (is *Issue) Tags() []string {
	var ts []string
	for _, g := range is.Groups() {
		ts = append(ts, g.Tag)
	}
	return ts
}

// Path is the issue's folder in the published site, relative to its root.
func (is *Issue) Path() string { return "issues/" + is.ID + "/" }

// IssueID names the issue whose cutoff is t: its ISO week in loc.
func IssueID(t time.Time, loc *time.Location) string {
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// The bounds on what an item takes from its clipping, so that one clipping
// with a 2 MB title cannot make every mail 4 MB.
const (
	MaxTitleWidth  = 300 // display columns
	MaxAuthorWidth = 100 // display columns, each
	MaxAuthors     = 10
)

// NewItem snapshots a selected clipping for an issue. Its title, authors
// and excerpt are bounded and carry no control characters.
func NewItem(c *Clip, tag string, excerptWidth int) Item {
	it := Item{
		Key:     ClipKey(c),
		Path:    c.Path,
		Title:   text.Truncate(text.StripControl(c.Title), MaxTitleWidth),
		Clipped: c.Created,
		Tag:     tag,
	}
	for _, a := range c.Authors {
		if len(it.Authors) == MaxAuthors {
			break
		}
		if a = strings.TrimSpace(text.Truncate(text.StripControl(a), MaxAuthorWidth)); a != "" {
			it.Authors = append(it.Authors, a)
		}
	}
	if u, ok := webURL(c.Source); ok {
		it.URL = u.String()
		it.Site = text.StripControl(strings.TrimPrefix(u.Hostname(), "www."))
	}
	it.Minutes = text.ReadingMinutes(text.PlainText(c.Body))
	it.Excerpt = text.StripControl(text.Excerpt(c.Description, c.Body, excerptWidth))
	return it
}

// SortItems orders items by the position of their tag in tags, then newest
// clipped first, then by title, so an issue reads the same on every build.
func SortItems(items []Item, tags []string) {
	pos := func(t string) int {
		for i, w := range tags {
			if TagMatches(t, w) {
				return i
			}
		}
		return len(tags)
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if pa, pb := pos(a.Tag), pos(b.Tag); pa != pb {
			return pa < pb
		}
		if !a.Clipped.Equal(b.Clipped) {
			return a.Clipped.After(b.Clipped)
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.Path < b.Path
	})
}

// ClipKey is what makes two clippings the same page: the normalised source
// URL when there is one, else the path in the vault.
func ClipKey(c *Clip) string {
	if u, ok := webURL(c.Source); ok {
		return NormalizeURL(u)
	}
	return "path:" + c.Path
}

func webURL(s string) (*url.URL, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// trackingParams are query parameters that never change which page a URL names.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "mc_cid": true, "mc_eid": true, "ref": true,
	"ref_src": true, "spm": true, "from": true, "share_source": true, "si": true,
}

// NormalizeURL reduces a URL to what identifies the page: scheme folded to
// https, lower-case host without "www." and default port, no fragment, no
// tracking parameters (utm_* and friends), sorted query, no trailing slash.
func NormalizeURL(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(strings.ToLower(k), "utm_") || trackingParams[strings.ToLower(k)] {
			q.Del(k)
		}
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	s := "https://" + host + path
	if enc := q.Encode(); enc != "" {
		s += "?" + enc
	}
	return s
}

// Intro is the editor's note rendered as HTML, or "" without one.
func (is *Issue) Intro() htmltemplate.HTML {
	if is.Note == nil || is.Note.Body == "" {
		return ""
	}
	return htmltemplate.HTML(text.HTML(is.Note.Body))
}

// IntroText is the editor's note as plain text, or "" without one.
func (is *Issue) IntroText() string {
	if is.Note == nil {
		return ""
	}
	return text.PlainText([]byte(is.Note.Body))
}

// Date is when the issue was first published (its cutoff, for issues
// saved before that was recorded).
func (is *Issue) Date() time.Time {
	if !is.Published.IsZero() {
		return is.Published
	}
	return is.Cutoff
}

// LastUpdated is when the issue was last built.
func (is *Issue) LastUpdated() time.Time {
	if !is.Updated.IsZero() {
		return is.Updated
	}
	return is.Date()
}
