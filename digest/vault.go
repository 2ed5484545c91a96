package digest

import (
	"bytes"
	"context"
	"io/fs"
	"runtime"
	"slices"
	"sort"
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
	Seen    int // the file's position in the files seen before (ScanOptions.Seen), or -1
	Clip    *Clip
	Err     error
	Skipped bool // the caller's Skip said not to read it
	NoMatch bool // its bytes cannot make it match a wanted tag, so it was not parsed
}

// ScanOptions tune ScanVault.
type ScanOptions struct {
	Want []string // configured tags; files that cannot match them are not parsed
	// Seen, when set, is called once, in a goroutine of its own, for the
	// files seen before, so that they may load while the walk starts. A
	// file that is not among them is read straight away, without a stat
	// first.
	Seen func() SeenFiles
	// Skip, when set, is asked for each file seen before (from several
	// goroutines at once) whether not to read it at all, because it is
	// known unchanged; seen is its position among them.
	Skip    func(f File, seen int) bool
	Exclude []string // folders (relative, slash-separated) not to walk, e.g. the output
	Workers int      // parallel readers; 0 means a sensible default
}

// SeenFiles lists files by path. In walk order (the order in which
// ScanVault reports files), a scan finds each file in it with one
// comparison; in any other order it sorts a copy first.
type SeenFiles interface {
	Len() int
	Path(i int) string
}

// DirFS is implemented by a file system that lists a folder into a
// DirList, and stats and reads files without an fs.FileInfo or an fs.File,
// so that a scan of a large vault allocates nothing for a file it does not
// read, and reads a file into a buffer it reuses. ScanVault uses plain
// fs.FS calls for a file system that is not one.
type DirFS interface {
	fs.FS
	// ReadDirList lists the folder name into l (reset first), sorted by
	// name, as fs.ReadDir would list it: the walk order depends on it.
	ReadDirList(name string, l *DirList) error
	// StatFile is lstat, or stat when follow is set.
	StatFile(name string, follow bool) (size int64, mod time.Time, mode fs.FileMode, err error)
	// ReadFileBuffer reads name into buf and returns the size and
	// modification time of the open file it read, so that a file need
	// not be stat'ed first. The slice returned is buf, or a larger one
	// when buf was too small.
	ReadFileBuffer(name string, buf []byte) (data []byte, size int64, mod time.Time, err error)
}

// DirList is the entries of a folder: names, in one buffer reused from
// folder to folder, and types as fs.DirEntry.Type gives them.
type DirList struct {
	names []byte
	ents  []dirEnt
}

type dirEnt struct {
	off, len uint32
	typ      fs.FileMode
}

// Reset empties l, keeping its memory.
func (l *DirList) Reset() { l.names, l.ents = l.names[:0], l.ents[:0] }

// Grow makes room for about n more entries with names of size bytes in
// all, so that a file system that can tell how large a folder is need not
// grow l entry by entry: a large folder would cost twice its size in fresh
// memory, which is not cheap.
func (l *DirList) Grow(n, size int) {
	if cap(l.names)-len(l.names) < size {
		l.names = append(make([]byte, 0, len(l.names)+size), l.names...)
	}
	if cap(l.ents)-len(l.ents) < n {
		l.ents = append(make([]dirEnt, 0, len(l.ents)+n), l.ents...)
	}
}

// Add appends an entry.
func (l *DirList) Add(name []byte, typ fs.FileMode) {
	l.ents = append(l.ents, dirEnt{uint32(len(l.names)), uint32(len(name)), typ})
	l.names = append(l.names, name...)
}

// Sort sorts the entries by name.
func (l *DirList) Sort() {
	slices.SortFunc(l.ents, func(a, b dirEnt) int {
		return bytes.Compare(l.names[a.off:a.off+a.len], l.names[b.off:b.off+b.len])
	})
}

// Len is the number of entries.
func (l *DirList) Len() int { return len(l.ents) }

// Name is the name of the i-th entry, valid until l is reset.
func (l *DirList) Name(i int) []byte {
	e := l.ents[i]
	return l.names[e.off : e.off+e.len : e.off+e.len]
}

// Type is the type of the i-th entry.
func (l *DirList) Type(i int) fs.FileMode { return l.ents[i].typ }

// scanBatch is how many files a worker takes at a time: enough to make the
// hand-offs between goroutines cheap, few enough to keep the workers busy.
const scanBatch = 64

