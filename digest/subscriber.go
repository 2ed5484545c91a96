package digest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Subscriber statuses. The file may also say enabled, confirmed or
// subscribed (read as active) and blocklisted, blacklisted or disabled
// (read as unsubscribed), as listmonk and Mailchimp exports do.
const (
	StatusActive       = "active"
	StatusUnsubscribed = "unsubscribed"
)

// ErrNoEmailColumn is the error wrapped by NewSubscriberReader when the file
// is empty or its header row has no email column.
var ErrNoEmailColumn = errors.New("no email column")

// Subscriber is one row of the subscribers file.
type Subscriber struct {
	Email  string   // a bare addr-spec, trimmed, domain lowercased
	Name   string   // display name, whitespace collapsed; may be empty
	Tags   []string // NFC, '#' stripped, deduplicated; empty means every tag
	Status string   // StatusActive or StatusUnsubscribed
	Line   int      // physical line of the file where the row starts
}

// Active reports whether the subscriber is to be sent issues, as far as the
// file knows (suppressions in the state store come on top).
func (s Subscriber) Active() bool { return s.Status == StatusActive }

// Wants reports whether an item tagged tag is for this subscriber: every item
// when s.Tags is empty, otherwise one tagged with one of s.Tags or nested under
// it (a subscriber of AI wants AI/LLM but not AI-Agents), as TagMatches
// compares them.
func (s Subscriber) Wants(tag string) bool {
	if len(s.Tags) == 0 {
		return true
	}
	for _, want := range s.Tags {
		if TagMatches(tag, want) {
			return true
		}
	}
	return false
}

// SubscriberError reports a row of the subscribers file that was skipped, or a
// file that cannot be read at all, as "file:line: reason".
type SubscriberError struct {
	File   string
	Line   int // 1-based physical line where the row starts; 0 when not about a row
	Reason string
	Err    error // a sentinel such as ErrNoEmailColumn, or nil
}

