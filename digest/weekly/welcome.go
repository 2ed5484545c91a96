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

// SendWelcome mails a reader who just confirmed: what they chose, the
// latest issue's link and their preferences link, through the transport
// the issues take.
func (n *Newsletter) SendWelcome(ctx context.Context, sub digest.Subscriber, prefsURL string, now time.Time) error {
	w := email.Welcome{PreferencesURL: prefsURL}
	is, err := n.State.LastIssue(ctx)
	switch {
	case err == nil:
		w.IssueTitle, w.IssueURL = is.Title, n.Config.Site.URL+"/"+is.Path()
	case !errors.Is(err, digest.ErrNotFound):
		return err
	}
	m, err := email.ComposeWelcome(email.ComposerOptions{
		Site: n.Config.Site, From: n.Config.From, Secret: n.Secret, DKIM: n.DKIM, Templates: n.Templates, Date: now, Clock: n.Clock,
	}, sub, w)
	if err != nil {
		return err
	}
	res, err := mailer.SendOne(ctx, n.Transport, m)
	if err != nil {
		return err
	}
	if res.Outcome != mailer.Delivered {
		return fmt.Errorf("%s: %s: %s", n.Transport, res.Outcome, res.Response)
	}
	return nil
}
