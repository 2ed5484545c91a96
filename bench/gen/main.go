// Command gen writes a synthetic Obsidian vault of web clippings, and a
// subscribers file, for benchmarking digest at sizes no real vault in the
// corpus reaches (the writing is in package vaultgen, which benchmarks use
// too). The output is a function of the flags alone (the seed included), so
// two runs give byte-identical vaults.
//
// The clippings are shaped like ../shared/corpus/real: the Web Clipper's
// default template, X threads with the packed "@handle #AI #…" tag item,
// LLM-written topic tags joined by fullwidth commas, flow lists, Omnivore
// exports with block-scalar titles, nested tags (AI/LLM), prefix traps
// (AI-Agents, AI开发, ai-industry), inline #tags and '#' inside URLs and code,
// invalid YAML the lenient reader repairs, notes without frontmatter, CRLF
// and BOM files, " 1" duplicates of the same page, and subfolders. Bodies are
// English, Chinese or Japanese Markdown of 1–30 KB. About one clipping in ten
// is tagged AI, spread over two years before -now; a handful fall in the week
// before -now, so that a first build there makes a small issue.
//
// Usage:
//
//	go run ./bench/gen vault -n 100000 -seed 1 -now 2026-06-29T20:00:00+08:00 DIR
//	go run ./bench/gen subscribers -n 10000 -seed 1 FILE
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/digest-newsletter/digest/bench/vaultgen"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "vault":
		err = vaultCmd(os.Args[2:])
	case "subscribers":
		err = subscribersCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: gen vault [-n N] [-seed S] [-now RFC3339] [-recent K] DIR\n"+
		"       gen subscribers [-n N] [-seed S] FILE\n")
	os.Exit(2)
}

func vaultCmd(args []string) error {
	fs := flag.NewFlagSet("vault", flag.ExitOnError)
	n := fs.Int("n", 10000, "number of notes")
	seed := fs.Uint64("seed", 1, "random seed")
	nowFlag := fs.String("now", "2026-06-29T20:00:00+08:00", "the build time the vault is made for (RFC 3339)")
	recent := fs.Int("recent", 0, "notes clipped in the week before -now (0: max(12, n/4000))")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	now, err := time.Parse(time.RFC3339, *nowFlag)
	if err != nil {
		return fmt.Errorf("-now: %w", err)
	}
	k := *recent
	if k == 0 {
		k = max(12, *n/4000)
	}
	st, err := vaultgen.WriteVault(fs.Arg(0), vaultgen.Options{Notes: *n, Seed: *seed, Now: now, Recent: k})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %d notes, %.1f MB, %d tagged AI or 未来趋势, %d recent (%d of them tagged)\n",
		st.Notes, float64(st.Bytes)/1e6, st.Tagged, st.Recent, st.RecentTagged)
	return nil
}

func subscribersCmd(args []string) error {
	fs := flag.NewFlagSet("subscribers", flag.ExitOnError)
	n := fs.Int("n", 10000, "number of subscribers")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	f, err := os.Create(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := vaultgen.WriteSubscribers(f, *n, *seed); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
