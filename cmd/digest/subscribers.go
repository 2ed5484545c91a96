package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

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
	switch sub {
	case "list":
		l, err := nl.ListSubscribers(ctx)
		if err != nil || asJSON {
			if err != nil {
				return err
			}
			return a.printJSON(l)
		}
		w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EMAIL\tNAME\tTAGS\tSTATUS\tSOURCE")
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
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Email, s.Name, tags, status, s.Source)
		}
		for _, s := range l.Suppressions {
			fmt.Fprintf(w, "%s\t\t\t%s\t\n", s.Email, s.Reason)
		}
		return w.Flush()
	case "export":
		return nl.ExportSubscribers(ctx, a.stdout)
	case "import":
		f, err := os.Open(args[0])
		if err != nil {
			return fmt.Errorf("subscribers import: %w", err)
		}
		defer f.Close()
		rep, err := nl.ImportSubscribers(ctx, f, args[0], a.now)
		if err != nil {
			return fmt.Errorf("subscribers import: %w", err)
		}
		a.logf("%s", rep.Summary())
		if asJSON {
			return a.printJSON(rep)
		}
		return nil
	default: // remove
		rep, err := nl.RemoveSubscriber(ctx, args[0], a.now)
		if err != nil {
			return fmt.Errorf("subscribers remove: %w", err)
		}
		if rep.Known {
			a.logf("removed %s: only a hash of it is kept, so that it is never mailed again", rep.Email)
		} else {
			a.logf("%s was not known on the site; it is now never mailed", rep.Email)
		}
		if rep.InFile {
			a.logf("%s is still in %s: delete its row there too (it will not be mailed meanwhile)", rep.Email, weekly.DisplayPath(a.cfg.Subscribers))
		}
		if asJSON {
			return a.printJSON(rep)
		}
		return nil
	}
}
