package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/weekly"
)

type sendFlags struct {
	dryRun        bool
	to            string
	issue         string
	resendUnknown bool
	json          bool
}

func init() {
	var f sendFlags
	commands["send"] = &command{
		summary: "mail the newest published issue not yet mailed (building this week's when there is none); --to and --dry-run record nothing",
		flags: func(fs *flagSet) {
			fs.BoolVar(&f.dryRun, "dry-run", false, "write every subscriber's message into the outbox Maildir; record and publish nothing")
			fs.StringVar(&f.to, "to", "", "mail a test copy to this one `address`; record and publish nothing")
			fs.StringVar(&f.issue, "issue", "", "mail this issue (by `id`) to the subscribers who have not had it")
			fs.BoolVar(&f.resendUnknown, "resend-unknown", false, "send again, with the same Message-ID, to the recipients a stopped run left unknown")
			fs.BoolVar(&f.json, "json", false, "print a JSON summary on stdout")
		},
		run: func(ctx context.Context, a *app) error { return a.send(ctx, f) },
	}
}

func (a *app) send(ctx context.Context, f sendFlags) error {
	if f.resendUnknown && (f.dryRun || f.to != "") {
		return usagef("send: --resend-unknown works on the ledger; it does not go with --dry-run or --to")
	}
	if f.to != "" {
		to, err := digest.NormalizeEmail(f.to)
		if err != nil {
			return usagef("send: --to: %v", err)
		}
		f.to = to
	}
	n, err := a.newsletter(ctx, true)
	if err != nil {
		return err
	}
	trial := f.dryRun || f.to != ""
	if err := n.CheckSecret(ctx, a.previousSecrets(), !trial, a.cfg.SecretEnv); err != nil {
		return err
	}
	if trial {
		rep, err := n.Trial(ctx, a.now, f.issue, f.to, f.dryRun)
		if rep == nil {
			return err
		}
		return a.report(rep, f.json, err)
	}
	var prog *progress
	rep, err := n.Send(ctx, a.now, weekly.SendOptions{
		Issue:         f.issue,
		ResendUnknown: f.resendUnknown,
		OnStart:       func(issue string, pending int) { prog = a.newProgress(issue, pending) },
		OnResult:      func(e mailer.Event) { prog.event(e) },
	})
	if prog != nil {
		prog.done()
	}
	if rep == nil {
		return err
	}
	return a.report(rep, f.json, err)
}

// report prints the outcome of a run: JSON on stdout, or its summary line.
func (a *app) report(rep interface{ Summary() string }, asJSON bool, err error) error {
	if asJSON {
		if jerr := a.printJSON(rep); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		a.logf("%s", rep.Summary())
	}
	return err
}

// progress shows how a send goes: a bar when stderr is a terminal, else a
// log line every few seconds. Failures are logged as they happen.
type progress struct {
	logf    func(string, ...any)
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
	p := &progress{logf: a.logf, issue: issue, total: total, last: time.Now()}
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
		p.logf("%s: failed (try %d): %s", e.Email, e.Attempts, e.Result.Response)
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
		p.logf("%s: %d%s done: %d sent, %d failed, %d retries", p.issue, p.n, of, p.sent, p.failed, p.retried)
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
