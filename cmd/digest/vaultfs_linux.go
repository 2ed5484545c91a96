package main

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/digest-newsletter/digest/digest"
)

// vaultFS is the vault's folder: os.DirFS, plus a digest.DirFS made of bare
// system calls relative to the open folder (getdents64, statx, openat,
// read), which spares a scan of 100,000 notes as many allocations, poller
// registrations and lookups of the vault's own path. On a virtual machine a
// page of memory touched for the first time can cost as much as a system
// call, so nothing is allocated for a file that is only stat'ed.
type vaultFS struct {
	fs.FS
	fd int // the vault's folder, opened with O_PATH
}

var _ digest.DirFS = (*vaultFS)(nil)

// openVault opens the vault's folder; Close closes it.
func openVault(root string) (*vaultFS, error) {
	fd, err := retry(func() (int, error) {
		return unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	return &vaultFS{FS: os.DirFS(root), fd: fd}, nil
}

func (v *vaultFS) Close() error { return unix.Close(v.fd) }

// retry calls f again while it is interrupted by a signal.
func retry(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// ReadDirList lists the folder name with getdents64, into a buffer on the
// stack: a few system calls for a folder of thousands of notes. The names
// are copied into l once, and l grows once, to the size of the folder.
func (v *vaultFS) ReadDirList(name string, l *digest.DirList) error {
	l.Reset()
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := retry(func() (int, error) {
		return unix.Openat(v.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	// A folder's size is about the size of its entries: room enough for
	// its names (and it says how many there may be).
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && st.Size > 0 {
		size := int(min(st.Size, 64<<20))
		l.Grow(size/32, size)
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := retry(func() (int, error) { return unix.Getdents(fd, buf) })
		if err != nil {
			return &fs.PathError{Op: "readdirent", Path: name, Err: err}
		}
		if n <= 0 {
			break
		}
		for off := 0; off+19 <= n; {
			// struct linux_dirent64: inode (8), offset (8), record
			// length (2), type (1), name ending in NUL.
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen < 19 || off+reclen > n {
				break
			}
			typ := buf[off+18]
			ent := buf[off+19 : off+reclen]
			off += reclen
			if i := bytes.IndexByte(ent, 0); i >= 0 {
				ent = ent[:i]
			}
			if string(ent) == "." || string(ent) == ".." {
				continue
			}
			var mode fs.FileMode
			switch typ {
			case unix.DT_REG:
			case unix.DT_DIR:
				mode = fs.ModeDir
			case unix.DT_LNK:
				mode = fs.ModeSymlink
			case unix.DT_UNKNOWN: // some file systems do not say: ask
				var st unix.Stat_t
				err := unix.Fstatat(fd, string(ent), &st, unix.AT_SYMLINK_NOFOLLOW)
				if err == unix.ENOENT {
					continue // gone since
				}
				if err != nil {
					return &fs.PathError{Op: "lstat", Path: name + "/" + string(ent), Err: err}
				}
				mode = fileMode(uint32(st.Mode))
			default:
				mode = fs.ModeIrregular
			}
			l.Add(ent, mode)
		}
	}
	l.Sort()
	return nil
}

// fileMode is the type of a file as the mode bits of stat(2) give it.
func fileMode(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return 0
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}

// pathMax is the longest path StatFile passes from a buffer on the stack.
const pathMax = 512

// StatFile is statx(2) relative to the vault, without an fs.FileInfo, and
// without allocating the path as a C string.
func (v *vaultFS) StatFile(name string, follow bool) (int64, time.Time, fs.FileMode, error) {
	op, flags := "lstat", unix.AT_SYMLINK_NOFOLLOW
	if follow {
		op, flags = "stat", 0
	}
	if !fs.ValidPath(name) {
		return 0, time.Time{}, 0, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if len(name) >= pathMax || strings.IndexByte(name, 0) >= 0 {
		return v.fstatat(name, op, flags)
	}
	var path [pathMax]byte
	copy(path[:], name)
	var st unix.Statx_t
	for {
		_, _, errno := syscall.Syscall6(unix.SYS_STATX, uintptr(v.fd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(flags), unix.STATX_TYPE|unix.STATX_SIZE|unix.STATX_MTIME, uintptr(unsafe.Pointer(&st)), 0)
		switch errno {
		case 0:
			return int64(st.Size), time.Unix(st.Mtime.Sec, int64(st.Mtime.Nsec)), fileMode(uint32(st.Mode)), nil
		case unix.EINTR:
			continue
		case unix.ENOSYS, unix.EPERM: // no statx here (before Linux 4.11, or filtered)
			return v.fstatat(name, op, flags)
		}
		return 0, time.Time{}, 0, &fs.PathError{Op: op, Path: name, Err: errno}
	}
}

// fstatat is StatFile with fstatat(2), where statx cannot be used.
func (v *vaultFS) fstatat(name, op string, flags int) (int64, time.Time, fs.FileMode, error) {
	var st unix.Stat_t
	if _, err := retry(func() (int, error) { return 0, unix.Fstatat(v.fd, name, &st, flags) }); err != nil {
		return 0, time.Time{}, 0, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return st.Size, time.Unix(st.Mtim.Unix()), fileMode(uint32(st.Mode)), nil
}

// ReadFileBuffer reads name into buf, growing it as needed, with openat,
// fstat, read and close: the size fstat gives lets a short read end it
// without another read that would return 0.
func (v *vaultFS) ReadFileBuffer(name string, buf []byte) ([]byte, int64, time.Time, error) {
	if !fs.ValidPath(name) {
		return nil, 0, time.Time{}, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := retry(func() (int, error) { return unix.Openat(v.fd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, 0, time.Time{}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, 0, time.Time{}, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	size := st.Size
	mod := time.Unix(st.Mtim.Unix())
	if want := int(size) + 1; cap(buf) < want {
		buf = make([]byte, 0, max(want, 64<<10))
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := retry(func() (int, error) { return unix.Read(fd, buf[len(buf):cap(buf)]) })
		if err != nil {
			return nil, 0, time.Time{}, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		requested := cap(buf) - len(buf)
		buf = buf[:len(buf)+n]
		if n == 0 || n < requested && int64(len(buf)) >= size {
			return buf, size, mod, nil
		}
	}
}