// ScanVault walks every *.md file under fsys (skipping dot-folders such as
// .obsidian, and not following symbolic links to folders, so link loops
// cannot trap it), stats, reads and parses files in parallel, and calls fn
// for each in walk order (by path, '/' before any other byte), one call at
// a time. Only files whose bytes may match a wanted tag are parsed.
func ScanVault(ctx context.Context, fsys fs.FS, opt ScanOptions, fn func(Scanned)) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	dfs, ok := fsys.(DirFS)
	if !ok {
		dfs = plainFS{fsys}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type entry struct {
		path string
		typ  fs.FileMode // as listed: a regular file or a symbolic link
		seen int         // position in the files seen before, -1, or pending
		err  error       // from the walk
	}
	type batch struct {
		in   []entry
		out  []Scanned
		keep []bool // false: not a file to report (a link to a folder, a dangling link)
		done chan struct{}
	}
	jobs := make(chan *batch, 2*workers)
	order := make(chan *batch, 4*workers)
	free := make(chan *batch, 8*workers) // batches the caller is done with, to reuse

	// The files seen before load while the walk starts: until they are
	// there, files are found among them by the workers, after a stat.
	seen := &seenFiles{ready: make(chan struct{})}
	if opt.Seen == nil {
		seen.cur = newSeenCursor(nil)
		close(seen.ready)
	} else {
		go func() {
			defer close(seen.ready)
			seen.cur = newSeenCursor(opt.Seen())
		}()
	}

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for b := range jobs {
				b.out = slices.Grow(b.out[:0], len(b.in))[:len(b.in)]
				b.keep = slices.Grow(b.keep[:0], len(b.in))[:len(b.in)]
				for i := range b.in {
					e := &b.in[i]
					if e.err != nil {
						b.out[i], b.keep[i] = Scanned{File: File{Path: e.path}, Seen: -1, Err: e.err}, true
						continue
					}
					b.out[i], b.keep[i] = scanOne(ctx, dfs, e.path, e.typ, e.seen, seen, opt, &buf)
				}
				b.done <- struct{}{}
			}
		}()
	}

	var walkErr error
	go func() {
		defer close(order)
		defer close(jobs)
		var known *seenCursor // the files seen before, once they are there
		cur := &batch{done: make(chan struct{}, 1)}
		flush := func() {
			if len(cur.in) == 0 {
				return
			}
			jobs <- cur
			order <- cur
			select {
			case cur = <-free:
				cur.in = cur.in[:0]
			default:
				cur = &batch{in: make([]entry, 0, scanBatch), done: make(chan struct{}, 1)}
			}
		}
		add := func(e entry) {
			cur.in = append(cur.in, e)
			if len(cur.in) == scanBatch {
				flush()
			}
		}
		var p []byte         // the path of the file at hand
		var lists []*DirList // the entries of the folders being walked, by depth, reused
		// As fs.WalkDir, in lexical order, without following links to
		// folders; paths are joined by hand (fs.WalkDir's path.Join was a
		// tenth of a rebuild).
		var walk func(dir string, depth int) error
		walk = func(dir string, depth int) error {
			if depth == len(lists) {
				lists = append(lists, new(DirList))
			}
			l := lists[depth]
			if err := dfs.ReadDirList(dir, l); err != nil {
				if dir == "." {
					return err
				}
				add(entry{path: dir, seen: -1, err: err})
				return nil
			}
			for i := range l.Len() {
				if err := ctx.Err(); err != nil {
					return err
				}
				name, typ := l.Name(i), l.Type(i)
				p = p[:0]
				if dir != "." {
					p = append(append(p, dir...), '/')
				}
				p = append(p, name...)
				switch {
				case typ.IsDir():
					if bytes.HasPrefix(name, []byte(".")) || excluded(string(p), opt.Exclude) {
						continue
					}
					if err := walk(string(p), depth+1); err != nil {
						return err
					}
				case !typ.IsRegular() && typ&fs.ModeSymlink == 0:
				case !isMarkdown(name):
				default:
					e := entry{typ: typ, seen: pending}
					if known == nil {
						select {
						case <-seen.ready:
							known = seen.cur
						default:
						}
					}
					if known != nil {
						e.path, e.seen = known.find(p)
					}
					if e.path == "" {
						e.path = string(p)
					}
					add(e)
				}
			}
			return nil
		}
		walkErr = walk(".", 0)
		flush()
	}()

	for b := range order {
		<-b.done
		for i, s := range b.out {
			if b.keep[i] {
				fn(s)
			}
		}
		clear(b.in)  // let go of the paths and errors
		clear(b.out) // and of the clips
		select {
		case free <- b:
		default:
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

// isMarkdown reports whether name ends in .md, in any case.
func isMarkdown(name []byte) bool {
	return len(name) >= 3 && bytes.EqualFold(name[len(name)-3:], []byte(".md"))
}

// walkCompare compares two paths in walk order: folder by folder, name by
// name, which is byte order with '/' before any other byte.
func walkCompare[A, B ~string | ~[]byte](a A, b B) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x == '/' {
			return -1
		}
		if y == '/' {
			return 1
		}
		if x < y {
			return -1
		}
		return 1
	}
	return len(a) - len(b)
}

// pending is the place among the files seen before of a file walked
// before they were there.
const pending = -2

// seenFiles is the files seen before, once ready is closed.
type seenFiles struct {
	ready chan struct{}
	cur   *seenCursor
}

// seenCursor finds the walk's files in a SeenFiles, moving forwards through
// it in walk order as the walk does.
type seenCursor struct {
	seen SeenFiles
	n    int
	next int     // the first position not yet passed
	perm []int32 // positions in walk order, when seen is not
}

