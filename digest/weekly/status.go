package weekly

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/digest-newsletter/digest/digest"
)

// Status is what `digest status` shows: the issues and their deliveries,
// the site's subscribers, the last weekly run and the suppressions.
type Status struct {
	State        string               `json:"state"`
	Issues       []IssueStatus        `json:"issues"`
	Unmailed     []string             `json:"unmailed"` // published issues never mailed to everyone over the relay (or outbox)
	Suppressions []digest.Suppression `json:"suppressions"`
	// SuppressedBy counts the suppressions by cause: unsubscribed,
	// bounced, soft-bounced, complained.
	SuppressedBy map[string]int `json:"suppressions_by_cause"`
	// Confirmed and Pending count the subscribers of the site's form
	// (double opt-in), beside the CSV file.
	Confirmed int        `json:"confirmed_subscribers"`
	Pending   int        `json:"pending_confirmations"`
	LastRun   *RunStatus `json:"last_run,omitempty"` // the last weekly run of digest serve
}

// RunStatus is a weekly run as status shows it.
type RunStatus struct {
	At      string `json:"at"`
	Outcome string `json:"outcome"`
	Issue   string `json:"issue,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// IssueStatus is an issue as status shows it.
type IssueStatus struct {
	ID        string `json:"id"`
	Number    int    `json:"number"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Cutoff    string `json:"cutoff"`
	Items     int    `json:"items"`
	// Deliveries counts the ledger's rows of this issue by state, over the
	// relay; Outbox those written into the outbox Maildir.
	Deliveries map[string]int `json:"deliveries"`
	Outbox     map[string]int `json:"outbox"`
}

// Status reads the state; it changes nothing.
func (n *Newsletter) Status(ctx context.Context, state string) (*Status, error) {
	issues, err := n.State.Issues(ctx, 0)
	if err != nil {
		return nil, err
	}
	st := &Status{State: state, Issues: []IssueStatus{}, Unmailed: []string{}}
	for _, is := range issues {
		smtp, err := n.State.DeliveryCounts(ctx, is.ID)
		if err != nil {
			return nil, err
		}
		outbox, err := n.State.DeliveryCounts(ctx, is.ID+"/outbox")
		if err != nil {
			return nil, err
		}
		published := is.Published
		if published.IsZero() {
			published = is.Cutoff
		}
		st.Issues = append(st.Issues, IssueStatus{
			ID: is.ID, Number: is.Number, Title: is.Title, Items: len(is.Items),
			Published: n.when(published), Cutoff: n.when(is.Cutoff), Deliveries: smtp, Outbox: outbox,
		})
	}
	if n.Transport != nil {
		if st.Unmailed, err = n.unmailed(ctx, ""); err != nil {
			return nil, err
		}
	}
	if st.Suppressions, err = n.State.Suppressions(ctx); err != nil {
		return nil, err
	}
	if st.Suppressions == nil {
		st.Suppressions = []digest.Suppression{}
	}
	st.SuppressedBy = map[string]int{}
	for _, s := range st.Suppressions {
		st.SuppressedBy[s.Reason]++
	}
	if st.Confirmed, st.Pending, err = n.State.SubscriberCounts(ctx); err != nil {
		return nil, err
	}
	switch run, err := n.State.LastRun(ctx); {
	case err == nil:
		st.LastRun = &RunStatus{At: n.when(run.At), Outcome: run.Outcome, Issue: run.Issue, Detail: run.Detail}
	case !errors.Is(err, digest.ErrNotFound):
		return nil, err
	}
	return st, nil
}

// Causes lists the suppression causes in the order a report shows them.
var Causes = []string{digest.CauseUnsubscribed, digest.CauseBounced, digest.CauseSoftBounced, digest.CauseComplained}

// SuppressionSummary writes suppression counts by cause as "3 unsubscribed,
// 1 bounced", or "none".
func SuppressionSummary(m map[string]int) string {
	var parts []string
	for _, k := range Causes {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	var other []string
	for k, v := range m {
		if !slices.Contains(Causes, k) && v > 0 {
			other = append(other, fmt.Sprintf("%d %s", v, k))
		}
	}
	slices.Sort(other)
	parts = append(parts, other...)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Mailed says how far the issue was mailed: over the relay, into the
// outbox, or not at all.
func (is IssueStatus) Mailed() string {
	relay, outbox := deliverySummary(is.Deliveries), deliverySummary(is.Outbox)
	switch {
	case len(is.Deliveries) > 0 && len(is.Outbox) > 0:
		return relay + " (outbox: " + outbox + ")"
	case len(is.Outbox) > 0:
		return "into the outbox: " + outbox
	}
	return relay
}

// deliverySummary writes ledger counts as "3 sent, 1 failed", or "not
// mailed".
func deliverySummary(m map[string]int) string {
	var parts []string
	for _, k := range digest.States {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	if len(parts) == 0 {
		return "not mailed"
	}
	return strings.Join(parts, ", ")
}
