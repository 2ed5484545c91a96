package main

import (
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

// flagSet is a flag.FlagSet that reports usage mistakes as usageError.
type flagSet struct {
	*flag.FlagSet
	help io.Writer // where -h prints the flags
}

func newFlagSet(name string, g *globals) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.config, "config", g.config, "configuration file")
	fs.StringVar(&g.now, "now", g.now, "pretend time (RFC3339)")
	return &flagSet{FlagSet: fs}
}

func (fs *flagSet) Parse(args []string) error {
	if err := fs.FlagSet.Parse(args); err != nil {
		if err == flag.ErrHelp {
			if fs.help != nil {
				fmt.Fprintf(fs.help, "Usage of digest %s:\n", fs.Name())
				fs.SetOutput(fs.help)
				fs.PrintDefaults()
			}
			return usagef("%s: -h shows the flags; digest help shows the commands", fs.Name())
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
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
