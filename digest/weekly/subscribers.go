package weekly

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// ImportReport is what `digest subscribers import` did.
type ImportReport struct {
	Format     string   `json:"format"`
	Added      int      `json:"added"`
	Updated    int      `json:"updated"`
	Suppressed int      `json:"suppressed"` // unsubscribed or bounced in the export
	Skipped    int      `json:"skipped"`
	Problems   []string `json:"problems"` // file:line: reason, of the rows skipped
}

// Summary is the one line an import ends with.
func (r *ImportReport) Summary() string {
	return fmt.Sprintf("imported a %s export: %d added, %d updated, %d suppressed (unsubscribed or bounced there), %d skipped",
		r.Format, r.Added, r.Updated, r.Suppressed, r.Skipped)
}

// ImportSubscribers adds the readers of an export (listmonk, Mailchimp,
// Substack, Buttondown, or digest's own) to the site's subscribers, and
// suppresses those who unsubscribed or bounced there. A suppression here
// is never lifted by an import, so an export never re-subscribes someone
// who left.
func (n *Newsletter) ImportSubscribers(ctx context.Context, r io.Reader, name string, now time.Time) (*ImportReport, error) {
	ir, err := digest.NewImportReader(r, name)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Format: ir.Format, Problems: []string{}}
	ir.OnProblem = func(e *digest.SubscriberError) {
		n.logf("%v (skipped)", e)
		if len(rep.Problems) < maxListed {
			rep.Problems = append(rep.Problems, e.Error())
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		row, err := ir.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, err
		}
		if row.Suppress != "" {
			if err := n.State.Suppress(ctx, row.Sub.Email, row.Suppress, now); err != nil {
				return rep, err
			}
			rep.Suppressed++
			continue
		}
		added, err := n.State.AddSubscriber(ctx, row.Sub, now)
		if err != nil {
			return rep, err
		}
		if added {
			rep.Added++
		} else {
			rep.Updated++
		}
	}
	rep.Skipped = ir.Skipped()
	return rep, nil
}

// SubscriberList is what `digest subscribers list` shows.
type SubscriberList struct {
	Subscribers  []digest.SiteSubscriber `json:"subscribers"`
	Suppressions []digest.Suppression    `json:"suppressions"` // of addresses that are not subscribers on the site
}

// ListSubscribers reads the site's subscribers and the suppressions.
func (n *Newsletter) ListSubscribers(ctx context.Context) (*SubscriberList, error) {
	l := &SubscriberList{Subscribers: []digest.SiteSubscriber{}, Suppressions: []digest.Suppression{}}
	subs := map[string]bool{}
	for s, err := range n.State.ListSubscribers(ctx) {
		if err != nil {
			return nil, err
		}
		l.Subscribers = append(l.Subscribers, s)
		subs[strings.ToLower(s.Email)] = true
	}
	sups, err := n.State.Suppressions(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sups {
		if !subs[strings.ToLower(s.Email)] {
			l.Suppressions = append(l.Suppressions, s)
		}
	}
	return l, nil
}

// Status is a subscriber's status as the export writes it.
func subscriberStatus(s digest.SiteSubscriber) string {
	switch {
	case s.Suppressed == "bounced":
		return "bounced"
	case s.Suppressed != "":
		return "unsubscribed"
	case s.Paused:
		return "paused"
	}
	return "active"
}

// ExportSubscribers writes the site's subscribers and suppressions as CSV
// in the subscribers file's columns (email,name,tags,status) plus
// confirmed and source: `digest subscribers import` reads it back.
func (n *Newsletter) ExportSubscribers(ctx context.Context, w io.Writer) error {
	l, err := n.ListSubscribers(ctx)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "name", "tags", "status", "confirmed", "source"})
	for _, s := range l.Subscribers {
		cw.Write([]string{s.Email, s.Name, strings.Join(s.Tags, ";"), subscriberStatus(s), s.Confirmed.UTC().Format(time.RFC3339), s.Source})
	}
	for _, s := range l.Suppressions {
		status := "unsubscribed"
		if s.Reason == "bounced" {
			status = "bounced"
		}
		cw.Write([]string{s.Email, "", "", status, "", s.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// RemoveReport is what `digest subscribers remove` did.
type RemoveReport struct {
	Email  string `json:"email"`
	Known  bool   `json:"known"`   // the state had something of it
	InFile bool   `json:"in_file"` // the subscribers file still lists it

	file string // the subscribers file, as the owner names it
}

// RemoveSubscriber erases email from the state (GDPR erasure): its
// subscription, pending confirmation, deliveries and suppression go, and
// only a hash of it stays, so that no later send mails it, even if the
// subscribers file still lists it.
func (n *Newsletter) RemoveSubscriber(ctx context.Context, email string, now time.Time) (*RemoveReport, error) {
	addr, err := digest.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	known, err := n.State.Erase(ctx, addr, now)
	if err != nil {
		return nil, err
	}
	rep := &RemoveReport{Email: addr, Known: known, file: DisplayPath(n.Config.Subscribers)}
	if f, err := os.Open(n.Config.Subscribers); err == nil {
		defer f.Close()
		if r, err := digest.NewSubscriberReader(f, DisplayPath(n.Config.Subscribers)); err == nil {
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
			rep.InFile = r.Listed(addr)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return rep, err
	}
	return rep, nil
}
