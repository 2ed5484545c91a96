// Package digest is the domain of the newsletter: clippings read from an
// Obsidian vault, the tags that select them, the weekly issue built from them,
// and everything rendered from an issue (pages, feeds, email messages).
// It does no I/O of its own beyond the fs.FS and io values it is handed.
package digest

import (
	"fmt"
	"time"
)

// Clip is one note of the vault as the newsletter sees it: its frontmatter
// fields, cleaned for display, and the tags Obsidian would list it under.
type Clip struct {
	Path        string      // slash-separated, relative to the vault root
	Title       string      // frontmatter title, else the file name without .md
	Source      string      // as written; may be empty or not a URL
	Authors     []string    // display names, without [[ ]]
	Description string      // frontmatter description, trimmed
	Created     time.Time   // when it was clipped (see DateKey)
	DateKey     string      // which key gave Created: "created", "clipped", …, or "mtime"
	Tags        []string    // NFC, '#' stripped, deduplicated case-insensitively, in order of appearance
	Body        []byte      // the Markdown after the frontmatter
	BodyLine    int         // 1-based line of the file where Body starts
	Lenient     *ParseError // non-nil when the frontmatter was invalid YAML and was read by the lenient fallback
	// Problems are the fields not read, or not as written: a tags map,
	// a date that does not parse or lies in the future (as *ParseError).
	Problems []error
	// Digest is set on an editor's note: "next", or the id of the issue
	// it introduces. Such a note is never an item.
	Digest string
	// Subject is the subject (else title) the frontmatter gives, empty
	// when it gives none: an editor's note's title for its issue.
	Subject string
}

// ParseError reports a clipping whose frontmatter cannot be read, positioned
// in the file (not in the frontmatter) so that editors can jump to it.
type ParseError struct {
	Path string
	Line int // 1-based, 0 when unknown
	Col  int // 1-based, 0 when unknown
	Msg  string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}