func newSeenCursor(s SeenFiles) *seenCursor {
	c := &seenCursor{seen: s}
	if s == nil {
		return c
	}
	c.n = s.Len()
	for i := 1; i < c.n; i++ {
		if walkCompare(s.Path(i-1), s.Path(i)) >= 0 {
			c.perm = make([]int32, c.n)
			for j := range c.perm {
				c.perm[j] = int32(j)
			}
			slices.SortStableFunc(c.perm, func(a, b int32) int { return walkCompare(s.Path(int(a)), s.Path(int(b))) })
			break
		}
	}
	return c
}

// search finds p by bisection, for a file walked before the cursor was
// there; it does not move the cursor.
func (c *seenCursor) search(p string) int {
	k, found := sort.Find(c.n, func(k int) int { return walkCompare(p, c.seen.Path(c.at(k))) })
	if !found {
		return -1
	}
	return c.at(k)
}

func (c *seenCursor) at(k int) int {
	if c.perm != nil {
		return int(c.perm[k])
	}
	return k
}

// find returns the path as Seen holds it and its position, or -1. Paths
// must be asked for in walk order.
func (c *seenCursor) find(p []byte) (string, int) {
	for c.next < c.n {
		i := c.at(c.next)
		s := c.seen.Path(i)
		switch cmp := walkCompare(s, p); {
		case cmp < 0: // gone from the vault
			c.next++
		case cmp == 0:
			c.next++
			return s, i
		default:
			return "", -1
		}
	}
	return "", -1
}

// stat sets f's size and time, following a symbolic link; false means a
// link that does not lead to a regular file. A file that cannot be stat'ed
// is left with neither, to be read (and fail) as it is.
func stat(dfs DirFS, f *File) bool {
	size, mod, mode, err := dfs.StatFile(f.Path, false)
	if err != nil {
		return true
	}
	if mode&fs.ModeSymlink != 0 {
		if size, mod, mode, err = dfs.StatFile(f.Path, true); err != nil || !mode.IsRegular() {
			return false
		}
	}
	f.Size, f.ModTime = size, mod
	return true
}

// scanOne stats, reads, filters and parses one file; keep is false for a
// link that does not lead to a regular file. *buf is the worker's reusable
// read buffer.
func scanOne(ctx context.Context, dfs DirFS, p string, typ fs.FileMode, seen int, sf *seenFiles, opt ScanOptions, buf *[]byte) (s Scanned, keep bool) {
	f := File{Path: p}
	// A regular file never seen before is just read: its size and time
	// come from the open file.
	if typ&fs.ModeSymlink != 0 || seen != -1 {
		if !stat(dfs, &f) {
			return Scanned{}, false // dangling link, or a link to a folder
		}
		if seen == pending {
			select {
			case <-sf.ready:
				seen = sf.cur.search(p)
			case <-ctx.Done():
				seen = -1
			}
		}
		if seen >= 0 && opt.Skip != nil && opt.Skip(f, seen) {
			return Scanned{File: f, Seen: seen, Skipped: true}, true
		}
	}
	data, size, mod, err := dfs.ReadFileBuffer(p, (*buf)[:0])
	if err == nil {
		f.Size, f.ModTime = size, mod
	}
	if data != nil && cap(data) <= 1<<22 {
		*buf = data[:0] // keep it for the next file, unless it grew huge
	}
	if err != nil {
		return Scanned{File: f, Seen: seen, Err: err}, true
	}
	if len(opt.Want) > 0 && !MayMatch(data, opt.Want) {
		return Scanned{File: f, Seen: seen, NoMatch: true}, true
	}
	data = bytes.Clone(data) // the clip keeps its body; the buffer is reused
	c, err := ParseClip(p, data, f.ModTime)
	return Scanned{File: f, Seen: seen, Clip: c, Err: err}, true
}

// plainFS is a DirFS made of fs.FS calls.
type plainFS struct{ fs.FS }

func (p plainFS) ReadDirList(name string, l *DirList) error {
	l.Reset()
	list, err := fs.ReadDir(p.FS, name)
	for _, d := range list {
		l.Add([]byte(d.Name()), d.Type())
	}
	l.Sort() // as fs.ReadDir promises, even where an fs.ReadDirFS does not
	return err
}

func (p plainFS) StatFile(name string, follow bool) (int64, time.Time, fs.FileMode, error) {
	stat := fs.Lstat
	if follow {
		stat = fs.Stat
	}
	info, err := stat(p.FS, name)
	if err != nil {
		return 0, time.Time{}, 0, err
	}
	return info.Size(), info.ModTime(), info.Mode(), nil
}

func (p plainFS) ReadFileBuffer(name string, buf []byte) ([]byte, int64, time.Time, error) {
	f, err := p.Open(name)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	b := bytes.NewBuffer(buf[:0])
	if _, err := b.ReadFrom(f); err != nil {
		return nil, 0, time.Time{}, err
	}
	return b.Bytes(), info.Size(), info.ModTime(), nil
}
