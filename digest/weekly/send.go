package weekly

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
)

// SendOptions are the choices of one `digest send`.
type SendOptions struct {
	Issue         string // mail this issue (by id) rather than the newest unmailed one
	ResendUnknown bool   // send again to the recipients a stopped run left unknown
	// OnStart, when set, is told which issue goes out to how many
	// recipients, before the first; OnResult of every row settled or put
	// back to wait, one call at a time: for a progress bar.
	OnStart  func(issue string, pending int)
	OnResult func(mailer.Event)
}

// SendReport is what a send did; `digest send --json` prints it.
type SendReport struct {
	Issue        string `json:"issue"` // "" when there was nothing to send
	Sent         int    `json:"sent"`
	Failed       int    `json:"failed"`
	Skipped      int    `json:"skipped"`      // no items for their tags
	Unknown      int    `json:"unknown"`      // handed to the relay with no answer back; see unknown_addresses
	Invalid      int    `json:"invalid"`      // rows of the subscribers file skipped as invalid or duplicate
	Suppressed   int    `json:"suppressed"`   // unsubscribed or bounced, in the state
	Unsubscribed int    `json:"unsubscribed"` // status unsubscribed in the file
	Already      int    `json:"already_sent"` // had it from an earlier run
	Pending      int    `json:"pending"`      // left for a later run (interrupted)
	Outbox       string `json:"outbox,omitempty"`
	// Unmailed names the published issues, other than this one, that were
	// never mailed (or not to everyone): digest send --issue ID mails them.
	Unmailed []string `json:"unmailed"`

	UnknownAddresses []string `json:"unknown_addresses"`

	Note string `json:"note,omitempty"` // said instead of the counts: why nothing was sent
}

// maxListed bounds the unknown addresses a report carries.
const maxListed = 1000

// ErrInterrupted is returned when a send was stopped (SIGTERM): the rows not
// sent are pending, and the next send goes on with them.
var ErrInterrupted = errors.New("send interrupted")

// Send mails an issue to the subscribers through the delivery ledger: the
// issue named in o, else the newest published issue not yet mailed, else
// this week's issue, built first. An issue partly sent goes on where it
// stopped; nobody gets it twice.
func (n *Newsletter) Send(ctx context.Context, now time.Time, o SendOptions) (*SendReport, error) {
	if n.Transport == nil {
		return nil, errors.New("send: no transport: set smtp in the configuration, or outbox")
	}
	if err := n.checkRealSend(); err != nil {
		return nil, err
	}
	release, err := n.lockSend(ctx, now)
	if err != nil {
		return nil, err
	}
	defer release()
	is, built, err := n.issueToMail(ctx, now, o.Issue, true)
	if err != nil {
		return nil, err
	}
	if is == nil {
		return &SendReport{Note: built.Why, UnknownAddresses: []string{}, Unmailed: []string{}}, nil
	}
	return n.send(ctx, now, is, o, o.Issue != "")
}

// lockSend keeps other sends off the ledger until release, and first marks
// unknown what a send that died left in flight.
func (n *Newsletter) lockSend(ctx context.Context, now time.Time) (release func(), err error) {
	release, err = n.State.LockSend()
	if errors.Is(err, digest.ErrSendLocked) {
		return nil, fmt.Errorf("%w: wait for it to finish, or stop it (it resumes where it stopped)", err)
	}
	if err != nil {
		return nil, err
	}
	if k, err := n.State.RecoverSending(ctx, now); err != nil {
		release()
		return nil, err
	} else if k > 0 {
		n.logf("a send stopped while handing %d messages to the relay: they are marked unknown", k)
	}
	// What a killed send left half-written in the outbox is never
	// delivered: under the lock, anything in tmp/ older than a minute
	// (writing one message takes milliseconds) is such a leftover.
	if md, ok := n.Transport.(*mailer.Maildir); ok {
		if k, err := md.CleanTmp(time.Now().Add(-time.Minute)); err != nil {
			n.logf("%v", err)
		} else if k > 0 {
			n.logf("removed %d half-written messages a stopped send left in %s", k, DisplayPath(filepath.Join(md.Dir, "tmp")))
		}
	}
	return release, nil
}

