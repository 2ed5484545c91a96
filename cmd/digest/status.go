package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/digest-newsletter/digest/digest"
)

// statusReport is what `digest status --json` prints.
type statusReport struct {
	State        string               `json:"state"`
	Issues       []statusIssue        `json:"issues"`
	Suppressions []digest.Suppression `json:"suppressions"`
	// Confirmed and Pending count the subscribers of the site's form
	// (double opt-in), beside the CSV file.
	Confirmed int `json:"confirmed_subscribers"`
	Pending   int `json:"pending_confirmations"`
	// LastRun is the last weekly run `digest serve` handled, if any.
	LastRun *statusRun `json:"last_run,omitempty"`
}

type statusRun struct {
	At      string `json:"at"`
	Outcome string `json:"outcome"`
	Issue   string `json:"issue,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

type statusIssue struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	Title  string `json:"title"`
	Cutoff string `json:"cutoff"`
	Items  int    `json:"items"`
	// Deliveries counts the ledger's rows of this issue by state.
	Deliveries map[string]int `json:"deliveries"`
}

func init() {
	var asJSON bool
	commands["status"] = command{
		flags: func(fs *flagSet) { fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout") },
		run: func(ctx context.Context, a *app) error {
			rep, err := a.status(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(rep)
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "state\t%s\n", rep.State)
			fmt.Fprintf(w, "issues\t%d\n", len(rep.Issues))
			for _, is := range rep.Issues {
				fmt.Fprintf(w, "  %s\t#%d\t%s\t%d items\t%s\n", is.ID, is.Number, is.Cutoff, is.Items, deliverySummary(is.Deliveries))
			}
			fmt.Fprintf(w, "subscribers on the site\t%d confirmed, %d pending\n", rep.Confirmed, rep.Pending)
			if r := rep.LastRun; r != nil {
				fmt.Fprintf(w, "last weekly run\t%s\t%s %s\n", r.At, r.Outcome, r.Issue)
			}
			fmt.Fprintf(w, "suppressions\t%d\n", len(rep.Suppressions))
			for _, s := range rep.Suppressions {
				fmt.Fprintf(w, "  %s\t%s\t%s\n", s.Email, s.Reason, s.Created.Format("2006-01-02 15:04"))
			}
			return w.Flush()
		},
	}
}

func (a *app) status(ctx context.Context) (*statusReport, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	issues, err := st.Issues(ctx, 0)
	if err != nil {
		return nil, err
	}
	rep := &statusReport{State: displayPath(st.Path()), Issues: []statusIssue{}}
	for _, is := range issues {
		counts, err := a.deliveryCounts(ctx, is.ID)
		if err != nil {
			return nil, err
		}
		rep.Issues = append(rep.Issues, statusIssue{
			ID: is.ID, Number: is.Number, Title: is.Title, Items: len(is.Items),
			Cutoff:     is.Cutoff.In(a.cfg.Schedule.Location()).Format("2006-01-02 15:04 MST"),
			Deliveries: counts,
		})
	}
	if rep.Suppressions, err = st.Suppressions(ctx); err != nil {
		return nil, err
	}
	if rep.Confirmed, rep.Pending, err = st.SubscriberCounts(ctx); err != nil {
		return nil, err
	}
	switch run, err := st.LastRun(ctx); {
	case err == nil:
		rep.LastRun = &statusRun{At: run.At.In(a.cfg.Schedule.Location()).Format("2006-01-02 15:04 MST"),
			Outcome: run.Outcome, Issue: run.Issue, Detail: run.Detail}
	case !errors.Is(err, digest.ErrNotFound):
		return nil, err
	}
	if rep.Suppressions == nil {
		rep.Suppressions = []digest.Suppression{}
	}
	return rep, nil
}

// deliveryCounts counts an issue's ledger rows by state.
func (a *app) deliveryCounts(ctx context.Context, issue string) (map[string]int, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	return st.DeliveryCounts(ctx, issue)
}

func deliverySummary(m map[string]int) string {
	if len(m) == 0 {
		return "not sent"
	}
	s := ""
	for _, k := range digest.States {
		if m[k] > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%d %s", m[k], k)
		}
	}
	return s
}
