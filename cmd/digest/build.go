package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

func init() {
	var asJSON bool
	commands["build"] = command{
		flags: func(fs *flagSet) { fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout") },
		run: func(ctx context.Context, a *app) error {
			res, err := a.build(ctx, false)
			if err != nil {
				return err
			}
			if err := a.publish(ctx); err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(res)
			}
			a.logf("%s", res.summary())
			return nil
		},
	}
}

// buildResult summarises a build, for --json and the log.
type buildResult struct {
	Issue     string            `json:"issue,omitempty"` // empty when nothing new
	Number    int               `json:"number,omitempty"`
	Existing  bool              `json:"existing"` // the issue of this week was built before
	Items     int               `json:"items"`
	Notes     int               `json:"notes"`     // Markdown files in the vault
	Parsed    int               `json:"parsed"`    // read and parsed this time
	Unchanged int               `json:"unchanged"` // not read: unchanged since the last build
	Invalid   int               `json:"invalid"`   // skipped: frontmatter could not be read
	Lenient   int               `json:"lenient"`   // invalid YAML read by the fallback
	Matched   int               `json:"matched"`   // clippings tagged with a configured tag (of those read)
	Errors    []string          `json:"errors"`
	Decisions []digest.Decision `json:"decisions,omitempty"`
	Out       string            `json:"out,omitempty"`

	issue *digest.Issue
}

func (r *buildResult) summary() string {
	var b strings.Builder
	switch {
	case r.issue == nil:
		fmt.Fprintf(&b, "no new clippings with the configured tags: no issue (%d notes)", r.Notes)
	case r.Existing:
		fmt.Fprintf(&b, "issue %s (#%d) was already built: %d clippings", r.Issue, r.Number, r.Items)
	default:
		fmt.Fprintf(&b, "issue %s (#%d): %d clippings from %d notes", r.Issue, r.Number, r.Items, r.Notes)
	}
	if r.Invalid > 0 {
		fmt.Fprintf(&b, ", %d invalid skipped", r.Invalid)
	}
	return b.String()
}

