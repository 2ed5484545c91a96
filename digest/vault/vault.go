package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// File is a Markdown file of the vault as the walk finds it.
type File struct {
	Path    string // slash-separated, relative to the vault root
	Size    int64
	ModTime time.Time
}

// Result is what Walk made of one file: a clipping, an error, or neither
// when the file was not read (Skipped) or cannot match the wanted tags
// (NoMatch).
type Result struct {
	File
	Clip *digest.Clip
	Err  error // why the file was skipped
	// Warning says why a file was read in part (it is over MaxFileSize).
	Warning error
	Skipped bool // Options.Skip said not to read it
	NoMatch bool // its bytes cannot make it match a wanted tag, so it was not parsed
	Old     bool // changed before Options.ChangedSince and no editor's note: not parsed
}

// Options tune Walk.
type Options struct {
	// Want are the configured tags: files that cannot match them are not
	// parsed, and a clip's inline tags are only those that can change
	// which of them it matches (parsing a body for the others is wasted).
	Want []string
	// Skip, when set, is asked (from several goroutines at once) whether not
	// to read a file at all, because it is known unchanged. Known, when
	// set, says which files Skip may skip: only those are stat'ed before
	// they are opened, the others once, when open.
	Skip    func(File) bool
	Known   func(path string) bool
	Exclude []string // folders (relative, slash-separated) not to walk, e.g. the output
	Workers int      // parallel readers; 0 means readersPerProcessor per processor
	// Now, when set, is the time of the build: a clipping dated more than
	// two days after it is taken at its file time, and the date reported.
	Now time.Time
	// ChangedSince, when set, spares parsing the files last changed before
	// it, editor's notes apart: the caller knows none of them can be picked.
	ChangedSince time.Time
}

// readersPerProcessor is how many readers Walk runs per processor: reading
// a vault is mostly system calls (open, fstat, read, close), and while one
// reader is in one another can parse. With four, a first build of 100,000
// notes took 0.79x the wall time of one per processor, on two busy cores.
const readersPerProcessor = 4

// batchSize is how many files a reader takes at a time: enough to make the
// hand-offs between goroutines cheap.
const batchSize = 64

// Walk reads every *.md file under fsys (skipping dot-folders such as
// .obsidian, and not following symbolic links to folders, so link loops
// cannot trap it) in parallel, and calls fn for each in the order of
// fs.WalkDir, one call at a time.
func Walk(ctx context.Context, fsys fs.FS, opt Options, fn func(Result)) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = readersPerProcessor * runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type entry struct {
		path string
		d    fs.DirEntry
		err  error // from the walk
	}
	type batch struct {
		in   []entry
		out  []Result
		keep []bool // false: not a file to report (a link to a folder, a dangling link)
		done chan struct{}
	}
	jobs := make(chan *batch, workers)
	order := make(chan *batch, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var buf []byte // reused: most files are not parsed
			for b := range jobs {
				b.out, b.keep = make([]Result, len(b.in)), make([]bool, len(b.in))
				for i, e := range b.in {
					if e.err != nil {
						b.out[i], b.keep[i] = Result{File: File{Path: e.path}, Err: e.err}, true
						continue
					}
					b.out[i], b.keep[i] = read(fsys, e.path, e.d, opt, &buf)
				}
				close(b.done)
			}
		})
	}

	var walkErr error
	go func() {
		defer close(order)
		defer close(jobs)
		cur := &batch{done: make(chan struct{})}
		flush := func() {
			if len(cur.in) > 0 {
				jobs <- cur
				order <- cur
				cur = &batch{done: make(chan struct{})}
			}
		}
		add := func(e entry) {
			if cur.in = append(cur.in, e); len(cur.in) == batchSize {
				flush()
			}
		}
		walkErr = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil && p == ".":
				return err
			case err != nil:
				add(entry{path: p, err: err})
				return nil
			case ctx.Err() != nil:
				return ctx.Err()
			case d.IsDir():
				if p != "." && (strings.HasPrefix(d.Name(), ".") || excluded(p, opt.Exclude)) {
					return fs.SkipDir
				}
			case isMarkdown(p):
				add(entry{path: p, d: d}) // whatever its type, to say why it is skipped
			}
			return nil
		})
		flush()
	}()

	for b := range order {
		<-b.done
		for i, r := range b.out {
			if b.keep[i] {
				fn(r)
			}
		}
	}
	wg.Wait()
	if walkErr != nil && walkErr != context.Canceled {
		return walkErr
	}
	return ctx.Err()
}

