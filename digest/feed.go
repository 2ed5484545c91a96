package digest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest/text"
	"github.com/gorilla/feeds"
	"github.com/microcosm-cc/bluemonday"
)

// The feeds' file names in the published site, relative to its root.
const (
	FeedRSS  = "feed.xml"
	FeedAtom = "atom.xml"
	FeedJSON = "feed.json"
)

// Generator names the program in the feeds. It carries no version, so that
// upgrading the binary does not rewrite every feed.
const (
	Generator    = "digest"
	GeneratorURI = "https://github.com/digest-newsletter/digest"
)

// Feeds is the site's newest issues as RSS 2.0, Atom 1.0 and JSON Feed 1.1,
// built with gorilla/feeds and completed where readers need more than it
// writes: Atom author, ids and rel="self", RSS atom:link and language, JSON
// Feed feed_url, language and items.
type Feeds struct {
	site    Site
	dir     string // the URL path of the feed files below the site root: "" or TagURLPath
	feed    *feeds.Feed
	tags    [][]string // per item, for JSON Feed
	summary []string   // per item, plain text, for JSON Feed
}

// Feeds builds the feeds from issues (as stored: snapshots, never the vault):
// the newest n (all when n <= 0), newest first, each entry carrying the
// issue's full HTML from the feed_item.html template.
func (r *Renderer) Feeds(site Site, issues []*Issue, n int) (*Feeds, error) {
	return r.feeds(site, issues, n, "")
}

// TagFeeds builds the feeds of one configured tag, published in
// TagDir(tag): the newest n issues with items of that tag, each entry
// carrying only those items. Entry ids are the issue's FeedEntryID with
// the tag's slug as fragment: stable, and apart from the main feeds'.
func (r *Renderer) TagFeeds(site Site, tag string, issues []*Issue, n int) (*Feeds, error) {
	var picked []*Issue
	for _, is := range issues {
		c := *is
		c.Items = nil
		for _, it := range is.Items {
			if TagMatches(it.Tag, tag) {
				c.Items = append(c.Items, it)
			}
		}
		if len(c.Items) > 0 {
			picked = append(picked, &c)
		}
	}
	f, err := r.feeds(site, picked, n, TagURLPath(tag))
	if err != nil {
		return nil, err
	}
	f.feed.Title = site.Title + " · " + site.TagTitle(tag)
	f.feed.Description = f.feed.Title
	f.feed.Link.Href = f.site.URL + "/"
	for _, it := range f.feed.Items {
		it.Id += "#" + url.PathEscape(TagSlug(tag))
	}
	return f, nil
}

// TagSlug is the folder name of a tag's feeds: lower case, '-' for spaces
// and punctuation, letters of any script kept, so that a CJK tag reads as
// itself (tags/未来趋势/), and nested tags joined by '-' (AI/LLM: ai-llm).
func TagSlug(tag string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(NormalizeTag(tag)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "tag"
	}
	return b.String()
}

// TagDir is the folder of a tag's feeds, relative to the site root.
func TagDir(tag string) string { return "tags/" + TagSlug(tag) + "/" }

// TagURLPath is TagDir as it goes into a URL, percent-encoded.
func TagURLPath(tag string) string { return "tags/" + url.PathEscape(TagSlug(tag)) + "/" }

