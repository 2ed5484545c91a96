package vault

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// Parse reads one note of the vault. path is the note's slash-separated
// path in the vault and mtime its modification time, the last resort for
// Created.
//
// Dates are read in the YAML 1.1 timestamp forms (`2006-01-02`,
// `2006-01-02T15:04:05Z07:00`, `2006-01-02 15:04:05`, …); as in YAML 1.1, a
// date or time without a zone is taken in UTC, so a date-only value is
// midnight UTC. Values that do not parse are skipped. A numeric `timestamp` is
// Unix seconds or milliseconds.
//
// A note without frontmatter is a Clip titled after its file name. Invalid
// YAML is read again leniently for the breakages web clippers are known to
// write (bad backslash escapes and doubled `\\"` in double-quoted lines,
// repeated keys: the last one wins, text that is not YAML at all but plain
// `key: value` lines); the Clip then has Lenient set to the original error.
// When that fails too, Parse returns a *digest.ParseError positioned in the file
// (line and byte column, 1-based).
func Parse(path string, data []byte, mtime time.Time) (*digest.Clip, error) {
	return parse(path, data, mtime, time.Time{}, nil)
}

// parse is Parse that, with a non-zero now, also takes a date more than
// maxAhead after now for a lie and uses the file time instead; with want,
// the clip's inline tags are only those under a tag of want (see
// collectTags).
func parse(path string, data []byte, mtime, now time.Time, want []string) (*digest.Clip, error) {
	front, frontLine, body, bodyLine, ok := SplitFrontmatter(data)
	c := &digest.Clip{Path: path, Body: body, BodyLine: bodyLine}
	f := new(fields)
	if ok && len(front) > MaxFrontmatter {
		return nil, &digest.ParseError{Path: path, Line: frontLine,
			Msg: fmt.Sprintf("frontmatter of %d KB is over the %d KB limit, not read", len(front)>>10, MaxFrontmatter>>10)}
	}
	if ok {
		var err *digest.ParseError
		f, err = readYAML(front, false)
		if err != nil {
			err.Path = path
			err.Line, err.Col = fileCoord(front, frontLine, err.Line, err.Col)
			if err.Msg == msgTooDeep {
				return nil, err
			}
			var lerr *digest.ParseError
			f, lerr = readLenient(front)
			if lerr != nil {
				return nil, err
			}
			c.Lenient = err
		}
	}
	// problem records a field not read, or read in part, at its line.
	problem := func(v value, format string, args ...any) {
		line := 0
		if v.line > 0 {
			line, _ = fileCoord(front, frontLine, v.line, 0)
		}
		c.Problems = append(c.Problems, &digest.ParseError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	for k, v := range f {
		if v.odd != "" {
			problem(v, "%s is %s, ignored", keyNames[k], v.odd)
		}
	}
	c.Title = collapseSpace(f[keyTitle].text())
	c.Digest = strings.TrimSpace(f[keyDigest].text())
	if c.Subject = collapseSpace(f[keySubject].text()); c.Subject == "" {
		c.Subject = c.Title
	}
	if c.Title == "" {
		c.Title = fileTitle(path)
	}
	c.Source = strings.TrimSpace(f[keySource].text())
	if c.Source == "" {
		c.Source = strings.TrimSpace(f[keyURL].text())
	}
	c.Authors = authors(f[keyAuthor])
	c.Description = strings.TrimSpace(f[keyDescription].text())
	c.Created, c.DateKey = mtime, "mtime"
	var bad []int // the date keys before the one used whose values are no date
	for _, k := range dateKeys {
		t, ok := parseDate(f[k].text(), k == keyTimestamp)
		if ok && !now.IsZero() && t.After(now.Add(maxAhead)) {
			problem(f[k], "%s %s lies in the future, using the file time", keyNames[k], strings.TrimSpace(f[k].text()))
			break
		}
		if ok {
			c.Created, c.DateKey = t, keyNames[k]
			break
		}
		if strings.TrimSpace(f[k].text()) != "" {
			bad = append(bad, k)
		}
	}
	for _, k := range bad {
		using := "the file time"
		if c.DateKey != "mtime" {
			using = c.DateKey
		}
		problem(f[k], "%s %q does not parse, using %s", keyNames[k], strings.TrimSpace(f[k].text()), using)
	}
	if line, why := bodyTooCostly(body); why != "" {
		c.Problems = append(c.Problems, &digest.ParseError{Path: path, Line: bodyLine + line - 1, Msg: why})
		body, c.Body = nil, nil
	}
	c.Tags = collectTags(f[keyTags], body, want)
	return c, nil
}

// dateKeys are the keys that may say when a note was clipped, in order of
// preference. `published` and `date_published` are left out on purpose:
// they date the article, not the clipping.
var dateKeys = [...]int{keyCreated, keyClipped, keyTimestamp, keyDateSaved, keySaved, keyDate}

// maxAhead is how far in the future a clipping's date may lie (time zones,
// clocks a little off): a later date (9999-12-31) is a lie that would keep
// the clipping waiting for a later issue for ever.
const maxAhead = 48 * time.Hour

// fileTitle is the file name without its directory and .md extension.
func fileTitle(p string) string {
	p = path.Base(strings.ReplaceAll(p, "\\", "/"))
	if ext := path.Ext(p); strings.EqualFold(ext, ".md") {
		p = p[:len(p)-len(ext)]
	}
	return p
}

// collectTags gathers the frontmatter and inline tags, deduplicated
// case-insensitively in order of appearance. With want, only the inline
// tags that can change which tag of want the clip matches are gathered:
// those under a tag of want that no frontmatter tag is under already.
func collectTags(v value, body []byte, want []string) []string {
	var tags []string
	add := func(t string) {
		if !hasNonDigit(t) {
			return
		}
		for _, u := range tags {
			if strings.EqualFold(u, t) {
				return
			}
		}
		tags = append(tags, t)
	}
	for _, item := range v.items() {
		for _, t := range digest.SplitTags(item) {
			add(t)
		}
	}
	// useful reports whether an inline tag t adds something: it is not
	// in the frontmatter and, with want, under a tag of want that the
	// frontmatter's tags are not.
	useful := func(t string) bool {
		if slices.ContainsFunc(tags, func(u string) bool { return strings.EqualFold(u, t) }) {
			return false
		}
		if want == nil {
			return true
		}
		for _, w := range want {
			if digest.TagMatches(t, w) && !slices.ContainsFunc(tags, func(u string) bool { return digest.TagMatches(u, w) }) {
				return true
			}
		}
		return false
	}
	// Finding the tags outside code takes parsing the body, but only up to
	// the end of the paragraph of the last useful tag that may be there:
	// the tags after it add nothing.
	end := -1
	candidates(body, func(t string, at int) bool {
		if end < at && useful(t) {
			end = paragraphEnd(body, at)
		}
		return true
	})
	if end >= 0 {
		for _, t := range InlineTags(body[:end]) {
			if want == nil || useful(t) {
				add(t)
			}
		}
	}
	return tags
}

// hasNonDigit reports whether a tag has a character other than a digit or
// '/': Obsidian ignores all-digit tags.
func hasNonDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '/' {
			return true
		}
	}
	return false
}