func (e *SubscriberError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

func (e *SubscriberError) Unwrap() error { return e.Err }

// maxKeptSubscriberProblems bounds SubscriberReader.Problems, so that a
// million-row file of garbage does not fill memory; Skipped still counts all.
const maxKeptSubscriberProblems = 1000

// SubscriberReader streams the rows of a subscribers CSV file (section 7 of
// the design), one Subscriber at a time, so memory stays flat in the size of
// the list. Rows with an invalid, duplicate or missing address, an unknown
// status or malformed CSV are skipped and reported, and the read goes on: a
// stray quote costs its row only (see rowReader). A file that cannot be read
// on is an error from Next.
//
// Duplicates are found case-insensitively on the whole address through a set
// of 64-bit FNV-1a hashes, about 15 bytes per subscriber (see addrSet); two
// different addresses colliding in it is a one in 10^7 event for a million
// subscribers.
// The first row of an address wins, whatever its status.
type SubscriberReader struct {
	// OnProblem, if set, is called with each skipped row as it is met,
	// before Next moves on; log it there to see problems as they come.
	OnProblem func(*SubscriberError)

	name     string
	rows     *rowReader
	cols     subscriberColumns
	seen     addrSet // address hash → line of its first row
	problems []*SubscriberError
	skipped  int
	err      error // sticky: io.EOF or a read error
}

// subscriberColumns holds the index of each known column, -1 when absent.
type subscriberColumns struct {
	email, name, tags, status, attributes int
}

// NewSubscriberReader reads the header row of the CSV file r, called name in
// errors, and returns a reader for the rows after it. Header names are
// matched case-insensitively; email (or "email address", "e-mail") is
// required; name, tags, status and listmonk's attributes are optional, and
// other columns are ignored. A UTF-8 byte order mark is skipped.
func NewSubscriberReader(r io.Reader, name string) (*SubscriberReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	rows := newRowReader(br)
	header, line, err := rows.next()
	if err == io.EOF {
		return nil, &SubscriberError{File: name, Reason: "empty file, want a header row with an email column", Err: ErrNoEmailColumn}
	}
	if err != nil {
		if re, ok := errors.AsType[*rowError](err); ok {
			return nil, &SubscriberError{File: name, Line: re.line, Reason: "header: " + re.reason, Err: err}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	cols := subscriberColumns{-1, -1, -1, -1, -1}
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		names[i] = h
		var p *int
		switch h {
		case "email", "e-mail", "email address", "email_address", "e-mail address":
			p = &cols.email
		case "name":
			p = &cols.name
		case "tags":
			p = &cols.tags
		case "status":
			p = &cols.status
		case "attributes", "attribs":
			p = &cols.attributes
		}
		if p != nil && *p < 0 { // the first of repeated columns wins
			*p = i
		}
	}
	if cols.email < 0 {
		return nil, &SubscriberError{
			File:   name,
			Line:   line,
			Reason: fmt.Sprintf("header has no email column (columns: %s)", strings.Join(names, ", ")),
			Err:    ErrNoEmailColumn,
		}
	}
	return &SubscriberReader{
		name: name,
		rows: rows,
		cols: cols,
	}, nil
}

// Next returns the next valid subscriber, active or not, skipping and
// reporting invalid rows. It returns io.EOF after the last row, and any other
// error when the file cannot be read on.
func (r *SubscriberReader) Next() (Subscriber, error) {
	if r.err != nil {
		return Subscriber{}, r.err
	}
	for {
		rec, line, err := r.rows.next()
		if err != nil {
			if re, ok := errors.AsType[*rowError](err); ok {
				// The row alone is lost: the read goes on at the line
				// after its first.
				r.problem(re.line, "malformed CSV: "+re.reason)
				continue
			}
			if err == io.EOF {
				r.err = io.EOF
			} else {
				r.err = fmt.Errorf("%s: %w", r.name, err)
			}
			return Subscriber{}, r.err
		}
		s, reason := r.parse(rec, line)
		if reason != "" {
			r.problem(line, reason)
			continue
		}
		if s.Email == "" {
			continue // a row of empty fields, as spreadsheets leave behind
		}
		return s, nil
	}
}

// Problems returns the rows skipped so far, up to the first 1000.
func (r *SubscriberReader) Problems() []*SubscriberError { return r.problems }

// Skipped returns how many rows have been skipped so far.
func (r *SubscriberReader) Skipped() int { return r.skipped }

// Listed reports whether the file had a row for email so far, whatever its
// status: the owner's file wins over subscribers known from elsewhere.
func (r *SubscriberReader) Listed(email string) bool {
	e, err := NormalizeEmail(email)
	if err != nil {
		return false
	}
	_, ok := r.seen.get(subscriberHash(e))
	return ok
}

func (r *SubscriberReader) problem(line int, reason string) {
	e := &SubscriberError{File: r.name, Line: line, Reason: reason}
	r.skipped++
	if len(r.problems) < maxKeptSubscriberProblems {
		r.problems = append(r.problems, e)
	}
	if r.OnProblem != nil {
		r.OnProblem(e)
	}
}

// parse turns a record into a Subscriber, or says why it is skipped. A record
// with every field blank gives the zero Subscriber and no reason.
func (r *SubscriberReader) parse(rec []string, line int) (Subscriber, string) {
	field := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	raw := field(r.cols.email)
	if raw == "" {
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				return Subscriber{}, "missing email address"
			}
		}
		return Subscriber{}, ""
	}
	email, err := NormalizeEmail(raw)
	if err != nil {
		return Subscriber{}, err.Error()
	}
	status, ok := subscriberStatus(field(r.cols.status))
	if !ok {
		return Subscriber{}, fmt.Sprintf("%s: unknown status %s, want active or unsubscribed", email, subscriberQuote(field(r.cols.status)))
	}
	tags := parseSubscriberTags(nil, field(r.cols.tags))
	if attrs := field(r.cols.attributes); attrs != "" && len(tags) == 0 {
		tags, err = subscriberAttributeTags(attrs)
		if err != nil {
			return Subscriber{}, fmt.Sprintf("%s: attributes: %v", email, err)
		}
	}

	h := subscriberHash(email)
	if first, dup := r.seen.get(h); dup {
		return Subscriber{}, fmt.Sprintf("duplicate address %s (first on line %d)", email, first)
	}
	r.seen.add(h, uint32(min(line, 1<<32-1)))

	return Subscriber{
		Email:  email,
		Name:   strings.Clone(strings.Join(strings.Fields(field(r.cols.name)), " ")), // not to pin the CSV record
		Tags:   tags,
		Status: status,
		Line:   line,
	}, ""
}

func subscriberStatus(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "", "active", "enabled", "confirmed", "subscribed":
		return StatusActive, true
	case "unsubscribed", "blocklisted", "blacklisted", "disabled":
		return StatusUnsubscribed, true
	}
	return "", false
}

// subscriberHash is FNV-1a over the address folded to lower case, computed
// without allocating.
func subscriberHash(email string) uint64 {
	h := fnv.New64a()
	var buf [utf8.UTFMax]byte
	for _, c := range email {
		h.Write(utf8.AppendRune(buf[:0], unicode.ToLower(c)))
	}
	return h.Sum64()
}

// parseSubscriberTags appends to dst the tags of a tags field, as SplitTags
// reads them, deduplicated case-insensitively.
func parseSubscriberTags(dst []string, field string) []string {
	var seen map[string]bool // lower-cased tags, once dst is too long to scan
	for _, t := range SplitTags(field) {
		if len(dst) < 16 {
			if slices.ContainsFunc(dst, func(have string) bool { return strings.EqualFold(have, t) }) {
				continue
			}
		} else {
			if seen == nil {
				seen = make(map[string]bool)
				for _, have := range dst {
					seen[strings.ToLower(have)] = true
				}
			}
			if seen[strings.ToLower(t)] {
				continue
			}
			seen[strings.ToLower(t)] = true
		}
		dst = append(dst, strings.Clone(t)) // not to pin the CSV record
	}
	return dst
}