func (r *Renderer) feeds(site Site, issues []*Issue, n int, dir string) (*Feeds, error) {
	tmpl, err := htmltemplate.New("feed_item.html").Funcs(FuncsFor(site.Language)).ParseFS(r.fsys, "feed_item.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	site = cleanSite(site)
	home := site.URL + "/"

	issues = append([]*Issue(nil), issues...)
	sort.SliceStable(issues, func(i, j int) bool {
		a, b := issues[i], issues[j]
		if !a.Cutoff.Equal(b.Cutoff) {
			return a.Cutoff.After(b.Cutoff)
		}
		return a.ID > b.ID
	})
	if n > 0 && len(issues) > n {
		issues = issues[:n]
	}

	updated := time.Unix(0, 0).UTC() // stable when there is no issue yet
	if len(issues) > 0 {
		for _, is := range issues {
			if u := is.LastUpdated().UTC(); u.After(updated) {
				updated = u
			}
		}
	}
	author := site.Author
	if author == "" {
		author = site.Title
	}
	f := &Feeds{
		site: site,
		dir:  dir,
		feed: &feeds.Feed{
			Title:       site.Title,
			Link:        &feeds.Link{Href: home, Rel: "alternate", Type: "text/html"},
			Description: site.Title,
			Author:      &feeds.Author{Name: author, Email: site.Email},
			Id:          home,
			Updated:     updated,
		},
	}
	var buf bytes.Buffer
	for _, is := range issues {
		is = cleanIssue(is)
		link := site.URL + "/" + is.Path()
		buf.Reset()
		err := tmpl.Execute(&buf, Page{Site: site, Root: home, Canonical: link, Issue: is})
		if err != nil {
			return nil, fmt.Errorf("feed entry %s: %w", is.ID, err)
		}
		content := xmlText(feedPolicy.Sanitize(buf.String()))
		summary := issueSummary(UILang(site.Language), is)
		f.feed.Add(&feeds.Item{
			Title:       is.Title,
			Link:        &feeds.Link{Href: link, Rel: "alternate", Type: "text/html"},
			Description: htmltemplate.HTMLEscapeString(summary),
			Id:          FeedEntryID(site, is),
			IsPermaLink: "false",
			Created:     is.Date().UTC(),
			Updated:     is.LastUpdated().UTC(),
			Content:     content,
		})
		f.tags = append(f.tags, is.Tags())
		f.summary = append(f.summary, summary)
	}
	return f, nil
}

// FeedEntryID is the id of an issue's entry in every feed (Atom id, RSS
// guid, JSON Feed id): a tag URI (RFC 4151) from the site's host and path
// and the issue id, e.g. tag:example.com,2026:issues/2026-W48. It depends
// on nothing a rebuild or an edited clipping can change, and it survives a
// move from http to https.
func FeedEntryID(site Site, is *Issue) string {
	u, err := url.Parse(site.URL)
	host := ""
	if err == nil {
		host = strings.ToLower(u.Hostname())
	}
	if host == "" || strings.Contains(host, ":") { // no DNS name (IPv6 literal): fall back to the permalink
		return strings.TrimRight(site.URL, "/") + "/" + is.Path()
	}
	year := is.Cutoff.UTC().Year() // the ISO year in the id, when it has one
	if len(is.ID) >= 5 && is.ID[4] == '-' {
		if y, err := strconv.Atoi(is.ID[:4]); err == nil {
			year = y
		}
	}
	prefix := strings.Trim(u.EscapedPath(), "/")
	if prefix != "" {
		prefix += "/"
	}
	return fmt.Sprintf("tag:%s,%04d:%sissues/%s", host, year, prefix, is.ID)
}

// WriteRSS writes the feed as RSS 2.0 with the full HTML in content:encoded.
func (f *Feeds) WriteRSS(w io.Writer) error {
	ch := (&feeds.Rss{Feed: f.feed}).RssFeed()
	ch.Language = f.site.Language
	ch.Generator = Generator
	ch.Docs = "https://www.rssboard.org/rss-specification"
	ch.ManagingEditor = "" // gorilla writes " (name)" when there is no address
	if f.site.Email != "" {
		ch.ManagingEditor = fmt.Sprintf("%s (%s)", f.site.Email, f.feed.Author.Name)
	}
	return writeXML(w, rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			RssFeed: ch,
			Self:    rssSelf{Href: f.site.URL + "/" + f.dir + FeedRSS, Rel: "self", Type: "application/rss+xml"},
		},
	})
}

// WriteAtom writes the feed as Atom 1.0 (RFC 4287).
func (f *Feeds) WriteAtom(w io.Writer) error {
	af := (&feeds.Atom{Feed: f.feed}).AtomFeed()
	for i, e := range af.Entries {
		e.Published = f.feed.Items[i].Created.Format(time.RFC3339)
	}
	a := af.Author
	a.Uri = f.site.URL + "/"
	return writeXML(w, atomFeed{
		Xmlns:   "http://www.w3.org/2005/Atom",
		Lang:    f.site.Language,
		Title:   af.Title,
		ID:      f.feed.Id + f.dir,
		Updated: af.Updated,
		Links: []feeds.AtomLink{
			{Href: f.site.URL + "/", Rel: "alternate", Type: "text/html"},
			{Href: f.site.URL + "/" + f.dir + FeedAtom, Rel: "self", Type: "application/atom+xml"},
		},
		Author:    a,
		Generator: &atomGenerator{URI: GeneratorURI, Name: Generator},
		Entries:   af.Entries,
	})
}

