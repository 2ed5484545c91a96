package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/templates"
)

// passwordEnv holds the relay's password: never in the configuration file.
const passwordEnv = "DIGEST_SMTP_PASSWORD"

type sendFlags struct {
	dryRun        bool
	to            string
	issue         string
	resendUnknown bool
	json          bool
}

func init() {
	var f sendFlags
	commands["send"] = command{
		flags: func(fs *flagSet) {
			fs.BoolVar(&f.dryRun, "dry-run", false, "render every message into the outbox Maildir and change no state")
			fs.StringVar(&f.to, "to", "", "send the issue to this one address, outside the ledger")
			fs.StringVar(&f.issue, "issue", "", "send this issue (by id) to the subscribers who have not had it")
			fs.BoolVar(&f.resendUnknown, "resend-unknown", false, "send again, with the same Message-ID, to the recipients a stopped run left unknown")
			fs.BoolVar(&f.json, "json", false, "print a JSON summary on stdout")
		},
		run: func(ctx context.Context, a *app) error { return a.send(ctx, f) },
	}
}

// sendReport is what `digest send --json` prints.
type sendReport struct {
	Issue        string `json:"issue"` // "" when there was nothing to send
	Sent         int    `json:"sent"`
	Failed       int    `json:"failed"`
	Skipped      int    `json:"skipped"`      // no items for their tags
	Unknown      int    `json:"unknown"`      // left in doubt by a run that died; see unknown_addresses
	Invalid      int    `json:"invalid"`      // rows of the subscribers file skipped as invalid or duplicate
	Suppressed   int    `json:"suppressed"`   // unsubscribed or bounced, in the state
	Unsubscribed int    `json:"unsubscribed"` // status unsubscribed in the file
	Already      int    `json:"already_sent"` // had it from an earlier run
	Pending      int    `json:"pending"`      // left for a later run (interrupted)
	DryRun       bool   `json:"dry_run"`
	To           string `json:"to,omitempty"`
	Outbox       string `json:"outbox,omitempty"` // where a dry run or a relay-less send wrote

	UnknownAddresses []string `json:"unknown_addresses"`

	Note string `json:"note,omitempty"` // said instead of the counts: why nothing was sent
}

// maxListed bounds the unknown addresses a report carries.
const maxListed = 1000

func (a *app) send(ctx context.Context, f sendFlags) error {
	if f.resendUnknown && (f.dryRun || f.to != "") {
		return usagef("send: --resend-unknown works on the ledger; it does not go with --dry-run or --to")
	}
	var to string
	if f.to != "" {
		var err error
		if to, err = digest.NormalizeEmail(f.to); err != nil {
			return usagef("send: --to: %v", err)
		}
	}
	secret, err := a.secret()
	if err != nil {
		return err
	}
	is, err := a.issueToSend(ctx, f)
	if err != nil {
		return err
	}
	var rep *sendReport
	switch {
	case is == nil:
		rep = &sendReport{UnknownAddresses: []string{}, DryRun: f.dryRun,
			Note: "no new clippings with the configured tags: no issue, nothing sent"}
	case to != "":
		rep, err = a.sendOne(ctx, is, secret, to, f.dryRun)
	case f.dryRun:
		rep, err = a.sendDry(ctx, is, secret)
	default:
		rep, err = a.deliverIssue(ctx, is, secret, f.issue != "", f.resendUnknown)
	}
	if rep == nil {
		return err
	}
	if f.issue == "" && to == "" && !f.dryRun {
		a.hintUnfinished(ctx, rep.Issue)
	}
	if f.json {
		if jerr := a.printJSON(rep); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		a.logf("%s", rep.summary())
	}
	return err
}

// secret is the HMAC key of the unsubscribe links, from the environment.
func (a *app) secret() ([]byte, error) {
	name := a.cfg.SecretEnv
	secret := []byte(os.Getenv(name))
	if err := digest.CheckSecret(secret); err != nil {
		return nil, fmt.Errorf("%s: %w: it keys the unsubscribe links; set it to at least %d random bytes, e.g. export %s=$(openssl rand -hex 32)",
			name, err, digest.MinSecretLen, name)
	}
	return secret, nil
}

