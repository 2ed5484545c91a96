package digest

import (
	"context"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"time"
)

// File is a Markdown file of the vault as the walk finds it.
type File struct {
	Path    string // slash-separated, relative to the vault root
	Size    int64
	ModTime time.Time
}

// Scanned is the outcome for one file: a parsed clipping, a parse error, or
// neither when the file was not read (Skipped) or could not match (NoMatch).
type Scanned struct {
	File
	Clip    *Clip
	Err     error
	Skipped bool // the caller's Skip said not to read it
	NoMatch bool // its bytes cannot make it match a wanted tag, so it was not parsed
}

// ScanOptions tune ScanVault.
type ScanOptions struct {
	Want    []string        // configured tags; files that cannot match them are not parsed
	Skip    func(File) bool // true: do not read the file at all (known unchanged)
	Exclude []string        // folders (relative, slash-separated) not to walk, e.g. the output
	Workers int             // parallel readers; 0 means a sensible default
}

// ScanVault walks every *.md file under fsys (skipping dot-folders such as
// .obsidian, and not following symbolic links to folders, so link loops
// cannot trap it), reads and parses files in parallel, and calls fn for each
// in walk order, one call at a time. Only bytes that may match are parsed.
func ScanVault(ctx context.Context, fsys fs.FS, opt ScanOptions, fn func(Scanned)) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	type job struct {
		f    File
		done chan Scanned
	}
	jobs := make(chan job, 4*workers)
	order := make(chan chan Scanned, 4*workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.done <- readOne(fsys, j.f, opt)
			}
		}()
	}

	var walkErr error
	go func() {
		defer close(order)
		defer close(jobs)
		walkErr = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				if p == "." {
					return err
				}
				ch := make(chan Scanned, 1)
				ch <- Scanned{File: File{Path: p}, Err: err}
				order <- ch
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if p != "." && (strings.HasPrefix(d.Name(), ".") || excluded(p, opt.Exclude)) {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if !strings.EqualFold(path.Ext(p), ".md") {
				return nil
			}
			f := File{Path: p}
			if info, err := d.Info(); err == nil {
				if info.Mode()&fs.ModeSymlink != 0 {
					if info, err = fs.Stat(fsys, p); err != nil || !info.Mode().IsRegular() {
						return nil // dangling link, or a link to a folder
					}
				}
				f.Size, f.ModTime = info.Size(), info.ModTime()
			}
			ch := make(chan Scanned, 1)
			if opt.Skip != nil && opt.Skip(f) {
				ch <- Scanned{File: f, Skipped: true}
			} else {
				jobs <- job{f, ch}
			}
			order <- ch
			return nil
		})
	}()

	for ch := range order {
		fn(<-ch)
	}
	wg.Wait()
	if walkErr != nil && walkErr != context.Canceled {
		return walkErr
	}
	return ctx.Err()
}

func excluded(p string, ex []string) bool {
	for _, e := range ex {
		if e != "" && (p == e || strings.HasPrefix(p, e+"/")) {
			return true
		}
	}
	return false
}

func readOne(fsys fs.FS, f File, opt ScanOptions) Scanned {
	data, err := fs.ReadFile(fsys, f.Path)
	if err != nil {
		return Scanned{File: f, Err: err}
	}
	if len(opt.Want) > 0 && !MayMatch(data, opt.Want) {
		return Scanned{File: f, NoMatch: true}
	}
	c, err := ParseClip(f.Path, data, f.ModTime)
	return Scanned{File: f, Clip: c, Err: err}
}