// WriteJSON writes the feed as JSON Feed 1.1.
func (f *Feeds) WriteJSON(w io.Writer) error {
	jf := (&feeds.JSON{Feed: f.feed}).JSONFeed()
	jf.Description = ""
	jf.Language = f.site.Language
	jf.FeedUrl = f.site.URL + "/" + f.dir + FeedJSON
	jf.Author.Url = f.site.URL + "/"
	items := make([]*feeds.JSONItem, len(jf.Items))
	for i, it := range jf.Items {
		it.Summary = f.summary[i]
		it.Tags = f.tags[i]
		items[i] = it
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonFeed{JSONFeed: jf, Items: items})
}

// rssDoc is gorilla's RSS document with the Atom namespace for rel="self".
type rssDoc struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	ContentNS string   `xml:"xmlns:content,attr"`
	AtomNS    string   `xml:"xmlns:atom,attr"`
	Channel   rssChannel
}

type rssChannel struct {
	Self rssSelf
	*feeds.RssFeed
}

type rssSelf struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr"`
}

// atomFeed is gorilla's AtomFeed with what it cannot express: several links
// (alternate and self), xml:lang and the generator.
type atomFeed struct {
	XMLName   xml.Name `xml:"feed"`
	Xmlns     string   `xml:"xmlns,attr"`
	Lang      string   `xml:"xml:lang,attr,omitempty"`
	Title     string   `xml:"title"`
	ID        string   `xml:"id"`
	Updated   string   `xml:"updated"`
	Links     []feeds.AtomLink
	Author    *feeds.AtomAuthor
	Generator *atomGenerator
	Entries   []*feeds.AtomEntry
}

type atomGenerator struct {
	XMLName xml.Name `xml:"generator"`
	URI     string   `xml:"uri,attr,omitempty"`
	Name    string   `xml:",chardata"`
}

// jsonFeed is gorilla's JSONFeed with items always present, as JSON Feed
// requires, even before the first issue.
type jsonFeed struct {
	*feeds.JSONFeed
	Items []*feeds.JSONItem `json:"items"`
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// feedPolicy is the last word on an entry's HTML: the template already
// escapes everything, this keeps a template override or a missed case from
// putting script, event handlers, javascript: or relative URLs, or styles
// into a feed.
var feedPolicy = bluemonday.UGCPolicy().AllowRelativeURLs(false).RequireNoFollowOnLinks(false)

// issueSummary is a one-line plain-text description of an issue: the
// editor's note, else the count and tags.
func issueSummary(lang string, is *Issue) string {
	if s := is.IntroText(); s != "" {
		return text.Truncate(s, 280)
	}
	s := T(lang, "clippings", len(is.Items))
	for _, t := range is.Tags() {
		s += " · #" + t
	}
	return s
}

// cleanSite and cleanIssue drop what XML cannot carry from everything that
// reaches a feed.
func cleanSite(s Site) Site {
	s.Title, s.URL, s.Author = xmlText(s.Title), strings.TrimRight(xmlText(s.URL), "/"), xmlText(s.Author)
	s.Email, s.Language = xmlText(s.Email), xmlText(s.Language)
	return s
}

func cleanIssue(is *Issue) *Issue {
	c := *is
	c.ID, c.Title = xmlText(is.ID), xmlText(is.Title)
	c.Items = make([]Item, len(is.Items))
	for i, it := range is.Items {
		it.Title, it.URL, it.Site = xmlText(it.Title), xmlText(it.URL), xmlText(it.Site)
		it.Tag, it.Excerpt = xmlText(it.Tag), xmlText(it.Excerpt)
		authors := make([]string, len(it.Authors))
		for j, a := range it.Authors {
			authors[j] = xmlText(a)
		}
		it.Authors = authors
		c.Items[i] = it
	}
	return &c
}

// xmlText drops the characters XML 1.0 forbids (C0 controls but tab,
// newline and carriage return; U+FFFE, U+FFFF) and the C1 controls it
// discourages, and replaces invalid UTF-8 with U+FFFD. gorilla/feeds writes
// CDATA raw, so one such byte in a clipping would break the whole feed.
func xmlText(s string) string {
	ok := func(r rune) bool {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return true
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return false
		case r == 0xfffe || r == 0xffff:
			return false
		}
		return true
	}
	clean := utf8.ValidString(s)
	for _, r := range s {
		if !clean || !ok(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s { // invalid UTF-8 arrives as utf8.RuneError
		if ok(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
