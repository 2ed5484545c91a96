package weekly

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// The reports as a person reads them on a terminal; --json prints the same
// values as JSON instead.

// WriteText writes the status as aligned lines.
func (st *Status) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "state\t%s\n", st.State)
	fmt.Fprintf(tw, "issues\t%d\n", len(st.Issues))
	for _, is := range st.Issues {
		fmt.Fprintf(tw, "  %s\t#%d\t%s\t%d items\t%s\n", is.ID, is.Number, is.Published, is.Items, is.Mailed())
	}
	for _, id := range st.Unmailed {
		how := "digest send --issue " + id
		if len(st.Issues) > 0 && st.Issues[0].ID == id {
			how = "digest send" // the newest: a plain send mails it
		}
		fmt.Fprintf(tw, "not mailed\t%s: %s mails it\n", id, how)
	}
	fmt.Fprintf(tw, "subscribers on the site\t%d confirmed, %d pending\n", st.Confirmed, st.Pending)
	if r := st.LastRun; r != nil {
		fmt.Fprintf(tw, "last weekly run\t%s\t%s %s\n", r.At, r.Outcome, r.Issue)
	}
	fmt.Fprintf(tw, "suppressions\t%d: %s\n", len(st.Suppressions), SuppressionSummary(st.SuppressedBy))
	for _, s := range st.Suppressions {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Email, s.Reason, s.Created.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// WriteText writes a line per message read, aligned.
func (r *BounceReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, m := range r.Messages {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Kind, m.Email, m.Action)
	}
	return tw.Flush()
}

// Summary is the one line a reading of the bounce mailbox ends with.
func (r *BounceReport) Summary() string {
	return fmt.Sprintf("%s: %d read: %d hard bounces, %d soft bounces, %d complaints, %d unsubscribes, %d other; %d suppressed",
		r.Mailbox, r.Read, r.HardBounces, r.SoftBounces, r.Complaints, r.Unsubscribes, r.Other, r.Suppressed)
}

// WriteText writes the site's subscribers, then the other suppressed
// addresses, as aligned columns.
func (l *SubscriberList) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tTAGS\tSTATUS\tSOURCE")
	for _, s := range l.Subscribers {
		status := "active"
		switch {
		case s.Suppressed != "":
			status = s.Suppressed
		case s.Paused:
			status = "paused"
		}
		tags := strings.Join(s.Tags, ";")
		if tags == "" {
			tags = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Email, s.Name, tags, status, s.Source)
	}
	for _, s := range l.Suppressions {
		fmt.Fprintf(tw, "%s\t\t\t%s\t\n", s.Email, s.Reason)
	}
	return tw.Flush()
}

// Summary is the one line a removal ends with.
func (r *RemoveReport) Summary() string {
	s := fmt.Sprintf("%s was not known on the site; it is now never mailed", r.Email)
	if r.Known {
		s = fmt.Sprintf("removed %s: only a hash of it is kept, so that it is never mailed again", r.Email)
	}
	if r.InFile {
		s += fmt.Sprintf("; %s is still in %s: delete its row there too (it will not be mailed meanwhile)", r.Email, r.file)
	}
	return s
}
