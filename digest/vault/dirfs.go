package vault

import (
	"io/fs"
	"os"
	"path/filepath"
)

// DirFS is os.DirFS(dir) except that Open never blocks: a named pipe or a
// device put in place of a note while a build runs would otherwise hold
// the build in open for ever. Walk checks the type of what it opened
// before reading from it.
func DirFS(dir string) fs.FS { return dirFS{os.DirFS(dir).(fs.StatFS), dir} }

type dirFS struct {
	fs.StatFS // os.DirFS: ReadDir, ReadFile and Stat
	dir       string
}

// Open opens name for reading without waiting for a writer or a device.
func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(filepath.Join(d.dir, filepath.FromSlash(name)), os.O_RDONLY|openNonblock, 0)
	if err != nil {
		err.(*fs.PathError).Path = name
		return nil, err
	}
	return f, nil
}

// ReadDir is os.DirFS's, so that fs.WalkDir lists folders as it would.
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return d.StatFS.(fs.ReadDirFS).ReadDir(name)
}
