package weekly

import (
	"context"
	"strings"

	"github.com/digest-newsletter/digest/digest"
)

// noteFinder picks the editor's note of an issue from the notes of the
// vault that have `digest:` in their frontmatter: one naming the issue
// (`digest: 2026-W48`) wins over `digest: next`, which is taken by the
// first issue built after it was written and by no later one.
type noteFinder struct {
	id          string
	exact, next []*digest.Clip
}

func (f *noteFinder) offer(c *digest.Clip) {
	switch v := strings.TrimSpace(c.Digest); {
	case strings.EqualFold(v, f.id):
		f.exact = append(f.exact, c)
	case strings.EqualFold(v, "next"):
		f.next = append(f.next, c)
	}
}

// note returns the editor's note of the issue, or nil. A `next` note whose
// words an earlier issue carried already is not used again.
func (f *noteFinder) note(ctx context.Context, issues digest.Issues) (*digest.Note, error) {
	if len(f.exact) > 0 {
		return noteOf(f.exact[0]), nil // the first in walk order
	}
	if len(f.next) == 0 {
		return nil, nil
	}
	earlier, err := issues.Issues(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, c := range f.next {
		n := noteOf(c)
		used := false
		for _, is := range earlier {
			if is.ID != f.id && is.Note != nil && is.Note.Path == n.Path && is.Note.Body == n.Body && is.Note.Title == n.Title {
				used = true
			}
		}
		if !used {
			return n, nil
		}
	}
	return nil, nil
}

func noteOf(c *digest.Clip) *digest.Note {
	return &digest.Note{Path: c.Path, Title: c.Subject, Body: strings.TrimSpace(string(c.Body))}
}