// issueToSend is the issue named by --issue, or this week's, built first
// (and published, unless it is a dry run, which changes no state). It is
// nil when there are no new clippings.
func (a *app) issueToSend(ctx context.Context, f sendFlags) (*digest.Issue, error) {
	if f.issue != "" {
		st, err := a.open(ctx)
		if err != nil {
			return nil, err
		}
		is, err := st.Issue(ctx, f.issue)
		if errors.Is(err, digest.ErrNotFound) {
			return nil, fmt.Errorf("issue %s: no such issue (digest status lists them)", f.issue)
		}
		return is, err
	}
	res, err := a.build(ctx, f.dryRun)
	if err != nil {
		return nil, err
	}
	if !f.dryRun {
		if err := a.publish(ctx); err != nil {
			return nil, err
		}
	}
	return res.issue, nil
}

// composer makes the messages of is, with the configured templates and
// DKIM key.
func (a *app) composer(is *digest.Issue, secret []byte) (*email.Composer, error) {
	fsys, err := templates.Overlay(a.cfg.Templates)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	var dk *email.DKIMSigner
	if d := a.cfg.DKIM; d != nil {
		key, err := os.ReadFile(d.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("dkim.key_file: %w", err)
		}
		if dk, err = email.LoadDKIMSigner(d.Domain, d.Selector, key); err != nil {
			return nil, err
		}
	}
	return email.NewComposer(is, email.ComposerOptions{
		Site: a.cfg.Site, From: a.cfg.From, Secret: secret, DKIM: dk, Templates: fsys, Date: a.now,
	})
}

// transport is where messages go: the relay of the smtp setting, with the
// password from the environment, or the outbox Maildir without one.
func (a *app) transport() (mailer.Transport, error) {
	if a.cfg.SMTP == nil {
		return &mailer.Maildir{Dir: a.cfg.Outbox}, nil
	}
	c := *a.cfg.SMTP
	if c.Username != "" {
		c.Password = os.Getenv(passwordEnv)
		if c.Password == "" {
			return nil, fmt.Errorf("smtp.username is %q but %s is empty: the relay's password comes from the environment", c.Username, passwordEnv)
		}
	}
	return &mailer.SMTP{Config: c}, nil
}

