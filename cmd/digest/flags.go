package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// globals are the flags every command takes.
type globals struct {
	config string
	now    string
}

// errHelp is what parsing returns for -h and --help: print help, exit 0.
var errHelp = flag.ErrHelp

// flagSet is a flag.FlagSet that reports mistakes as usageError.
type flagSet struct {
	*flag.FlagSet
}

func newFlagSet(name string, g *globals) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.config, "config", g.config, "configuration `file` (default digest.yaml)")
	fs.StringVar(&g.now, "now", g.now, "pretend it is this `time` (RFC3339), for reproducible runs")
	return &flagSet{FlagSet: fs}
}

func (fs *flagSet) Parse(args []string) error {
	if err := fs.FlagSet.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usagef("%s: %v (digest help %s lists the flags)", fs.Name(), err, fs.Name())
	}
	return nil
}

// usage prints the command's summary and flags.
func (fs *flagSet) usage(w io.Writer) {
	c := commands[fs.Name()]
	if c != nil && c.summary != "" {
		fmt.Fprintf(w, "digest %s: %s\n\n", fs.Name(), c.summary)
	}
	fmt.Fprintf(w, "Usage: digest [--config FILE] [--now RFC3339] %s [flags]\n\nFlags:\n", fs.Name())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--now: %q is not an RFC3339 time such as 2026-11-30T08:00:00+08:00", s)
	}
	return t, nil
}
