// Command digest turns the web clippings of an Obsidian vault into a weekly
// newsletter: a web archive, RSS, Atom and JSON feeds, and email.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
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
    build    [--json]                                  select, render and write the site to out/
    send     [--dry-run] [--to ADDR] [--issue ID] [--resend-unknown] [--json]
                                                       email the issue to the subscribers
    preview  [--addr HOST:PORT]                        the next issue, re-rendered live
    serve    [--addr HOST:PORT] [--drain DURATION] [--log-json] [--trust-proxy]
                                                       archive, feeds, (un)subscribe, weekly schedule
    status   [--json]                                  issues, deliveries, suppressions
    version                                            print the version

Global flags:
    --config FILE    configuration (default digest.yaml; missing means defaults)
    --now RFC3339    pretend it is this time, for reproducible runs

'digest COMMAND -h' lists a command's flags.

Example:
    $ export DIGEST_SECRET=$(openssl rand -hex 32)
    $ digest --config examples/digest.yaml --now 2025-05-19T20:00:00+08:00 build
    digest: issue 2025-W21 (#1): 6 clippings from 13 notes, 1 invalid skipped
    $ digest --config examples/digest.yaml send --dry-run
    $ digest --config examples/digest.yaml send
`

// command is one subcommand: its flags are added to fs, then it runs.
type command struct {
	flags func(fs *flagSet)
	run   func(ctx context.Context, a *app) error
}

var commands = map[string]command{}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	g := &globals{}
	top := newFlagSet("digest", g)
	if err := top.Parse(args); err != nil {
		return err
	}
	args = top.Args()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := commands[name]
	if !ok {
		return usagef("unknown command %q (see digest help)", name)
	}
	fs := newFlagSet(name, g)
	fs.help = stderr
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", name, fs.Arg(0))
	}
	a, err := newApp(g, stdout, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	return cmd.run(ctx, a)
}
