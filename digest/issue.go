package digest

import (
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"path"
	"slices"
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

// SharedDescriptions returns the descriptions that clippings of different
// pages share among clips: a site's generic blurb ("ChatGPT helps you get
// answers…"), which says nothing of any one of them.
func SharedDescriptions(clips []*Clip) map[string]bool {
	first := map[string]string{} // description → key of the first page with it
	shared := map[string]bool{}
	for _, c := range clips {
		d := strings.TrimSpace(c.Description)
		if d == "" {
			continue
		}
		k := ClipKey(c)
		if f, ok := first[d]; !ok {
			first[d] = k
		} else if f != k {
			shared[d] = true
		}
	}
	return shared
}

// NewItem snapshots a selected clipping for an issue. Its title, authors
// and excerpt are bounded and carry no control characters. shared holds
// the descriptions that are not the clipping's own (see SharedDescriptions).
func NewItem(c *Clip, tag string, excerptWidth int, shared map[string]bool) Item {
	it := Item{
		Key:     ClipKey(c),
		Path:    c.Path,
		Title:   text.Truncate(itemTitle(c), MaxTitleWidth),
		Clipped: c.Created,
		Tag:     tag,
	}
	if u, ok := webURL(c.Source); ok {
		it.URL = displayURL(u)
		it.Site = text.StripControl(text.Host(u.Hostname()))
	}
	for _, a := range c.Authors {
		if len(it.Authors) == MaxAuthors {
			break
		}
		a = text.Author(text.StripControl(a), it.Site)
		if a = strings.TrimSpace(text.Truncate(a, MaxAuthorWidth)); a != "" && !slices.Contains(it.Authors, a) {
			it.Authors = append(it.Authors, a)
		}
	}
	desc := c.Description
	if shared[strings.TrimSpace(desc)] {
		desc = "" // a site's generic blurb
	}
	prose := text.Prose(c.Body)
	it.Minutes = text.ReadingMinutes(prose)
	it.Excerpt = text.StripControl(text.Excerpt(desc, c.Body, excerptWidth))
	it.Lang = text.DetectLang(it.Title + "\n" + it.Excerpt + "\n" + prose[:min(len(prose), 4<<10)])
	return it
}

// itemTitle is the clipping's title as an editor prints it: cleaned, and
// when it is a placeholder ("ChatGPT", "Untitled"), the file name or else
// the body's first heading.
func itemTitle(c *Clip) string {
	title := text.CleanTitle(text.StripControl(c.Title))
	if !text.IsPlaceholderTitle(title) {
		return title
	}
	name := text.CleanTitle(strings.TrimSuffix(path.Base(c.Path), ".md"))
	if !text.IsPlaceholderTitle(name) {
		return name
	}
	if h := text.CleanTitle(text.FirstHeading(c.Body)); h != "" && !text.IsPlaceholderTitle(h) {
		return h
	}
	if title == "" {
		return name
	}
	return title
}

// displayURL is the link to a clipped page without tracking parameters
// (utm_*, fbclid, gclid, spm, mc_*), the rest of it as written.
func displayURL(u *url.URL) string {
	if u.RawQuery == "" {
		return u.String()
	}
	var keep []string
	for _, p := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		if k, err := url.QueryUnescape(k); err == nil && isTracking(k) {
			continue
		}
		keep = append(keep, p)
	}
	v := *u
	v.RawQuery = strings.Join(keep, "&")
	v.ForceQuery = false
	return v.String()
}

// isTracking reports whether a query parameter only tracks the visit.
func isTracking(key string) bool {
	k := strings.ToLower(key)
	switch {
	case strings.HasPrefix(k, "utm_"), strings.HasPrefix(k, "mc_"):
		return true
	}
	switch k {
	case "fbclid", "gclid", "dclid", "msclkid", "spm", "yclid", "igshid", "_hsenc", "_hsmi":
		return true
	}
	return false
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
