package digest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// The exports `digest subscribers import` reads, recognised by their header
// row:
//
//	listmonk    uuid,email,name,attributes,status,created_at,updated_at
//	            status enabled | disabled | blocklisted; tags in attributes {"tags": [...]}
//	Mailchimp   "Email Address","First Name","Last Name",…,TAGS
//	            TAGS "AI","未来趋势"; the unsubscribed export has UNSUB_TIME,
//	            the cleaned (bounced) one CLEAN_TIME
//	Substack    email,active_subscription,expiry,plan,email_disabled,created_at,…
//	            email_disabled true: the reader turned mail off
//	Buttondown  id,email (or email_address),creation_date,tags,notes,metadata,…,subscriber_type (or type)
//	            tags ["AI"]; type regular | premium | gifted | trialed | churning | past_due
//	            | paused | unsubscribed | removed | undeliverable | spammy | unactivated
//	digest      email,name,tags,status (the subscribers file, and `digest subscribers export`)
//
// Export formats.
const (
	FormatListmonk   = "listmonk"
	FormatMailchimp  = "mailchimp"
	FormatSubstack   = "substack"
	FormatButtondown = "buttondown"
	FormatDigest     = "digest"
)

// Imported is one row of an export: a subscriber to add, or an address to
// suppress (Suppress names why).
type Imported struct {
	Sub      SiteSubscriber
	Suppress string // "", "unsubscribed" or "bounced"
	Line     int
}

// ImportReader streams the rows of an export, reporting the rows it skips
// as file:line: reason.
type ImportReader struct {
	Format string
	// OnProblem, if set, is called with each skipped row.
	OnProblem func(*SubscriberError)

	name    string
	csv     *csv.Reader
	col     map[string]int // lower-cased header → index
	status  string         // Mailchimp: the status of the whole file
	skipped int
}

// NewImportReader reads the header row of an export and tells its format.
func NewImportReader(r io.Reader, name string) (*ImportReader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &SubscriberError{File: name, Reason: "empty file, want an export with a header row", Err: ErrNoEmailColumn}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	ir := &ImportReader{name: name, csv: cr, col: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, ok := ir.col[h]; !ok {
			ir.col[h] = i
		}
	}
	has := func(c string) bool { _, ok := ir.col[c]; return ok }
	switch {
	case has("email address"):
		ir.Format = FormatMailchimp
		switch {
		case has("unsub_time"):
			ir.status = "unsubscribed"
		case has("clean_time"):
			ir.status = "bounced"
		}
	case has("uuid") && (has("attributes") || has("attribs")):
		ir.Format = FormatListmonk
	case has("active_subscription") || has("email_disabled"):
		ir.Format = FormatSubstack
	case has("subscriber_type") || (has("creation_date") && (has("email") || has("email_address"))):
		ir.Format = FormatButtondown
	case has("email"):
		ir.Format = FormatDigest
	default:
		line, _ := cr.FieldPos(0)
		return nil, &SubscriberError{File: name, Line: line, Err: ErrNoEmailColumn,
			Reason: "not an export of listmonk, Mailchimp, Substack or Buttondown, and no email column"}
	}
	return ir, nil
}

// Skipped is how many rows were skipped so far.
func (r *ImportReader) Skipped() int { return r.skipped }

// Next returns the next row, or io.EOF after the last.
func (r *ImportReader) Next() (Imported, error) {
	for {
		rec, err := r.csv.Read()
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				r.problem(pe.StartLine, "malformed CSV: "+pe.Err.Error())
				continue
			}
			if err == io.EOF {
				return Imported{}, io.EOF
			}
			return Imported{}, fmt.Errorf("%s: %w", r.name, err)
		}
		line, _ := r.csv.FieldPos(0)
		row, reason := r.parse(rec)
		if reason != "" {
			r.problem(line, reason)
			continue
		}
		if row.Sub.Email == "" {
			continue // a blank row
		}
		row.Line = line
		return row, nil
	}
}

func (r *ImportReader) problem(line int, reason string) {
	r.skipped++
	if r.OnProblem != nil {
		r.OnProblem(&SubscriberError{File: r.name, Line: line, Reason: reason})
	}
}