// deliverIssue sends is to every active subscriber who has not had it,
// through the ledger: rows left sending by a run that died become unknown
// and are reported; unknown rows are sent again only with resendUnknown. A
// finished issue sends nothing again, unless reopen (--issue) asks to send
// it to the subscribers added since.
func (a *app) deliverIssue(ctx context.Context, is *digest.Issue, secret []byte, reopen, resendUnknown bool) (*sendReport, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	comp, err := a.composer(is, secret)
	if err != nil {
		return nil, err
	}
	tr, err := a.transport()
	if err != nil {
		return nil, err
	}
	release, err := st.LockSend()
	if errors.Is(err, digest.ErrSendLocked) {
		return nil, fmt.Errorf("%w: wait for it to finish, or stop it (it resumes where it stopped)", err)
	}
	if err != nil {
		return nil, err
	}
	defer release()

	rep := &sendReport{Issue: is.ID, UnknownAddresses: []string{}}
	if _, ok := tr.(*mailer.Maildir); ok {
		rep.Outbox = displayPath(a.cfg.Outbox)
	}
	if n, err := st.RecoverSending(ctx, time.Now()); err != nil {
		return nil, err
	} else if n > 0 {
		a.logf("a send stopped while handing %d messages to the relay: they are marked unknown", n)
	}
	rec, err := st.StartSend(ctx, is.ID, reopen, time.Now())
	if err != nil {
		return nil, err
	}
	requeued := 0
	if resendUnknown {
		if requeued, err = st.RequeueUnknown(ctx, is.ID, time.Now()); err != nil {
			return nil, err
		}
		if requeued > 0 {
			a.logf("sending again to %d recipients left unknown, with the same Message-ID", requeued)
		}
	}
	if !rec.Done() {
		if err := a.addRecipients(ctx, st, is, rep); err != nil {
			return nil, err
		}
	} else if requeued == 0 {
		rep.Note = fmt.Sprintf("issue %s was sent on %s: nothing more to send (digest send --issue %s sends it to subscribers added since)",
			is.ID, rec.Finished.In(a.cfg.Schedule.Location()).Format("2006-01-02 15:04"), is.ID)
	}
	if err := a.listUnknown(ctx, st, is.ID, rep); err != nil {
		return nil, err
	}

	counts, err := st.DeliveryCounts(ctx, is.ID)
	if err != nil {
		return nil, err
	}
	prog := a.newProgress(is.ID, counts[digest.Pending])
	var limiter *mailer.Limiter
	if _, ok := tr.(*mailer.SMTP); ok {
		limiter = mailer.NewLimiter(a.cfg.Send.Rate)
	}
	stats, derr := mailer.Deliver(ctx, mailer.Job{
		Issue:     is.ID,
		Ledger:    st,
		Transport: tr,
		Compose: func(d digest.Delivery) (*email.Message, error) {
			return comp.Compose(digest.Subscriber{Email: d.Email, Name: d.Name, Tags: d.Tags, Status: digest.StatusActive})
		},
		Concurrency: a.cfg.Send.Concurrency,
		Limiter:     limiter,
		Retries:     a.cfg.Send.Retries,
		OnResult:    prog.event,
	})
	prog.done()
	rep.Sent, rep.Failed = stats.Sent, stats.Failed
	rep.Skipped += stats.Skipped

	// The bookkeeping below happens even after an interrupt.
	bg := context.WithoutCancel(ctx)
	if derr == nil {
		if _, err := st.FinishSend(bg, is.ID, time.Now()); err != nil {
			derr = err
		}
	}
	if counts, err = st.DeliveryCounts(bg, is.ID); err != nil && derr == nil {
		derr = err
	}
	rep.Already = counts[digest.Sent] - stats.Sent
	rep.Pending = counts[digest.Pending] + counts[digest.Sending]
	rep.Unknown = counts[digest.Unknown]
	switch {
	case errors.Is(derr, mailer.ErrInterrupted):
		again := "digest send"
		if reopen {
			again += " --issue " + is.ID
		}
		return rep, fmt.Errorf("send interrupted: %d messages left pending; %s goes on where this stopped", rep.Pending, again)
	case derr != nil:
		return rep, fmt.Errorf("send %s: %w", is.ID, derr)
	}
	return rep, nil
}