// read stats, reads, filters and parses one file; keep is false for a link
// to a folder, which is not walked. Only a regular file is opened, and what
// was opened is checked again, for a file replaced by a named pipe since the
// walk listed it. The file is read into *buf, and copied out of it only to
// be parsed.
func read(fsys fs.FS, p string, d fs.DirEntry, opt Options, buf *[]byte) (r Result, keep bool) {
	r.Path = p
	var info fs.FileInfo
	var err error
	switch typ := d.Type(); {
	case typ&fs.ModeSymlink != 0:
		if info, err = fs.Stat(fsys, p); err != nil {
			r.Err = skip(p, "symbolic link not followed: %s", cause(err))
			return r, true
		}
		if info.IsDir() {
			return r, false
		}
		if !info.Mode().IsRegular() {
			r.Err = notRegular(p, info.Mode().Type())
			return r, true
		}
	case !typ.IsRegular():
		r.Err = notRegular(p, typ)
		return r, true
	case opt.Skip != nil && (opt.Known == nil || opt.Known(p)):
		info, err = d.Info()
	}
	if err != nil {
		r.Err = err
		return r, true
	}
	if info != nil {
		r.Size, r.ModTime = info.Size(), info.ModTime()
		if opt.Skip != nil && opt.Skip(r.File) {
			r.Skipped = true
			return r, true
		}
	}
	data, info, err := readFile(fsys, p, buf)
	if err != nil {
		r.Err = err
		return r, true
	}
	r.Size, r.ModTime = info.Size(), info.ModTime()
	if r.Size > int64(len(data)) && len(data) == MaxFileSize {
		r.Warning = skip(p, "%d bytes, over the %d MB limit: only the first %d MB read", r.Size, MaxFileSize>>20, MaxFileSize>>20)
	}
	switch {
	case len(opt.Want) > 0 && !mayMatch(data, opt.Want) && !mayBeNote(data):
		r.NoMatch = true
	case r.ModTime.Before(opt.ChangedSince) && !mayBeNote(data):
		r.Old = true
	default:
		r.Clip, r.Err = parse(p, bytes.Clone(data), r.ModTime, opt.Now, opt.Want)
	}
	return r, true
}

// readFile reads up to MaxFileSize bytes of a regular file into *buf, and
// returns them with the file's information. The file is opened without
// blocking, and read only when it is (still) a regular file.
func readFile(fsys fs.FS, p string, buf *[]byte) ([]byte, fs.FileInfo, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, notRegular(p, info.Mode().Type())
	}
	size := min(info.Size(), MaxFileSize)
	b := *buf
	if int64(cap(b)) < size {
		b = make([]byte, size)
		if len(b) <= 1<<20 {
			*buf = b // not to keep a large one
		}
	}
	n, err := io.ReadFull(f, b[:size])
	if err == io.ErrUnexpectedEOF {
		err = nil // it shrank
	}
	return b[:n], info, err
}

// skip is the error reporting a file, or a part of it, not read.
func skip(p, format string, args ...any) *digest.ParseError {
	return &digest.ParseError{Path: p, Msg: fmt.Sprintf(format, args...)}
}

// cause is the system's reason in err, without the path err names.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// notRegular is the error reporting a *.md that is no regular file: a
// named pipe, a device, a socket.
func notRegular(p string, typ fs.FileMode) *digest.ParseError {
	what := "not a regular file"
	switch {
	case typ&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case typ&fs.ModeCharDevice != 0:
		what = "a character device"
	case typ&fs.ModeDevice != 0:
		what = "a device"
	case typ&fs.ModeSocket != 0:
		what = "a socket"
	}
	return skip(p, "%s, not a note", what)
}

func excluded(p string, ex []string) bool {
	for _, e := range ex {
		if e != "" && (p == e || strings.HasPrefix(p, e+"/")) {
			return true
		}
	}
	return false
}

// isMarkdown reports whether name ends in .md, in any case.
func isMarkdown(name string) bool {
	return len(name) >= 3 && strings.EqualFold(name[len(name)-3:], ".md")
}

// mayBeNote reports whether a note may be an editor's note: its frontmatter
// has a digest key. Such a note is parsed whatever its tags.
func mayBeNote(data []byte) bool {
	front, _, _, _, ok := SplitFrontmatter(data)
	switch {
	case !ok:
		return false
	case bytes.IndexByte(front, '{') >= 0:
		// A flow mapping may hold the key anywhere.
		return bytes.Contains(bytes.ToLower(front), []byte("digest"))
	}
	// Elsewhere a key starts its line, after indentation, a quote or "? ".
	for len(front) > 0 {
		l := front
		if i := bytes.IndexByte(front, '\n'); i >= 0 {
			l, front = front[:i], front[i+1:]
		} else {
			front = nil
		}
		l = bytes.TrimLeft(l, " \t\"'?")
		if len(l) >= len("digest") && bytes.EqualFold(l[:len("digest")], []byte("digest")) {
			return true
		}
	}
	return false
}
