package weekly

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/bounces"
)

// BounceOptions are the choices of one reading of the bounce mailbox.
type BounceOptions struct {
	Now time.Time
}

// BounceReport is what reading the bounce mailbox did; `digest bounces
// --json` prints it.
type BounceReport struct {
	Mailbox      string          `json:"mailbox"`
	Read         int             `json:"read"`
	HardBounces  int             `json:"hard_bounces"`
	SoftBounces  int             `json:"soft_bounces"`
	Complaints   int             `json:"complaints"`
	Unsubscribes int             `json:"unsubscribes"`
	Other        int             `json:"other"`      // none of these: handled and left alone
	Suppressed   int             `json:"suppressed"` // addresses suppressed by this reading
	Messages     []BounceMessage `json:"messages"`
}

// BounceMessage is one message read, and what was done about it.
type BounceMessage struct {
	ID string `json:"id"`
	bounces.Report
	// Action is what the state now says: "suppressed: bounced", "soft
	// bounce 2 of 3", "already suppressed", "nothing".
	Action string `json:"action"`
}

// ReadBounces reads the messages of mb not handled yet, turns hard bounces,
// complaints and mailed unsubscribe requests into suppressions at once and
// soft bounces after digest.SoftBounceLimit of them, and marks each message
// handled once the state has what it says. A message the state could not
// take is left unhandled, for the next reading.
func (n *Newsletter) ReadBounces(ctx context.Context, mb bounces.Mailbox, o BounceOptions) (*BounceReport, error) {
	rep := &BounceReport{Mailbox: mb.String(), Messages: []BounceMessage{}}
	ids, err := mb.Unhandled(ctx)
	if err != nil {
		return rep, err
	}
	p := n.bounceParser(n.PreviousSecrets)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		data, err := mb.Read(ctx, id)
		if err != nil {
			return rep, err
		}
		r, err := p.Parse(bytes.NewReader(data))
		if err != nil {
			return rep, fmt.Errorf("%s: message %s: %w", mb, id, err)
		}
		m := BounceMessage{ID: id, Report: r}
		if m.Action, err = n.applyBounce(ctx, mb, id, r, o.Now, rep); err != nil {
			return rep, fmt.Errorf("%s: message %s: %w", mb, id, err)
		}
		if err := mb.Handled(ctx, id); err != nil {
			return rep, err
		}
		rep.Read++
		rep.Messages = append(rep.Messages, m)
	}
	return rep, nil
}

// applyBounce records what one report says in the state and returns what
// was done.
func (n *Newsletter) applyBounce(ctx context.Context, mb bounces.Mailbox, id string, r bounces.Report, now time.Time, rep *BounceReport) (string, error) {
	var cause string
	switch r.Kind {
	case bounces.HardBounce:
		rep.HardBounces++
		cause = digest.CauseBounced
	case bounces.SoftBounce:
		rep.SoftBounces++
	case bounces.Complaint:
		rep.Complaints++
		cause = digest.CauseComplained
	case bounces.Unsubscribe:
		rep.Unsubscribes++
		cause = digest.CauseUnsubscribed
	default:
		rep.Other++
		return "nothing", nil
	}
	if r.Email == "" {
		return "nothing: no reader could be told from it", nil
	}
	already, err := n.State.IsSuppressed(ctx, r.Email)
	if err != nil {
		return "", err
	}
	if already {
		return "already suppressed", nil
	}
	if r.Kind == bounces.SoftBounce {
		key := r.MessageID
		if key == "" {
			key = mb.String() + "#" + id
		}
		k, err := n.State.AddSoftBounce(ctx, r.Email, key, now)
		if err != nil {
			return "", err
		}
		if k < digest.SoftBounceLimit {
			return fmt.Sprintf("soft bounce %d of %d", k, digest.SoftBounceLimit), nil
		}
		cause = digest.CauseSoftBounced
	}
	if err := n.State.Suppress(ctx, r.Email, cause, now); err != nil {
		return "", err
	}
	rep.Suppressed++
	n.logf("%s: suppressed (%s%s)", r.Email, cause, detail(r))
	return "suppressed: " + cause, nil
}

func detail(r bounces.Report) string {
	switch {
	case r.Status != "" && r.Detail != "":
		return ", " + r.Status + ": " + r.Detail
	case r.Status != "":
		return ", " + r.Status
	}
	return ""
}

// bounceParser reads the bounce mailbox for this newsletter: its return
// path, its tokens.
func (n *Newsletter) bounceParser(previous [][]byte) *bounces.Parser {
	p := &bounces.Parser{ReturnPath: n.Config.ReturnPath}
	list := n.Config.Site.Host()
	if digest.CheckSecret(n.Secret) == nil {
		secrets := append([][]byte{n.Secret}, previous...)
		p.Token = func(tok string) (string, bool) {
			for _, s := range secrets {
				if digest.CheckSecret(s) != nil {
					continue
				}
				if e, err := digest.VerifyUnsubscribeToken(s, tok, list); err == nil {
					return e, true
				} else if !errors.Is(err, digest.ErrBadToken) {
					return "", false
				}
			}
			return "", false
		}
	}
	return p
}

// unsubscribeMailto is the address List-Unsubscribe offers a mailto: to:
// the return path, when a bounce mailbox reads what arrives there.
func (n *Newsletter) unsubscribeMailto() string {
	if n.Config.Bounces == nil {
		return ""
	}
	return n.Config.ReturnPath
}
