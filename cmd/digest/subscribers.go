package main

import (
	"context"
	"fmt"
	"os"

	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/digest/weekly"
)

func init() {
	var asJSON bool
	commands["subscribers"] = &command{
		summary: "list, export, import (listmonk, Mailchimp, Substack, Buttondown) or remove the site's subscribers: list|export|import FILE|remove ADDR",
		flags:   func(fs *flagSet) { fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout") },
		args:    true,
		run:     func(ctx context.Context, a *app) error { return a.subscribers(ctx, asJSON) },
	}
}

func (a *app) subscribers(ctx context.Context, asJSON bool) error {
	sub, args := "", a.args
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	want := map[string]int{"list": 0, "export": 0, "import": 1, "remove": 1}
	n, ok := want[sub]
	if !ok {
		return usagef("subscribers: want list, export, import FILE or remove ADDR")
	}
	if len(args) != n {
		return usagef("subscribers %s: want %d argument(s), got %d", sub, n, len(args))
	}
	s, err := sqlite.Open(ctx, a.cfg.State)
	if err != nil {
		return err
	}
	a.store = s
	nl := &weekly.Newsletter{Config: a.cfg, State: s, Log: a.logf}
	var rep any
	switch sub {
	case "list":
		rep, err = nl.ListSubscribers(ctx)
	case "export":
		return nl.ExportSubscribers(ctx, a.stdout)
	case "import":
		f, ferr := os.Open(args[0])
		if ferr != nil {
			return fmt.Errorf("subscribers import: %w", ferr)
		}
		defer f.Close()
		rep, err = nl.ImportSubscribers(ctx, f, args[0], a.now)
	default: // remove
		rep, err = nl.RemoveSubscriber(ctx, args[0], a.now)
	}
	if err != nil {
		return fmt.Errorf("subscribers %s: %w", sub, err)
	}
	return a.report(rep, asJSON, nil)
}
