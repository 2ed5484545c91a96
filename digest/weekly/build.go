package weekly

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/vault"
)

// BuildResult summarises a build; `digest build --json` prints it.
type BuildResult struct {
	Issue     string            `json:"issue,omitempty"` // empty when there is no issue
	Number    int               `json:"number,omitempty"`
	Refreshed bool              `json:"refreshed"` // this week's issue was built before, and built again
	Final     bool              `json:"final"`     // this week's issue was mailed already: left as it was
	Published bool              `json:"published"` // (preview) the issue shown is published and not yet mailed
	Items     []BuildItem       `json:"items"`
	Notes     int               `json:"notes"`     // Markdown files in the vault
	Parsed    int               `json:"parsed"`    // read and parsed this time
	Unchanged int               `json:"unchanged"` // not read: unchanged since the last build
	Older     int               `json:"older"`     // not parsed: last changed before the first issue's window
	Invalid   int               `json:"invalid"`   // skipped: the file could not be read
	Lenient   int               `json:"lenient"`   // invalid YAML read by the fallback
	Matched   int               `json:"matched"`   // clippings tagged with a configured tag (of those read)
	LeftOut   int               `json:"left_out"`  // matched, in the window, but not picked (see decisions)
	Since     time.Time         `json:"since"`     // the window the issue draws from
	Cutoff    time.Time         `json:"cutoff"`
	Note      string            `json:"note,omitempty"` // the editor's note's path, when one was used
	Errors    []string          `json:"errors"`
	Warnings  []string          `json:"warnings,omitempty"` // fields not read, files read in part
	Decisions []digest.Decision `json:"decisions,omitempty"`
	// Why says, when there is no issue, why: the tags, the window, the
	// counts.
	Why string `json:"why,omitempty"`

	issue *digest.Issue
}

// BuildItem is one picked clipping as `build --json` lists it.
type BuildItem struct {
	Title          string   `json:"title"`
	URL            string   `json:"url"`
	Author         string   `json:"author"`
	Authors        []string `json:"authors"`
	Site           string   `json:"site"`
	Excerpt        string   `json:"excerpt"`
	ReadingMinutes int      `json:"reading_minutes"`
	Lang           string   `json:"lang"`
	Tag            string   `json:"tag"`
	Path           string   `json:"path"`
}

// Issue is the issue built, or nil.
func (r *BuildResult) IssueBuilt() *digest.Issue { return r.issue }

// Summary is the one line a build ends with.
func (r *BuildResult) Summary() string {
	var b strings.Builder
	switch {
	case r.issue == nil:
		b.WriteString(r.Why)
	case r.Final:
		fmt.Fprintf(&b, "issue %s (#%d) was mailed already: left as it was, %s", r.Issue, r.Number, plural(len(r.Items), "clipping", "clippings"))
	case r.Refreshed:
		fmt.Fprintf(&b, "issue %s (#%d) refreshed: %s from %s", r.Issue, r.Number, plural(len(r.Items), "clipping", "clippings"), plural(r.Notes, "note", "notes"))
	default:
		fmt.Fprintf(&b, "issue %s (#%d): %s from %s", r.Issue, r.Number, plural(len(r.Items), "clipping", "clippings"), plural(r.Notes, "note", "notes"))
	}
	if r.Invalid > 0 {
		fmt.Fprintf(&b, ", %d invalid skipped", r.Invalid)
	}
	return b.String()
}