// addRecipients streams the subscribers file into the ledger of is as
// pending rows, in batches, leaving out the inactive, the suppressed and
// those the issue has nothing for; rows still pending for subscribers no
// longer in the file are skipped.
func (a *app) addRecipients(ctx context.Context, st *sqlite.Store, is *digest.Issue, rep *sendReport) error {
	run := time.Now().UnixNano()
	batch := make([]digest.Recipient, 0, 512)
	flush := func() error {
		_, err := st.AddRecipients(ctx, is.ID, run, batch, time.Now())
		batch = batch[:0]
		return err
	}
	err := a.eachSubscriber(ctx, st, is, rep, func(sub digest.Subscriber) error {
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
	_, err = st.SkipUnlisted(ctx, is.ID, run, time.Now())
	return err
}

// eachSubscriber streams the subscribers file, then the subscribers who
// confirmed on the site, and calls fn with every one the issue is for,
// counting the others in rep. Invalid rows are reported as file:line: reason.
func (a *app) eachSubscriber(ctx context.Context, st *sqlite.Store, is *digest.Issue, rep *sendReport, fn func(digest.Subscriber) error) error {
	name := displayPath(a.cfg.Subscribers)
	f, err := os.Open(a.cfg.Subscribers)
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
	r.OnProblem = func(e *digest.SubscriberError) { a.logf("%v (skipped)", e) }
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
		if sup, err := st.IsSuppressed(ctx, sub.Email); err != nil {
			return err
		} else if sup {
			rep.Suppressed++
			continue
		}
		if !wantsAny(sub, is) {
			rep.Skipped++
			continue
		}
		if err := fn(sub); err != nil {
			return err
		}
	}
	rep.Invalid = r.Skipped()
	// Then those who subscribed on the site (double opt-in), unless the
	// file lists them: the owner's file, with its statuses, wins.
	for sub, err := range st.Subscribers(ctx) {
		if err != nil {
			return err
		}
		if r.Listed(sub.Email) {
			continue
		}
		if !wantsAny(sub, is) {
			rep.Skipped++
			continue
		}
		if err := fn(sub); err != nil {
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

// listUnknown reports the recipients of issue left unknown: on stderr, and
// in rep.
func (a *app) listUnknown(ctx context.Context, st *sqlite.Store, issue string, rep *sendReport) error {
	n := 0
	err := st.Deliveries(ctx, issue, digest.Unknown, func(d digest.Delivery) error {
		if n < maxListed {
			rep.UnknownAddresses = append(rep.UnknownAddresses, d.Email)
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		return err
	}
	listed := rep.UnknownAddresses
	more := ""
	if len(listed) > 20 {
		listed, more = listed[:20], fmt.Sprintf(" and %d more", n-20)
	}
	a.logf("%d recipients of %s may or may not have it: a send stopped between handing their message to the relay and hearing back: %s%s",
		n, issue, strings.Join(listed, ", "), more)
	a.logf("check the relay's log for their Message-IDs; digest send --issue %s --resend-unknown sends to them again, with the same Message-ID", issue)
	return nil
}

// hintUnfinished mentions the issues, other than current, whose sending
// was begun and not finished.
func (a *app) hintUnfinished(ctx context.Context, current string) {
	st, err := a.open(ctx)
	if err != nil {
		return
	}
	ids, err := st.Unfinished(context.WithoutCancel(ctx))
	if err != nil {
		return
	}
	for _, id := range ids {
		if id != current {
			a.logf("issue %s was not sent to everyone: digest send --issue %s goes on with it", id, id)
		}
	}
}

// sendDry writes every subscriber's message into the outbox Maildir and
// records nothing.
func (a *app) sendDry(ctx context.Context, is *digest.Issue, secret []byte) (*sendReport, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	comp, err := a.composer(is, secret)
	if err != nil {
		return nil, err
	}
	tr := &mailer.Maildir{Dir: a.cfg.Outbox}
	conn, err := tr.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rep := &sendReport{Issue: is.ID, DryRun: true, Outbox: displayPath(a.cfg.Outbox), UnknownAddresses: []string{}}
	prog := a.newProgress(is.ID, -1)
	defer prog.done()
	err = a.eachSubscriber(ctx, st, is, rep, func(sub digest.Subscriber) error {
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
		rep.Sent++
		prog.event(mailer.Event{Email: sub.Email, State: digest.Sent})
		return nil
	})
	if errors.Is(err, context.Canceled) {
		return rep, errors.New("dry run interrupted")
	}
	return rep, err
}

// sendOne sends the issue to one address, outside the ledger: a test send
// to oneself, or a copy for someone. A suppressed address is refused.
func (a *app) sendOne(ctx context.Context, is *digest.Issue, secret []byte, to string, dry bool) (*sendReport, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	if sup, err := st.IsSuppressed(ctx, to); err != nil {
		return nil, err
	} else if sup && !dry {
		return nil, fmt.Errorf("%s is suppressed (unsubscribed or bounced; see digest status): not sending", to)
	}
	comp, err := a.composer(is, secret)
	if err != nil {
		return nil, err
	}
	m, err := comp.Compose(digest.Subscriber{Email: to, Status: digest.StatusActive})
	if err != nil {
		return nil, err
	}
	var tr mailer.Transport = &mailer.Maildir{Dir: a.cfg.Outbox}
	if !dry {
		if tr, err = a.transport(); err != nil {
			return nil, err
		}
	}
	rep := &sendReport{Issue: is.ID, To: to, DryRun: dry, UnknownAddresses: []string{}}
	if _, ok := tr.(*mailer.Maildir); ok {
		rep.Outbox = displayPath(a.cfg.Outbox)
	}
	for try := 1; ; try++ {
		res, err := mailer.SendOne(ctx, tr, m)
		if err != nil {
			return nil, err
		}
		switch {
		case res.Outcome == mailer.Delivered:
			rep.Sent = 1
			return rep, nil
		case res.Outcome == mailer.Permanent || try > a.cfg.Send.Retries:
			rep.Failed = 1
			return rep, fmt.Errorf("%s: %s: %s", to, res.Outcome, res.Response)
		}
		a.logf("%s: %s (%s); trying again", to, res.Response, res.Outcome)
		if sleep(ctx, mailer.Backoff(try)) != nil {
			return rep, fmt.Errorf("send interrupted: %s not sent", to)
		}
	}
}

// summary is the one line a run ends with.
func (r *sendReport) summary() string {
	if r.Note != "" {
		return r.Note
	}
	var b strings.Builder
	switch {
	case r.To != "" && r.DryRun:
		fmt.Fprintf(&b, "dry run: issue %s for %s written to %s", r.Issue, r.To, r.Outbox)
		return b.String()
	case r.To != "" && r.Sent == 1:
		fmt.Fprintf(&b, "issue %s sent to %s (outside the ledger)", r.Issue, r.To)
		if r.Outbox != "" {
			fmt.Fprintf(&b, ", into %s", r.Outbox)
		}
		return b.String()
	case r.DryRun:
		fmt.Fprintf(&b, "dry run: issue %s: %d messages written to %s, nothing recorded", r.Issue, r.Sent, r.Outbox)
	default:
		fmt.Fprintf(&b, "issue %s: %d sent", r.Issue, r.Sent)
		if r.Outbox != "" {
			fmt.Fprintf(&b, " (into %s)", r.Outbox)
		}
		fmt.Fprintf(&b, ", %d failed", r.Failed)
	}
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
			fmt.Fprintf(&b, ", %d %s", c.n, c.what)
		}
	}
	return b.String()
}

// progress shows how a send goes: a bar when stderr is a terminal, else a
// log line every few seconds. Failures are logged as they happen.
type progress struct {
	a       *app
	issue   string
	total   int
	bar     *progressbar.ProgressBar
	n       int
	sent    int
	failed  int
	retried int
	last    time.Time
}

const progressEvery = 5 * time.Second

func (a *app) newProgress(issue string, total int) *progress {
	p := &progress{a: a, issue: issue, total: total, last: time.Now()}
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && total != 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription("sending "+issue),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("msg"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// event is called once per row settled or put back to wait, one at a time.
func (p *progress) event(e mailer.Event) {
	switch e.State {
	case digest.Sent:
		p.sent++
	case digest.Failed:
		p.failed++
		if p.bar != nil {
			p.bar.Clear()
		}
		p.a.logf("%s: failed (try %d): %s", e.Email, e.Attempts, e.Result.Response)
	case digest.Pending:
		p.retried++
		return // not done with: the bar does not move
	}
	p.n++
	if p.bar != nil {
		p.bar.Add(1)
		return
	}
	if time.Since(p.last) >= progressEvery {
		p.last = time.Now()
		of := ""
		if p.total > 0 {
			of = fmt.Sprintf("/%d", p.total)
		}
		p.a.logf("%s: %d%s done: %d sent, %d failed, %d retries", p.issue, p.n, of, p.sent, p.failed, p.retried)
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
