package digest

import (
	"bytes"
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
	Want []string // configured tags; files that cannot match them are not parsed
	// Skip, when set, is asked for each file (from several goroutines at
	// once) whether not to read it at all, because it is known unchanged.
	Skip func(File) bool
	// Known, when set, reports whether Skip could say true for a path at
	// all (the file was seen before). A file it says false to is read
	// straight away, without a stat by name first, when fsys is a
	// BufferReader.
	Known   func(path string) bool
	Exclude []string // folders (relative, slash-separated) not to walk, e.g. the output
	Workers int      // parallel readers; 0 means a sensible default
}

// BufferReader is implemented by a file system that can read a file into a
// buffer the caller reuses, so that a scan of a large vault allocates nothing
// per file it does not parse. It returns the size and modification time of
// the open file it read, so that a file need not be stat'ed by name first.
// The returned slice is buf, or a larger one when buf was too small.
type BufferReader interface {
	ReadFileBuffer(name string, buf []byte) (data []byte, size int64, mod time.Time, err error)
	// StatFile is lstat without the fs.FileInfo, which a scan of 100,000
	// files would allocate 100,000 times.
	StatFile(name string) (size int64, mod time.Time, mode fs.FileMode, err error)
}

// scanBatch is how many files a worker takes at a time: enough to make the
// hand-offs between goroutines cheap, few enough to keep the workers busy.
const scanBatch = 64

// ScanVault walks every *.md file under fsys (skipping dot-folders such as
// .obsidian, and not following symbolic links to folders, so link loops
// cannot trap it), stats, reads and parses files in parallel, and calls fn
// for each in walk order, one call at a time. Only files whose bytes may
// match a wanted tag are parsed.
func ScanVault(ctx context.Context, fsys fs.FS, opt ScanOptions, fn func(Scanned)) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = 2 * runtime.GOMAXPROCS(0)
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
		out  []Scanned
		keep []bool // false: not a file to report (a link to a folder, a dangling link)
		done chan struct{}
	}
	jobs := make(chan *batch, 2*workers)
	order := make(chan *batch, 4*workers)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for b := range jobs {
				b.out = make([]Scanned, len(b.in))
				b.keep = make([]bool, len(b.in))
				for i, e := range b.in {
					if e.err != nil {
						b.out[i], b.keep[i] = Scanned{File: File{Path: e.path}, Err: e.err}, true
						continue
					}
					b.out[i], b.keep[i] = scanOne(fsys, e.path, e.d, opt, &buf)
				}
				close(b.done)
			}
		}()
	}

	var walkErr error
	go func() {
		defer close(order)
		defer close(jobs)
		cur := &batch{}
		flush := func() {
			if len(cur.in) == 0 {
				return
			}
			cur.done = make(chan struct{})
			jobs <- cur
			order <- cur
			cur = &batch{in: make([]entry, 0, scanBatch)}
		}
		add := func(e entry) {
			cur.in = append(cur.in, e)
			if len(cur.in) == scanBatch {
				flush()
			}
		}
		// As fs.WalkDir, in lexical order, without following links to
		// folders; paths are joined by hand (fs.WalkDir's path.Join was a
		// tenth of a rebuild).
		var walk func(dir string) error
		walk = func(dir string) error {
			ents, err := fs.ReadDir(fsys, dir)
			if err != nil {
				if dir == "." {
					return err
				}
				add(entry{path: dir, err: err})
				return nil
			}
			for _, d := range ents {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				name := d.Name()
				p := name
				if dir != "." {
					p = dir + "/" + name
				}
				switch {
				case d.IsDir():
					if strings.HasPrefix(name, ".") || excluded(p, opt.Exclude) {
						continue
					}
					if err := walk(p); err != nil {
						return err
					}
				case !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0:
				case !strings.EqualFold(path.Ext(name), ".md"):
				default:
					add(entry{path: p, d: d})
				}
			}
			return nil
		}
		walkErr = walk(".")
		flush()
	}()

	for b := range order {
		<-b.done
		for i, s := range b.out {
			if b.keep[i] {
				fn(s)
			}
		}
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

// stat sets f's size and time, following a symbolic link; false means a
// link that does not lead to a regular file. A file that cannot be stat'ed
// is left with neither, to be read (and fail) as it is.
func stat(fsys fs.FS, br BufferReader, p string, d fs.DirEntry, f *File) bool {
	if br != nil && d.Type().IsRegular() {
		if size, mod, mode, err := br.StatFile(p); err == nil && mode.IsRegular() {
			f.Size, f.ModTime = size, mod
			return true
		}
	}
	info, err := d.Info()
	if err != nil {
		return true
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if info, err = fs.Stat(fsys, p); err != nil || !info.Mode().IsRegular() {
			return false
		}
	}
	f.Size, f.ModTime = info.Size(), info.ModTime()
	return true
}

// scanOne stats, reads, filters and parses one file; keep is false for a
// link that does not lead to a regular file. *buf is the worker's reusable
// read buffer.
func scanOne(fsys fs.FS, p string, d fs.DirEntry, opt ScanOptions, buf *[]byte) (s Scanned, keep bool) {
	f := File{Path: p}
	br, _ := fsys.(BufferReader)
	// A regular file Skip cannot skip is just read: its size and time come
	// from the open file.
	direct := br != nil && d.Type().IsRegular() && opt.Known != nil && !opt.Known(p)
	if !direct {
		if !stat(fsys, br, p, d, &f) {
			return Scanned{}, false // dangling link, or a link to a folder
		}
		if opt.Skip != nil && opt.Skip(f) {
			return Scanned{File: f, Skipped: true}, true
		}
	}
	var data []byte
	var err error
	if br != nil {
		var size int64
		var mod time.Time
		data, size, mod, err = br.ReadFileBuffer(p, (*buf)[:0])
		if err == nil {
			f.Size, f.ModTime = size, mod
		}
		if cap(data) <= 1<<22 {
			*buf = data[:0] // keep it for the next file, unless it grew huge
		}
	} else {
		data, err = fs.ReadFile(fsys, p)
	}
	if err != nil {
		return Scanned{File: f, Err: err}, true
	}
	if len(opt.Want) > 0 && !MayMatch(data, opt.Want) {
		return Scanned{File: f, NoMatch: true}, true
	}
	if br != nil {
		data = bytes.Clone(data) // the clip keeps its body; the buffer is reused
	}
	c, err := ParseClip(p, data, f.ModTime)
	return Scanned{File: f, Clip: c, Err: err}, true
}