// send delivers is and names the other issues left unmailed.
func (n *Newsletter) send(ctx context.Context, now time.Time, is *digest.Issue, o SendOptions, reopen bool) (*SendReport, error) {
	rep, err := n.deliver(ctx, now, is, o, reopen)
	if rep != nil {
		rep.Unmailed, _ = n.unmailed(context.WithoutCancel(ctx), is.ID)
		for _, id := range rep.Unmailed {
			n.logf("issue %s was published but not mailed to everyone: digest send --issue %s mails it", id, id)
		}
	}
	return rep, err
}

// outbox reports whether mail goes into the outbox Maildir, not a relay.
func (n *Newsletter) outbox() bool {
	_, ok := n.Transport.(*mailer.Maildir)
	return ok
}

// ledgerKey is the name an issue's deliveries are recorded under: copies
// written into the outbox Maildir are a rehearsal, kept apart, so that
// configuring a relay afterwards mails every subscriber once for real.
func (n *Newsletter) ledgerKey(issue string) string {
	if n.outbox() {
		return issue + "/outbox"
	}
	return issue
}

// issueToMail is the issue a send mails now: the one named, else the newest
// published one whose delivery (on this transport) is not done, else this
// week's, built (and published) first unless dry. It is nil, with a note
// saying why, when there is nothing to mail.
// The build is returned when there was one.
func (n *Newsletter) issueToMail(ctx context.Context, now time.Time, id string, save bool) (*digest.Issue, *BuildResult, error) {
	if id != "" {
		is, err := n.State.Issue(ctx, id)
		if errors.Is(err, digest.ErrNotFound) {
			return nil, nil, fmt.Errorf("issue %s: no such issue (digest status lists them)", id)
		}
		return is, nil, err
	}
	// The newest issue, unless it is mailed; older ones are named, not
	// mailed.
	switch last, err := n.State.LastIssue(ctx); {
	case errors.Is(err, digest.ErrNotFound):
	case err != nil:
		return nil, nil, err
	default:
		rec, err := n.State.Send(ctx, n.ledgerKey(last.ID))
		if errors.Is(err, digest.ErrNotFound) || err == nil && !rec.Done() {
			return last, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
	res, err := n.build(ctx, now, save)
	if err != nil {
		return nil, nil, err
	}
	if res.issue == nil {
		res.Why += ": nothing sent"
		return nil, res, nil
	}
	if save {
		if err := n.Publish(ctx); err != nil {
			return nil, nil, err
		}
	}
	// This week's issue, perhaps mailed already: deliver says so, and
	// sends again only to the unknown when asked.
	return res.issue, res, nil
}

// unmailed lists the published issues other than current whose delivery on
// this transport never began or did not finish.
func (n *Newsletter) unmailed(ctx context.Context, current string) ([]string, error) {
	issues, err := n.State.Issues(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, is := range issues {
		if is.ID == current {
			continue
		}
		rec, err := n.State.Send(ctx, n.ledgerKey(is.ID))
		if errors.Is(err, digest.ErrNotFound) || err == nil && !rec.Done() {
			out = append(out, is.ID)
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deliver sends is to every active subscriber who has not had it, through
// the ledger: unknown rows are sent again only when asked. A finished issue
// sends nothing again, unless it was named (--issue), which sends it to the
// subscribers added since.
func (n *Newsletter) deliver(ctx context.Context, now time.Time, is *digest.Issue, o SendOptions, reopen bool) (*SendReport, error) {
	comp, err := n.composer(is, now)
	if err != nil {
		return nil, err
	}
	key := n.ledgerKey(is.ID)
	rep := &SendReport{Issue: is.ID, UnknownAddresses: []string{}}
	if n.outbox() {
		rep.Outbox = DisplayPath(n.Config.Outbox)
	}
	rec, err := n.State.StartSend(ctx, key, reopen, now)
	if err != nil {
		return nil, err
	}
	requeued := 0
	if o.ResendUnknown {
		if requeued, err = n.State.RequeueUnknown(ctx, key, time.Now()); err != nil {
			return nil, err
		}
		if requeued > 0 {
			n.logf("sending again to %d recipients left unknown, with the same Message-ID", requeued)
		}
	}
	if !rec.Done() {
		if err := n.addRecipients(ctx, is, key, rep); err != nil {
			return nil, err
		}
	} else if requeued == 0 {
		rep.Note = fmt.Sprintf("issue %s was mailed on %s: nothing more to send (digest send --issue %s mails it to subscribers added since)",
			is.ID, n.when(rec.Finished), is.ID)
	}
	before, err := n.State.DeliveryCounts(ctx, key)
	if err != nil {
		return nil, err
	}
	if o.OnStart != nil {
		o.OnStart(is.ID, before[digest.Pending])
	}
	var limiter *mailer.Limiter
	if !n.outbox() {
		limiter = mailer.NewLimiter(n.Config.Send.Rate)
	}
	_, derr := mailer.Deliver(ctx, mailer.Job{
		Issue:     key,
		Ledger:    n.State,
		Transport: n.Transport,
		Compose: func(d digest.Delivery) (*email.Message, error) {
			// A row tried before keeps the Message-ID it went out with.
			return comp.ComposeAgain(digest.Subscriber{Email: d.Email, Name: d.Name, Tags: d.Tags, Status: digest.StatusActive}, d.MessageID)
		},
		Concurrency: n.Config.Send.Concurrency,
		Limiter:     limiter,
		Retries:     n.Config.Send.Retries,
		OnResult:    o.OnResult,
	})

	// The bookkeeping below happens even after an interrupt; the counts
	// come from the ledger, not from what the run believes it did.
	bg := context.WithoutCancel(ctx)
	if derr == nil {
		if _, err := n.State.FinishSend(bg, key, now); err != nil {
			derr = err
		}
	}
	after, err := n.State.DeliveryCounts(bg, key)
	if err != nil && derr == nil {
		derr = err
	}
	rep.Sent = after[digest.Sent] - before[digest.Sent]
	rep.Failed = after[digest.Failed] - before[digest.Failed]
	rep.Skipped += after[digest.Skipped] - before[digest.Skipped]
	rep.Already = before[digest.Sent]
	rep.Pending = after[digest.Pending] + after[digest.Sending]
	rep.Unknown = after[digest.Unknown]
	if err := n.listUnknown(bg, key, is.ID, rep); err != nil && derr == nil {
		derr = err
	}
	switch {
	case errors.Is(derr, mailer.ErrInterrupted):
		again := "digest send"
		if reopen {
			again += " --issue " + is.ID
		}
		return rep, fmt.Errorf("%w: %d messages left pending; %s goes on where this stopped", ErrInterrupted, rep.Pending, again)
	case derr != nil:
		return rep, fmt.Errorf("send %s: %w", is.ID, derr)
	}
	return rep, nil
}

// addRecipients streams the subscribers into the ledger of is as pending
// rows, in batches, leaving out the inactive, the suppressed and those the
// issue has nothing for; rows still pending for subscribers no longer
// listed are skipped.
func (n *Newsletter) addRecipients(ctx context.Context, is *digest.Issue, key string, rep *SendReport) error {
	run := time.Now().UnixNano()
	batch := make([]digest.Recipient, 0, 512)
	flush := func() error {
		_, err := n.State.AddRecipients(ctx, key, run, batch, time.Now())
		batch = batch[:0]
		return err
	}
	err := n.eachSubscriber(ctx, is, rep, func(sub digest.Subscriber) error {
		batch = append(batch, digest.Recipient{Email: sub.Email, Name: sub.Name, Tags: sub.Tags})
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	_, err = n.State.SkipUnlisted(ctx, key, run, time.Now())
	return err
}

// eachSubscriber streams the subscribers file, then the subscribers who
// confirmed on the site, and calls fn with every one the issue is for,
// counting the others in rep. The owner's file, with its statuses, wins over
// the site; suppressions win over both. Invalid rows are reported as
// file:line: reason.
func (n *Newsletter) eachSubscriber(ctx context.Context, is *digest.Issue, rep *SendReport, fn func(digest.Subscriber) error) error {
	name := DisplayPath(n.Config.Subscribers)
	f, err := os.Open(n.Config.Subscribers)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("subscribers: %s does not exist (the subscribers setting names the CSV file, with a header row and an email column)", name)
	}
	if err != nil {
		return fmt.Errorf("subscribers: %w", err)
	}
	defer f.Close()
	r, err := digest.NewSubscriberReader(f, name)
	if err != nil {
		return fmt.Errorf("subscribers: %w", err)
	}
	r.OnProblem = func(e *digest.SubscriberError) { n.logf("%v (skipped)", e) }
	// offer hands fn a subscriber the issue has something for.
	offer := func(sub digest.Subscriber) error {
		if !wantsAny(sub, is) {
			rep.Skipped++
			return nil
		}
		return fn(sub)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		sub, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("subscribers: %w", err)
		}
		if !sub.Active() {
			rep.Unsubscribed++
			continue
		}
		if sup, err := n.State.IsSuppressed(ctx, sub.Email); err != nil {
			return err
		} else if sup {
			rep.Suppressed++
			continue
		}
		if err := offer(sub); err != nil {
			return err
		}
	}
	rep.Invalid = r.Skipped()
	for sub, err := range n.State.Subscribers(ctx) {
		if err != nil {
			return err
		}
		if r.Listed(sub.Email) {
			continue
		}
		if err := offer(sub); err != nil {
			return err
		}
	}
	return nil
}

func wantsAny(sub digest.Subscriber, is *digest.Issue) bool {
	for _, it := range is.Items {
		if sub.Wants(it.Tag) {
			return true
		}
	}
	return false
}

// listUnknown reports the recipients of an issue left unknown, by this run
// or an earlier one: in the log, and in rep.
func (n *Newsletter) listUnknown(ctx context.Context, key, issue string, rep *SendReport) error {
	k := 0
	err := n.State.Deliveries(ctx, key, digest.Unknown, func(d digest.Delivery) error {
		if k < maxListed {
			rep.UnknownAddresses = append(rep.UnknownAddresses, d.Email)
		}
		k++
		return nil
	})
	if err != nil || k == 0 {
		return err
	}
	listed := rep.UnknownAddresses
	more := ""
	if len(listed) > 20 {
		listed, more = listed[:20], fmt.Sprintf(" and %d more", k-20)
	}
	n.logf("%d recipients of %s may or may not have it: their message was handed to the relay and no answer came back (the relay was silent or slow, or a send stopped): %s%s",
		k, issue, strings.Join(listed, ", "), more)
	n.logf("check the relay's log for their Message-IDs; digest send --issue %s --resend-unknown sends to them again, with the same Message-ID", issue)
	return nil
}

// composer makes the messages of is.
func (n *Newsletter) composer(is *digest.Issue, now time.Time) (*email.Composer, error) {
	opt := n.mailOptions(now)
	opt.MaxItems, opt.UnsubscribeMailto = n.Config.Email.MaxItems, n.unsubscribeMailto()
	return email.NewComposer(is, opt)
}

// mailOptions are what every message the newsletter sends is made with.
func (n *Newsletter) mailOptions(now time.Time) email.ComposerOptions {
	return email.ComposerOptions{
		Site: n.Config.Site, From: n.Config.From, Secret: n.Secret, DKIM: n.DKIM, Templates: n.Templates, Date: now, Clock: n.Clock,
	}
}

// mailOne delivers a message of its own (a confirmation, a welcome) through
// the transport, once: the reader who asked for it can ask again.
func (n *Newsletter) mailOne(ctx context.Context, m *email.Message) error {
	res, err := mailer.SendOne(ctx, n.Transport, m)
	if err != nil {
		return err
	}
	if res.Outcome != mailer.Delivered {
		return fmt.Errorf("%s: %s: %s", n.Transport, res.Outcome, res.Response)
	}
	return nil
}

// Summary is the one line a send ends with.
func (r *SendReport) Summary() string {
	if r.Note != "" {
		return r.Note
	}
	var b strings.Builder
	fmt.Fprintf(&b, "issue %s: %d sent", r.Issue, r.Sent)
	if r.Outbox != "" {
		fmt.Fprintf(&b, " (into %s)", r.Outbox)
	}
	fmt.Fprintf(&b, ", %d failed", r.Failed)
	r.counts(&b)
	return b.String()
}

func (r *SendReport) counts(b *strings.Builder) {
	for _, c := range []struct {
		n    int
		what string
	}{
		{r.Already, "had it already"},
		{r.Skipped, "skipped (nothing for their tags)"},
		{r.Suppressed, "suppressed"},
		{r.Unsubscribed, "unsubscribed in the file"},
		{r.Invalid, "invalid rows"},
		{r.Unknown, "unknown (see above)"},
		{r.Pending, "still pending"},
	} {
		if c.n > 0 {
			fmt.Fprintf(b, ", %d %s", c.n, c.what)
		}
	}
}
