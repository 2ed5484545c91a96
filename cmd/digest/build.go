package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/vault"
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
	// The files seen before load while the walk lists the vault's folders.
	knownFiles := sync.OnceValues(func() (map[string]sqlite.FileRecord, error) { return st.Files(ctx) })
	go knownFiles()
	included, err := st.Included(ctx)
	if err != nil {
		return nil, err
	}
	sig := strings.Join(a.cfg.Tags, "\x1f")
	sel := digest.NewSelector(window, included)
	opt := vault.Options{
		Want:    a.cfg.Tags,
		Exclude: a.excluded(),
		// An unchanged file is not read again when it cannot be picked.
		Skip: func(f vault.File) bool {
			known, _ := knownFiles()
			r, ok := known[f.Path]
			return ok && r.Sig == sig && r.Unchanged(f.Size, f.ModTime) &&
				(r.Tag == "" || sel.Unwanted(f.Path, r.Clipped, r.FirstSeen))
		},
	}
	var changed []sqlite.FileRecord // new and changed files, to save
	walked := map[string]bool{}     // the known files still in the vault
	err = vault.Walk(ctx, os.DirFS(a.cfg.Vault), opt, func(r vault.Result) {
		res.Notes++
		known, _ := knownFiles()
		old, ok := known[r.Path]
		if ok {
			walked[r.Path] = true
		}
		switch {
		case r.Skipped:
			res.Unchanged++
			return
		case r.Err != nil:
			res.Invalid++
			res.Errors = append(res.Errors, a.vaultError(r.Err))
			return
		}
		rec := old
		if !ok {
			rec = sqlite.FileRecord{Path: r.Path, FirstSeen: a.now}
		}
		rec.Size, rec.ModTime, rec.Sig, rec.Tag, rec.Clipped = r.Size, r.ModTime, sig, "", time.Time{}
		if r.Clip != nil {
			res.Parsed++
			if r.Clip.Lenient != nil {
				res.Lenient++
				a.logf("%v (read leniently)", a.vaultError(r.Clip.Lenient))
			}
			if tag, ok := r.Clip.MatchTag(a.cfg.Tags); ok {
				res.Matched++
				rec.Tag, rec.Clipped = tag, r.Clip.Created
				sel.Consider(digest.Candidate{Clip: r.Clip, Tag: tag, FirstSeen: rec.FirstSeen})
			}
		}
		if !ok || !rec.Same(old) {
			changed = append(changed, rec)
		}
	})
	known, kerr := knownFiles()
	if kerr != nil {
		return nil, kerr
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
	if !dry {
		var gone []string
		for p := range known {
			if !walked[p] {
				gone = append(gone, p)
			}
		}
		if err := st.SaveFiles(ctx, changed, gone); err != nil {
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