// build selects this week's clippings and saves the issue (unless dry, as in
// preview, which writes no state). The issue of a week, once built, is kept.
func (a *app) build(ctx context.Context, dry bool) (*buildResult, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	loc := a.cfg.Schedule.Location()
	id := digest.IssueID(a.now, loc)
	res := &buildResult{Errors: []string{}}

	last, err := st.LastIssue(ctx)
	if err != nil && !errors.Is(err, digest.ErrNotFound) {
		return nil, err
	}
	if last != nil && last.ID == id {
		res.Issue, res.Number, res.Existing, res.Items, res.issue = last.ID, last.Number, true, len(last.Items), last
		return res, nil
	}
	if last != nil && a.now.Before(last.Cutoff) {
		return nil, fmt.Errorf("the time %s is before the cutoff of the last issue %s (%s)",
			a.now.Format("2006-01-02T15:04:05Z07:00"), last.ID, last.Cutoff.In(loc).Format("2006-01-02T15:04:05Z07:00"))
	}
	window := digest.FirstWindow(a.now)
	number := 1
	if last != nil {
		window = digest.Window{Since: last.Cutoff, Cutoff: a.now}
		number = last.Number + 1
	}

	info, err := os.Stat(a.cfg.Vault)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("vault: %s is not a folder", a.cfg.Vault)
	}
	vault, err := openVault(a.cfg.Vault)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	defer vault.Close()
	// The index of files seen before is read while the scan starts walking
	// the vault: the scan waits for it only where it has to.
	var known *sqlite.Known
	var knownErr error
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		known, knownErr = st.KnownFiles(ctx)
	}()
	included, err := st.Included(ctx)
	if err != nil {
		<-ready
		return nil, err
	}
	sig := strings.Join(a.cfg.Tags, "\x1f")
	sel := digest.NewSelector(window, included)
	// The new index of the vault's files is made as the scan goes, in walk
	// order, so that files gone from the vault are left out by not being
	// there. Until a file differs from its record, only its place in the
	// old index is kept: a build that changes nothing encodes and writes
	// nothing.
	var index sqlite.FileIndex
	var same []int32 // the unchanged files walked before the first change
	changed := false
	keep := func(seen int, r sqlite.FileRecord) {
		switch {
		case changed:
			index.Add(r)
		case same == nil:
			same = make([]int32, 0, known.Len())
			fallthrough
		default:
			same = append(same, int32(seen))
		}
	}
	// spill moves the unchanged files kept as places into the index.
	spill := func() {
		if !changed {
			changed = true
			for _, i := range same {
				index.Add(known.Record(int(i)))
			}
			same = nil
		}
	}
	add := func(r sqlite.FileRecord) {
		spill()
		index.Add(r)
	}

	opt := digest.ScanOptions{
		Want:    a.cfg.Tags,
		Exclude: a.excluded(),
		Seen: func() digest.SeenFiles {
			<-ready
			return known
		},
		Skip: func(f digest.File, seen int) bool {
			r := known.Record(seen)
			if r.Sig != sig || !r.Unchanged(f.Size, f.ModTime) {
				return false
			}
			// Unchanged, and it cannot be picked: no tag, already sent, or
			// clipped and first seen before this window.
			return r.Tag == "" || included("", f.Path) ||
				(!r.Clipped.After(window.Since) && (window.First || !r.FirstSeen.After(window.Since)))
		},
	}
	// known is read once Seen has returned it: Skip and fn are only asked
	// about files seen before after that.
	hits := 0
	err = digest.ScanVault(ctx, vault, opt, func(s digest.Scanned) {
		res.Notes++
		var old sqlite.FileRecord
		seen := s.Seen >= 0
		if seen {
			old = known.Record(s.Seen)
			hits++
		}
		if s.Skipped {
			res.Unchanged++
			keep(s.Seen, old)
			return
		}
		if s.Err != nil {
			res.Invalid++
			res.Errors = append(res.Errors, a.vaultError(s.Err))
			if seen {
				keep(s.Seen, old)
			}
			return
		}
		rec := old
		if !seen {
			rec = sqlite.FileRecord{Path: s.Path, FirstSeen: a.now}
		}
		rec.Size, rec.ModTime, rec.Sig, rec.Tag, rec.Clipped = s.Size, s.ModTime, sig, "", time.Time{}
		if s.Clip != nil {
			res.Parsed++
			if s.Clip.Lenient != nil {
				res.Lenient++
				a.logf("%v (read leniently)", a.vaultError(s.Clip.Lenient))
			}
			if tag, ok := s.Clip.MatchTag(a.cfg.Tags); ok {
				res.Matched++
				rec.Tag, rec.Clipped = tag, s.Clip.Created
				sel.Consider(digest.Candidate{Clip: s.Clip, Tag: tag, FirstSeen: rec.FirstSeen})
			}
		}
		if seen && rec.Same(old) {
			keep(s.Seen, rec)
		} else {
			add(rec)
		}
	})
	<-ready
	if knownErr != nil {
		return nil, knownErr
	}
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	for _, e := range res.Errors {
		a.logf("%s (skipped)", e)
	}
	res.Decisions = sel.Decisions()

	var items []digest.Item
	for _, c := range sel.Picked() {
		items = append(items, digest.NewItem(c.Clip, c.Tag, a.cfg.Excerpt))
	}
	digest.SortItems(items, a.cfg.Tags)
	if !dry && (changed || hits < known.Len()) {
		// Files only left the vault: the index is the unchanged rest.
		spill()
		if err := st.SaveFileIndex(ctx, &index); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
	}
	if len(items) == 0 {
		return res, nil
	}
	is := &digest.Issue{
		ID:     id,
		Number: number,
		Title:  fmt.Sprintf("%s #%d · %s", a.cfg.Site.Title, number, id),
		Since:  window.Since,
		Cutoff: window.Cutoff,
		Items:  items,
	}
	if !dry {
		if err := st.SaveIssue(ctx, is, a.now); err != nil {
			return nil, err
		}
	}
	res.Issue, res.Number, res.Items, res.issue = is.ID, is.Number, len(is.Items), is
	return res, nil
}

// excluded lists the folders of the vault the scan must not enter: the
// tool's own outputs, when they live inside the vault.
func (a *app) excluded() []string {
	var ex []string
	for _, dir := range []string{a.cfg.Out, a.cfg.Outbox, filepath.Dir(a.cfg.State)} {
		rel, err := filepath.Rel(a.cfg.Vault, dir)
		if err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			ex = append(ex, filepath.ToSlash(rel))
		}
	}
	return ex
}

// vaultError names a file of the vault by its path as the user would type it.
func (a *app) vaultError(err error) string {
	var pe *digest.ParseError
	if errors.As(err, &pe) {
		cp := *pe
		cp.Path = displayPath(filepath.Join(a.cfg.Vault, filepath.FromSlash(pe.Path)))
		return cp.Error()
	}
	return err.Error()
}

// displayPath shortens an absolute path to one relative to the current
// folder when it lies below it.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
