package weekly

import (
	"context"
	"errors"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
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
	m, err := email.ComposeWelcome(n.mailOptions(now), sub, w)
	if err != nil {
		return err
	}
	return n.mailOne(ctx, m)
}