// collapseSpace trims s and joins its lines and runs of white space with
// single spaces, for one-line display.
func collapseSpace(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\n\r\t\v\f") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// authors reads the author field: a list of [[wikilinks]], one wikilink, or
// a plain string. Lists the clipper split at commas are mended: a lone
// post-nominal ("PhD") or number ("2026") rejoins the name before it, and a
// date glued to a name ("CoinbaseJul 13, 2026") is cut off.
func authors(v value) []string {
	var names []string
	for _, item := range v.items() {
		item = strings.TrimSpace(item)
		if strings.Count(item, "[[") > 1 {
			names = append(names, wikilinks(item)...)
			continue
		}
		if strings.HasPrefix(item, "[[") && strings.HasSuffix(item, "]]") {
			item = strings.TrimSpace(item[2 : len(item)-2])
		}
		if item == "" {
			continue
		}
		if len(names) > 0 && (isPostNominal(item) || isDigits(item)) {
			names[len(names)-1] += ", " + item
			continue
		}
		names = append(names, item)
	}
	for i, n := range names {
		names[i] = cutTrailingDate(n)
	}
	return names
}

func wikilinks(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "[[")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i+2:], "]]")
		if j < 0 {
			return out
		}
		if l := strings.TrimSpace(s[i+2 : i+2+j]); l != "" {
			out = append(out, l)
		}
		s = s[i+2+j+2:]
	}
}

var postNominals = map[string]bool{
	"phd": true, "ph.d.": true, "ph.d": true, "md": true, "m.d.": true, "jr": true, "jr.": true,
	"sr": true, "sr.": true, "ii": true, "iii": true, "iv": true, "mba": true, "esq": true,
	"esq.": true, "cfa": true, "cpa": true, "dphil": true, "msc": true, "bsc": true, "mph": true,
	"rn": true, "pe": true, "frs": true, "facp": true, "dds": true, "jd": true, "j.d.": true,
}