// Build publishes this week's issue: it selects the new clippings with the
// configured tags, saves the issue and writes the site. Until its first copy
// is mailed, building again in the same week refreshes the issue: clippings
// added since join it and the editor's note is read again. Once mailed, or
// once a later week's issue is built, an issue is final.
func (n *Newsletter) Build(ctx context.Context, now time.Time) (*BuildResult, error) {
	res, err := n.build(ctx, now, true)
	if err != nil {
		return nil, err
	}
	if err := n.Publish(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// buildLease is the lease builds hold, so that two at once do not race
// for the same issue.
const buildLease = "build"

// build selects and, with save, saves the issue of the week of now.
func (n *Newsletter) build(ctx context.Context, now time.Time, save bool) (*BuildResult, error) {
	if save {
		release, err := n.lock(ctx, buildLease)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	id := digest.IssueID(now, n.zone())
	res := &BuildResult{Errors: []string{}, Items: []BuildItem{}}

	last, err := n.State.LastIssue(ctx)
	if errors.Is(err, digest.ErrNotFound) {
		last, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	window := digest.FirstWindow(now)
	number := 1
	except := "" // the issue being refreshed: its own items may be picked again
	switch {
	case last != nil && last.ID == id:
		final, err := n.mailed(ctx, last.ID)
		if err != nil {
			return nil, err
		}
		if final || now.Before(last.Cutoff) {
			res.Final = final
			res.fill(last)
			return res, nil
		}
		res.Refreshed, except = true, last.ID
		window = digest.Window{Since: last.Since, Cutoff: now, First: last.Number == 1}
		number = last.Number
	case last != nil && now.Before(last.Cutoff):
		return nil, fmt.Errorf("the time %s is before the cutoff of the last issue %s (%s)",
			now.Format(time.RFC3339), last.ID, last.Cutoff.In(n.zone()).Format(time.RFC3339))
	case last != nil:
		window = digest.Window{Since: last.Cutoff, Cutoff: now}
		number = last.Number + 1
	}
	res.Since, res.Cutoff = window.Since, window.Cutoff

	sel, note, err := n.scan(ctx, now, id, window, except, save, res)
	if err != nil {
		return nil, err
	}
	res.Decisions = sel.Decisions()
	picked := sel.Picked()
	clips := make([]*digest.Clip, len(picked))
	for i, c := range picked {
		clips[i] = c.Clip
	}
	shared := digest.SharedDescriptions(clips)
	var items []digest.Item
	for _, c := range picked {
		items = append(items, digest.NewItem(c.Clip, c.Tag, n.Config.Excerpt, shared))
	}
	digest.SortItems(items, n.Config.Tags)
	for _, d := range res.Decisions {
		if !d.Picked {
			res.LeftOut++
		}
	}
	if len(items) == 0 {
		res.Why = n.whyNoIssue(res, window)
		return res, nil
	}
	is := &digest.Issue{
		ID:        id,
		Number:    number,
		Since:     window.Since,
		Cutoff:    window.Cutoff,
		Published: now,
		Updated:   now,
		Items:     items,
	}
	if res.Refreshed && !last.Published.IsZero() {
		is.Published = last.Published
	}
	is.Title = n.defaultTitle(number, is.Published)
	if note != nil {
		is.Note = note
		if note.Title != "" {
			is.Title = note.Title
		}
		res.Note = note.Path
	}
	if save {
		if err := n.State.SaveIssue(ctx, is, now); err != nil {
			return nil, err
		}
	}
	res.fill(is)
	return res, nil
}

// fill records is in the result.
func (r *BuildResult) fill(is *digest.Issue) {
	r.Issue, r.Number, r.issue = is.ID, is.Number, is
	r.Items = r.Items[:0]
	for _, it := range is.Items {
		if it.Authors == nil {
			it.Authors = []string{}
		}
		r.Items = append(r.Items, BuildItem{
			Title: it.Title, URL: it.URL, Author: strings.Join(it.Authors, ", "), Authors: it.Authors,
			Site: it.Site, Excerpt: it.Excerpt, ReadingMinutes: it.Minutes, Lang: it.Lang, Tag: it.Tag, Path: it.Path,
		})
	}
}

// mailed reports whether the delivery of an issue has begun, on any
// transport: from then on it is final.
func (n *Newsletter) mailed(ctx context.Context, id string) (bool, error) {
	for _, key := range []string{id, id + "/outbox"} {
		_, err := n.State.Send(ctx, key)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, digest.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}

// whyNoIssue says why a build found nothing to put in an issue.
func (n *Newsletter) whyNoIssue(res *BuildResult, w digest.Window) string {
	tags := make([]string, len(n.Config.Tags))
	for i, t := range n.Config.Tags {
		tags[i] = "#" + t
	}
	s := fmt.Sprintf("no issue: no new clippings tagged %s between %s and %s (%s",
		strings.Join(tags, " or "), n.when(w.Since), n.when(w.Cutoff), plural(res.Notes, "note", "notes"))
	if res.Unchanged > 0 {
		s += fmt.Sprintf(": %d unchanged since the last build", res.Unchanged)
	}
	if res.Older > 0 {
		s += fmt.Sprintf(", %d last changed before the window", res.Older)
	}
	s += fmt.Sprintf("; of those read, %d tagged", res.Matched)
	if res.LeftOut > 0 {
		s += fmt.Sprintf(", %d left out: already mailed, duplicates or after the cutoff; build --json lists them", res.LeftOut)
	}
	return s + ")"
}

// defaultTitle names an issue that has no editor's note, in the site's
// language, without ISO-week jargon.
func (n *Newsletter) defaultTitle(number int, now time.Time) string {
	return digest.IssueTitle(n.Config.Site, number, now.In(n.zone()))
}

// scan walks the vault and offers every clipping with a configured tag to a
// selector for window; it also finds the editor's note for the issue id.
// With save, what it learnt of the vault's files is kept.
func (n *Newsletter) scan(ctx context.Context, now time.Time, id string, window digest.Window, except string, save bool, res *BuildResult) (*digest.Selector, *digest.Note, error) {
	// The records of the vault's files load while the walk starts: it
	// waits for them at the first file it must decide about.
	var known map[string]digest.FileRecord
	var knownErr error
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		known, knownErr = n.State.Files(ctx)
	}()
	records := func() map[string]digest.FileRecord { <-loaded; return known }
	included, err := n.State.Included(ctx, except)
	if err != nil {
		return nil, nil, err
	}
	sig := strings.Join(n.Config.Tags, "\x1f")
	sel := digest.NewSelector(window, included)
	notes := noteFinder{id: id}
	opt := vault.Options{
		Now:     now,
		Want:    n.Config.Tags,
		Exclude: n.excluded(),
		// An unchanged file is not read again when it cannot be picked
		// and is no editor's note.
		Known: func(p string) bool { _, ok := records()[p]; return ok },
		Skip: func(f vault.File) bool {
			r, ok := records()[f.Path]
			return ok && r.Sig == sig && r.Unchanged(f.Size, f.ModTime) && !r.Note &&
				(r.Tag == "" || sel.Unwanted(f.Path, r.Clipped, r.FirstSeen))
		},
	}
	if window.First {
		// A file is written after it is clipped: one last changed before
		// the first issue's window (less two days, for dates written
		// without a zone) holds no clipping the first issue can pick.
		// Later windows also pick files first seen in them, whatever
		// their time.
		opt.ChangedSince = window.Since.Add(-48 * time.Hour)
	}
	var changed []digest.FileRecord // new and changed files, to save
	walked := make(map[string]bool) // the known files still in the vault
	// With save, the records are written while the walk goes on, a
	// batch at a time: a record only says what a file held, so one saved
	// by a build that fails later is as true for the next.
	batches := make(chan []digest.FileRecord, 2)
	saved := make(chan error, 1)
	go func() {
		<-loaded
		err := knownErr // nothing is saved over records that did not load
		for b := range batches {
			if err == nil {
				err = n.State.SaveFiles(ctx, b, nil)
			}
		}
		saved <- err
	}()
	err = vault.Walk(ctx, n.Vault, opt, func(r vault.Result) {
		res.Notes++
		old, ok := records()[r.Path]
		if ok {
			walked[r.Path] = true
		}
		switch {
		case r.Skipped:
			res.Unchanged++
			return
		case r.Old:
			res.Older++
		case r.Err != nil:
			res.Invalid++
			e := n.vaultError(r.Err)
			res.Errors = append(res.Errors, e)
			n.logf("%s (skipped)", e)
			return
		}
		if r.Warning != nil {
			n.warn(res, r.Warning)
		}
		rec := old
		if !ok {
			rec = digest.FileRecord{Path: r.Path, FirstSeen: now}
		}
		rec.Size, rec.ModTime, rec.Sig, rec.Tag, rec.Clipped, rec.Note = r.Size, r.ModTime, sig, "", time.Time{}, false
		if c := r.Clip; c != nil {
			res.Parsed++
			if c.Lenient != nil {
				res.Lenient++
				n.logf("%s (read leniently)", n.vaultError(c.Lenient))
			}
			for _, p := range c.Problems {
				n.warn(res, p)
			}
			switch {
			case c.Digest != "":
				rec.Note = true
				notes.offer(c)
			default:
				if tag, ok := c.MatchTag(n.Config.Tags); ok {
					res.Matched++
					rec.Tag, rec.Clipped = tag, c.Created
					sel.Consider(digest.Candidate{Clip: c, Tag: tag, FirstSeen: rec.FirstSeen})
				}
			}
		}
		if !ok || !rec.Same(old) {
			changed = append(changed, rec)
			if save && len(changed) == filesPerSave {
				batches <- changed
				changed = nil
			}
		}
	})
	close(batches)
	serr := <-saved
	if err != nil {
		return nil, nil, fmt.Errorf("vault: %w", err)
	}
	if knownErr != nil {
		return nil, nil, fmt.Errorf("state: %w", knownErr)
	}
	if serr != nil {
		return nil, nil, fmt.Errorf("state: %w", serr)
	}
	if save {
		var gone []string
		for p := range known {
			if !walked[p] {
				gone = append(gone, p)
			}
		}
		if err := n.State.SaveFiles(ctx, changed, gone); err != nil {
			return nil, nil, fmt.Errorf("state: %w", err)
		}
	}
	note, err := notes.note(ctx, n.State)
	return sel, note, err
}

// filesPerSave is how many file records scan saves at a time while it walks.
const filesPerSave = 10000

// excluded lists the folders of the vault the scan must not enter: the
// tool's own outputs, when they live inside the vault.
func (n *Newsletter) excluded() []string {
	var ex []string
	c := n.Config
	for _, dir := range []string{c.Out, c.Outbox, filepath.Dir(c.State)} {
		rel, err := filepath.Rel(c.Vault, dir)
		if err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			ex = append(ex, filepath.ToSlash(rel))
		}
	}
	return ex
}

// warn reports a file of the vault read without a field, or in part.
func (n *Newsletter) warn(res *BuildResult, err error) {
	e := n.vaultError(err)
	res.Warnings = append(res.Warnings, e)
	n.logf("%s", e)
}

// vaultError names a file of the vault by its path as the user would type it.
func (n *Newsletter) vaultError(err error) string {
	var pe *digest.ParseError
	if errors.As(err, &pe) {
		cp := *pe
		cp.Path = DisplayPath(filepath.Join(n.Config.Vault, filepath.FromSlash(pe.Path)))
		return cp.Error()
	}
	return err.Error()
}
