package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/weekly"
)

func init() {
	var asJSON bool
	commands["status"] = &command{
		summary: "show the issues and their deliveries, the site's subscribers, the last weekly run and the suppressions by cause",
		flags:   func(fs *flagSet) { fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout") },
		run: func(ctx context.Context, a *app) error {
			st, err := a.status(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(st)
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "state\t%s\n", st.State)
			fmt.Fprintf(w, "issues\t%d\n", len(st.Issues))
			for _, is := range st.Issues {
				fmt.Fprintf(w, "  %s\t#%d\t%s\t%d items\t%s\n", is.ID, is.Number, is.Published, is.Items, is.Mailed())
			}
			for _, id := range st.Unmailed {
				fmt.Fprintf(w, "not mailed\t%s: digest send --issue %s mails it\n", id, id)
			}
			fmt.Fprintf(w, "subscribers on the site\t%d confirmed, %d pending\n", st.Confirmed, st.Pending)
			if r := st.LastRun; r != nil {
				fmt.Fprintf(w, "last weekly run\t%s\t%s %s\n", r.At, r.Outcome, r.Issue)
			}
			fmt.Fprintf(w, "suppressions\t%d: %s\n", len(st.Suppressions), weekly.SuppressionSummary(st.SuppressedBy))
			for _, s := range st.Suppressions {
				fmt.Fprintf(w, "  %s\t%s\t%s\n", s.Email, s.Reason, s.Created.Format("2006-01-02 15:04"))
			}
			return w.Flush()
		},
	}
}

// status reads the state, read-only; with no state file yet it creates
// none and says so.
func (a *app) status(ctx context.Context) (*weekly.Status, error) {
	if _, err := os.Stat(a.cfg.State); errors.Is(err, fs.ErrNotExist) {
		return &weekly.Status{State: weekly.DisplayPath(a.cfg.State) + " (none yet: nothing built)",
			Issues: []weekly.IssueStatus{}, Unmailed: []string{}, Suppressions: []digest.Suppression{}, SuppressedBy: map[string]int{}}, nil
	}
	s, err := sqlite.OpenReadOnly(ctx, a.cfg.State)
	if err != nil {
		return nil, err
	}
	a.store = s
	tr, err := a.transport()
	if err != nil {
		tr = nil // status reads; it needs no password
	}
	n := &weekly.Newsletter{Config: a.cfg, State: s, Transport: tr}
	return n.Status(ctx, weekly.DisplayPath(a.cfg.State))
}
