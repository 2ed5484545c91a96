package main

import (
	"context"
	"os"

	"golang.org/x/term"

	"github.com/digest-newsletter/digest/digest"
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
	if err := n.CheckSecret(ctx, !trial); err != nil {
		return err
	}
	if trial {
		rep, err := n.Trial(ctx, a.now, f.issue, f.to, f.dryRun)
		if rep == nil {
			return err
		}
		return a.report(rep, f.json, err)
	}
	prog := &weekly.Progress{Log: a.logf}
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		prog.Bar = a.stderr
	}
	rep, err := n.Send(ctx, a.now, weekly.SendOptions{
		Issue:         f.issue,
		ResendUnknown: f.resendUnknown,
		OnStart:       prog.Start,
		OnResult:      prog.Event,
	})
	prog.Done()
	if rep == nil {
		return err
	}
	return a.report(rep, f.json, err)
}