// parse reads one record, or says why it is skipped.
func (r *ImportReader) parse(rec []string) (Imported, string) {
	field := func(names ...string) string {
		for _, n := range names {
			if i, ok := r.col[n]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
		}
		return ""
	}
	raw := field("email", "email address", "email_address")
	if raw == "" {
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			return Imported{}, ""
		}
		return Imported{}, "missing email address"
	}
	email, err := NormalizeEmail(raw)
	if err != nil {
		return Imported{}, err.Error()
	}
	row := Imported{Sub: SiteSubscriber{Email: email, Source: r.Format}}
	var tags string
	switch r.Format {
	case FormatListmonk:
		row.Sub.Name = field("name")
		switch s := strings.ToLower(field("status")); s {
		case "", "enabled":
		case "blocklisted", "disabled":
			row.Suppress = "unsubscribed"
		default:
			return Imported{}, fmt.Sprintf("%s: unknown listmonk status %q", email, s)
		}
		if attrs := field("attributes", "attribs"); attrs != "" {
			t, err := subscriberAttributeTags(attrs)
			if err != nil {
				return Imported{}, fmt.Sprintf("%s: attributes: %v", email, err)
			}
			row.Sub.Tags = t
		}
		row.Sub.Confirmed = parseExportTime(field("created_at"))
	case FormatMailchimp:
		row.Sub.Name = strings.TrimSpace(field("first name") + " " + field("last name"))
		row.Suppress = r.status
		tags = field("tags")
		if tags != "" {
			// "AI","未来趋势": a CSV record inside the field.
			list, err := csv.NewReader(strings.NewReader(tags)).Read()
			if err != nil {
				return Imported{}, fmt.Sprintf("%s: TAGS %q: %v", email, tags, err)
			}
			tags = strings.Join(list, ",")
		}
		row.Sub.Confirmed = parseExportTime(field("confirm_time", "optin_time"))
	case FormatSubstack:
		if b := strings.ToLower(field("email_disabled")); b == "true" || b == "1" || b == "yes" {
			row.Suppress = "unsubscribed"
		}
		row.Sub.Confirmed = parseExportTime(field("created_at"))
	case FormatButtondown:
		switch t := strings.ToLower(field("subscriber_type", "type")); t {
		case "", "regular", "premium", "gifted", "trialed", "churning", "past_due", "complimentary":
		case "paused":
			row.Sub.Paused = true
		case "unsubscribed", "removed":
			row.Suppress = "unsubscribed"
		case "undeliverable", "spammy":
			row.Suppress = "bounced"
		case "unactivated":
			return Imported{}, email + ": never confirmed (unactivated): not imported"
		default:
			return Imported{}, fmt.Sprintf("%s: unknown Buttondown subscriber type %q", email, t)
		}
		if t := field("tags"); strings.HasPrefix(t, "[") {
			var list []string
			if err := json.Unmarshal([]byte(t), &list); err != nil {
				return Imported{}, fmt.Sprintf("%s: tags %q: %v", email, t, err)
			}
			tags = strings.Join(list, ",")
		} else {
			tags = t
		}
		row.Sub.Confirmed = parseExportTime(field("creation_date"))
	case FormatDigest:
		row.Sub.Name = field("name")
		tags = field("tags")
		switch s := strings.ToLower(field("status")); s {
		case "paused":
			row.Sub.Paused = true
		case "bounced":
			row.Suppress = "bounced"
		default:
			st, ok := subscriberStatus(s)
			if !ok {
				return Imported{}, fmt.Sprintf("%s: unknown status %q", email, s)
			}
			if st == StatusUnsubscribed {
				row.Suppress = "unsubscribed"
			}
		}
		row.Sub.Confirmed = parseExportTime(field("confirmed"))
	}
	if tags != "" {
		row.Sub.Tags = parseSubscriberTags(nil, tags)
	}
	row.Sub.Name = strings.Join(strings.Fields(row.Sub.Name), " ")
	return row, ""
}

// parseExportTime reads the timestamps of the exports, or gives zero.
func parseExportTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
