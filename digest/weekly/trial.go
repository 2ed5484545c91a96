package weekly

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
)

// TrialReport is what a trial send did: `send --to` or `send --dry-run`.
type TrialReport struct {
	Issue      string `json:"issue"` // "" when there was nothing to mail
	To         string `json:"to,omitempty"`
	DryRun     bool   `json:"dry_run"`
	Written    int    `json:"written"`    // messages written to the outbox (dry run)
	Delivered  int    `json:"delivered"`  // messages delivered (send --to)
	Skipped    int    `json:"skipped"`    // subscribers the issue has nothing for
	Suppressed int    `json:"suppressed"` // unsubscribed or bounced
	Invalid    int    `json:"invalid"`    // rows of the subscribers file skipped
	Outbox     string `json:"outbox,omitempty"`
	Note       string `json:"note,omitempty"` // why nothing was mailed
}

// Trial renders exactly what a plain send would mail now and records
// nothing: no issue is saved, nothing is published, no ledger row is
// written. With to, one test copy (with a Message-ID of its own) goes to
// that address, through the relay unless dry; without, every subscriber's
// message is written into the outbox Maildir.
func (n *Newsletter) Trial(ctx context.Context, now time.Time, issue, to string, dry bool) (*TrialReport, error) {
	rep := &TrialReport{To: to, DryRun: dry}
	is, built, err := n.issueToMail(ctx, now, issue, false)
	if err != nil {
		return nil, err
	}
	if is == nil {
		rep.Note = built.Why
		return rep, nil
	}
	rep.Issue = is.ID
	comp, err := n.composer(is, now)
	if err != nil {
		return nil, err
	}
	tr := n.Outbox
	if to != "" && !dry {
		if tr = n.Transport; tr == nil {
			return nil, errors.New("send --to: no transport: set smtp in the configuration, or outbox")
		}
	}
	if _, ok := tr.(*mailer.Maildir); ok {
		rep.Outbox = DisplayPath(n.Config.Outbox)
	}
	if to != "" {
		if sup, err := n.State.IsSuppressed(ctx, to); err != nil {
			return nil, err
		} else if sup && !dry {
			return nil, fmt.Errorf("%s is suppressed (unsubscribed or bounced; see digest status): not sending", to)
		}
		m, err := comp.ComposeTest(digest.Subscriber{Email: to, Status: digest.StatusActive}, time.Now())
		if err != nil {
			return nil, err
		}
		if err := n.sendOne(ctx, tr, to, m); err != nil {
			return rep, err
		}
		if dry {
			rep.Written = 1
		} else {
			rep.Delivered = 1
		}
		return rep, nil
	}
	conn, err := tr.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var counts SendReport
	err = n.eachSubscriber(ctx, is, &counts, func(sub digest.Subscriber) error {
		m, err := comp.Compose(sub)
		if errors.Is(err, email.ErrNothingForSubscriber) {
			rep.Skipped++
			return nil
		}
		if err != nil {
			return fmt.Errorf("compose the message to %s: %w", sub.Email, err)
		}
		if _, err := conn.Send(m, nil); err != nil {
			return err
		}
		rep.Written++
		return nil
	})
	rep.Skipped += counts.Skipped
	rep.Suppressed, rep.Invalid = counts.Suppressed, counts.Invalid
	if errors.Is(err, context.Canceled) {
		return rep, errors.New("dry run interrupted")
	}
	return rep, err
}

// sendOne delivers one message outside the ledger, trying again after a
// temporary failure.
func (n *Newsletter) sendOne(ctx context.Context, tr mailer.Transport, to string, m *email.Message) error {
	for try := 1; ; try++ {
		res, err := mailer.SendOne(ctx, tr, m)
		if err != nil {
			return err
		}
		switch {
		case res.Outcome == mailer.Delivered:
			return nil
		case res.Outcome == mailer.Permanent || res.Outcome == mailer.Unknown || try > n.Config.Send.Retries:
			// Unknown: the relay may have it; a second try could be a
			// second copy.
			return fmt.Errorf("%s: %s: %s", to, res.Outcome, res.Response)
		}
		n.logf("%s: %s (%s); trying again", to, res.Response, res.Outcome)
		t := time.NewTimer(mailer.Backoff(try))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("send interrupted: %s not sent", to)
		case <-t.C:
		}
	}
}

// Summary is the one line a trial ends with.
func (r *TrialReport) Summary() string {
	switch {
	case r.Note != "":
		return r.Note
	case r.To != "" && r.DryRun:
		return fmt.Sprintf("dry run: a test copy of issue %s for %s written to %s; nothing recorded", r.Issue, r.To, r.Outbox)
	case r.To != "":
		if r.Outbox != "" {
			return fmt.Sprintf("a test copy of issue %s for %s written to %s; nothing recorded", r.Issue, r.To, r.Outbox)
		}
		return fmt.Sprintf("a test copy of issue %s sent to %s; nothing recorded", r.Issue, r.To)
	}
	s := fmt.Sprintf("dry run: issue %s: %s written to %s, nothing recorded", r.Issue, plural(r.Written, "message", "messages"), r.Outbox)
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped (nothing for their tags)", r.Skipped)
	}
	if r.Suppressed > 0 {
		s += fmt.Sprintf(", %d suppressed", r.Suppressed)
	}
	return s
}

// SendConfirm mails the double opt-in message asking sub to open link
// before expires, signed like every other mail, through the transport.
func (n *Newsletter) SendConfirm(ctx context.Context, sub digest.Subscriber, link string, expires, now time.Time) error {
	expires = expires.In(n.Config.Schedule.Location()) // the site's time zone, not the server's
	m, err := email.ComposeConfirm(n.mailOptions(now), sub, link, expires)
	if err != nil {
		return err
	}
	return n.mailOne(ctx, m)
}
