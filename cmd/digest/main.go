// Command digest turns the web clippings of an Obsidian vault into a weekly
// newsletter: a web archive, RSS, Atom and JSON feeds, and email. Each
// command parses its flags, makes one call into digest/weekly and prints
// what came of it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "digest: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `digest turns the clippings of an Obsidian vault into a weekly newsletter.

Usage:
    digest [--config FILE] [--now RFC3339] COMMAND [flags]

Commands:
    build    [--json]                                  publish this week's issue: pages, archive, feeds
    send     [--dry-run] [--to ADDR] [--issue ID] [--resend-unknown] [--json]
                                                       mail the newest issue not yet mailed
    preview  [--addr HOST:PORT]                        the next issue, re-rendered live
    serve    [--addr HOST:PORT] [--drain DURATION] [--log-json] [--trust-proxy]
                                                       archive, feeds, (un)subscribe, weekly schedule
    status   [--json]                                  issues, deliveries, suppressions
    subscribers list|export|import FILE|remove ADDR [--json]
                                                       the site's subscribers and suppressions
    bounces  [--json]                                  read the bounce mailbox: bounces, complaints, mailed unsubscribes
    dkim                                               the DNS TXT records to publish (DKIM, SPF, DMARC)
    version                                            print the version
    help     [COMMAND]                                 this text, or a command's flags

Global flags:
    --config FILE    configuration (default digest.yaml; missing means defaults)
    --now RFC3339    pretend it is this time, for reproducible runs

Example:
    $ export DIGEST_SECRET=$(openssl rand -hex 32)   # once; keep it (see README)
    $ digest --config examples/digest.yaml --now 2025-05-19T20:00:00+08:00 build
    digest: issue 2025-W21 (#1): 6 clippings from 13 notes, 1 invalid skipped
    $ digest --config examples/digest.yaml send --to me@example.org   # a test copy
    $ digest --config examples/digest.yaml send
`

// command is one subcommand: its flags are added to fs, then it runs.
type command struct {
	summary string
	flags   func(fs *flagSet)
	run     func(ctx context.Context, a *app) error
	// noConfig commands run whatever the configuration file holds.
	noConfig bool
	// args commands take arguments (app.args), with flags before, between
	// or after them.
	args bool
}

var commands = map[string]*command{}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	g := &globals{}
	top := newFlagSet("digest", g)
	switch err := top.Parse(args); {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usage)
		return nil
	case err != nil:
		return err
	}
	args = top.Args()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	name := args[0]
	if name == "help" {
		return help(stdout, args[1:])
	}
	cmd, ok := commands[name]
	if !ok {
		return usagef("unknown command %q (digest help lists them)", name)
	}
	fs := commandFlags(name, g)
	switch err := fs.Parse(args[1:]); {
	case errors.Is(err, errHelp):
		fs.usage(stdout)
		return nil
	case err != nil:
		return err
	}
	var pos []string
	for cmd.args && fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", name, fs.Arg(0))
	}
	a, err := newApp(g, stdout, stderr, !cmd.noConfig)
	if err != nil {
		return err
	}
	a.args = pos
	defer a.close()
	return cmd.run(ctx, a)
}

// commandFlags is the flag set of a command, its own flags and the global
// ones.
func commandFlags(name string, g *globals) *flagSet {
	fs := newFlagSet(name, g)
	if c := commands[name]; c.flags != nil {
		c.flags(fs)
	}
	return fs
}

// help prints the usage, or a command's flags.
func help(w io.Writer, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(w, usage)
		return nil
	}
	if _, ok := commands[args[0]]; !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		slices.Sort(names)
		return usagef("help: no command %q; the commands are %v", args[0], names)
	}
	commandFlags(args[0], &globals{}).usage(w)
	return nil
}