// subscriberAttributeTags reads the tags of a listmonk attributes field, a
// JSON object whose "tags" key, if any, is a list of strings or a string.
func subscriberAttributeTags(attrs string) ([]string, error) {
	var a struct {
		Tags json.RawMessage `json:"tags"`
	}
	if err := json.Unmarshal([]byte(attrs), &a); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if len(a.Tags) == 0 || string(a.Tags) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(a.Tags, &list); err == nil {
		var tags []string
		for _, t := range list {
			tags = parseSubscriberTags(tags, t)
		}
		return tags, nil
	}
	var one string
	if err := json.Unmarshal(a.Tags, &one); err == nil {
		return parseSubscriberTags(nil, one), nil
	}
	return nil, errors.New("tags is neither a list of strings nor a string")
}

// NormalizeEmail checks that s, once trimmed, is a bare address (an RFC 5322
// addr-spec without display name, comment, angle brackets or quoted local
// part) whose domain is a dotted host name, and returns it with the domain
// lowercased, and an internationalised one in punycode (IDNA 2008 lookup
// rules: zz@例え.jp is zz@xn--r8jz45g.jp). A local part that is not ASCII
// is kept: it needs a relay that offers SMTPUTF8. Single-label domains (root@localhost) and address literals
// (a@[192.0.2.1]) are refused: a newsletter goes across the internet, and in a
// subscriber list they are typos far more often than intended.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("invalid address %s: %s", subscriberQuote(s), why)
	}
	if s == "" {
		return bad("empty")
	}
	if len(s) > 254 {
		return bad("longer than 254 bytes")
	}
	if !utf8.ValidString(s) {
		return bad("not valid UTF-8")
	}
	if strings.ContainsAny(s, `<>"()`) {
		return bad("want a bare address like name@example.com")
	}
	for _, c := range s {
		if unicode.IsSpace(c) || !unicode.IsPrint(c) {
			return bad("contains white space or an invisible character")
		}
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return bad("missing @")
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if why := subscriberCheckLocal(local); why != "" {
		return bad(why)
	}
	if why := subscriberCheckDomain(domain); why != "" {
		return bad(why)
	}
	if !isASCII(domain) {
		// An internationalised domain goes out as punycode, which every
		// relay takes; the same domain written either way is one.
		a, err := idna.Lookup.ToASCII(domain)
		if err != nil {
			return bad("domain " + subscriberQuote(domain) + " is not a valid internationalised domain name")
		}
		domain = a
	}
	// The checks above should leave nothing for net/mail to refuse; it has
	// the last word all the same.
	addr := local + "@" + domain
	if a, err := mail.ParseAddress(addr); err != nil || a.Name != "" || a.Address != addr {
		return bad("not an address")
	}
	return addr, nil
}

// subscriberCheckLocal says what is wrong with the part of an address
// before the @, or "": it must be an RFC 5322 dot-atom.
func subscriberCheckLocal(local string) string {
	switch {
	case local == "":
		return "nothing before @"
	case len(local) > 64:
		return "part before @ longer than 64 bytes"
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "misplaced dot before @"
	}
	if i := strings.IndexAny(local, `@[]:;\,`); i >= 0 {
		return fmt.Sprintf("%q not allowed before @", local[i])
	}
	return ""
}

// subscriberCheckDomain says what is wrong with a lowercased domain, or "".
// Labels in ASCII must be host names (letters, digits, inner hyphens);
// internationalised labels are left to the mail server.
func subscriberCheckDomain(domain string) string {
	switch {
	case domain == "":
		return "missing domain after @"
	case strings.HasPrefix(domain, "["):
		return "address literals are not accepted"
	case !strings.Contains(domain, "."):
		return "domain " + subscriberQuote(domain) + " has no dot"
	case len(domain) > 253:
		return "domain longer than 253 bytes"
	}
	labels := strings.Split(domain, ".")
	for _, l := range labels {
		if l == "" {
			return "domain has an empty label"
		}
		if len(l) > 63 {
			return "domain label longer than 63 bytes"
		}
		ascii := true
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c >= utf8.RuneSelf:
				ascii = false
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
			default:
				return "domain " + subscriberQuote(domain) + " is not a host name"
			}
		}
		if ascii && (l[0] == '-' || l[len(l)-1] == '-') {
			return "domain " + subscriberQuote(domain) + " is not a host name"
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return "domain " + subscriberQuote(domain) + " ends in a number"
	}
	return ""
}

// subscriberQuote quotes s for a message, cut short if long.
func subscriberQuote(s string) string {
	const max = 80
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return fmt.Sprintf("%q…", s[:i])
	}
	return fmt.Sprintf("%q", s)
}