func isPostNominal(s string) bool { return postNominals[strings.ToLower(s)] }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var months = [...]string{
	"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
	"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
}

// cutTrailingDate removes a "Jul 13, 2026" date glued to the end of a name.
func cutTrailingDate(s string) string {
	rest, year, ok := strings.Cut(s, ", ")
	if !ok || len(year) != 4 || !isDigits(year) || strings.Contains(year, ", ") {
		return s
	}
	sp := strings.LastIndexByte(rest, ' ')
	if sp < 0 || !isDigits(rest[sp+1:]) || len(rest)-sp-1 > 2 {
		return s
	}
	name := rest[:sp]
	for _, m := range months {
		if strings.HasSuffix(name, m) {
			if n := strings.TrimSpace(strings.TrimSuffix(name, m)); n != "" {
				return n
			}
		}
	}
	return s
}

// parseDate reads the YAML 1.1 timestamp forms and, when unix is set, Unix
// seconds or milliseconds. A value without a zone is in UTC.
func parseDate(s string, unix bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 8 {
		return time.Time{}, false
	}
	if unix && isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil:
		case len(s) == 10:
			return time.Unix(n, 0).UTC(), true
		case len(s) == 13:
			return time.UnixMilli(n).UTC(), true
		}
	}
	p := dateScanner{s: s}
	year := p.digits(4, 4)
	sep := p.peek()
	if year < 0 || sep != '-' && sep != '/' {
		return time.Time{}, false
	}
	p.i++
	month := p.digits(1, 2)
	if month < 0 || !p.skip(sep) {
		return time.Time{}, false
	}
	day := p.digits(1, 2)
	if day < 0 {
		return time.Time{}, false
	}
	var hour, min, sec, nsec int
	loc := time.UTC
	if p.i < len(s) {
		if c := p.peek(); c != 'T' && c != 't' && c != ' ' && c != '\t' {
			return time.Time{}, false
		}
		for p.i < len(s) && (s[p.i] == ' ' || s[p.i] == '\t' || s[p.i] == 'T' || s[p.i] == 't') {
			p.i++
		}
		if hour = p.digits(1, 2); hour < 0 || !p.skip(':') {
			return time.Time{}, false
		}
		if min = p.digits(2, 2); min < 0 {
			return time.Time{}, false
		}
		if p.skip(':') {
			if sec = p.digits(2, 2); sec < 0 {
				return time.Time{}, false
			}
			if p.skip('.') || p.skip(',') {
				start := p.i
				frac := p.digits(1, 9)
				if frac < 0 {
					return time.Time{}, false
				}
				for n := p.i - start; n < 9; n++ {
					frac *= 10
				}
				nsec = frac
				for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
					p.i++ // beyond nanoseconds
				}
			}
		}
		for p.i < len(s) && (s[p.i] == ' ' || s[p.i] == '\t') {
			p.i++
		}
		if p.i < len(s) {
			var ok bool
			if loc, ok = p.zone(); !ok {
				return time.Time{}, false
			}
		}
	}
	if p.i != len(s) || month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc)
	if t.Day() != day && sec < 60 { // 2025-02-30
		return time.Time{}, false
	}
	return t, true
}

type dateScanner struct {
	s string
	i int
}

func (p *dateScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *dateScanner) skip(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// digits reads min to max decimal digits, or returns -1.
func (p *dateScanner) digits(min, max int) int {
	n, v := 0, 0
	for p.i < len(p.s) && n < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	if n < min {
		return -1
	}
	return v
}

// zone reads "Z", "+08:00", "+0800" or "+8" (YAML 1.1 allows "-5").
func (p *dateScanner) zone() (*time.Location, bool) {
	c := p.peek()
	if c == 'Z' || c == 'z' {
		p.i++
		return time.UTC, true
	}
	if c != '+' && c != '-' {
		return nil, false
	}
	p.i++
	h := p.digits(1, 2)
	if h < 0 || h > 14 {
		return nil, false
	}
	m := 0
	if p.skip(':') {
		if m = p.digits(2, 2); m < 0 {
			return nil, false
		}
	} else if p.i < len(p.s) {
		if m = p.digits(2, 2); m < 0 {
			return nil, false
		}
	}
	if m > 59 {
		return nil, false
	}
	off := (h*60 + m) * 60
	if c == '-' {
		off = -off
	}
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}
