package mailer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/digest-newsletter/digest/digest/email"
)

// Maildir delivers into a Maildir (tmp/, new/, cur/), the outbox used when no
// relay is configured and by dry runs: mutt -f DIR reads it. A message is
// written to tmp/, synced, and renamed into new/, so a reader never sees a
// half-written one and a message in new/ survives a crash.
type Maildir struct {
	Dir string
}

func (m *Maildir) String() string { return "maildir " + m.Dir }

// StaleTmp is how old a file in tmp/ must be for Open to remove it: the
// Maildir rule for what a killed writer left (no writer takes that long).
const StaleTmp = 36 * time.Hour

// Open creates the Maildir when it does not exist yet, and removes the
// files in tmp/ older than StaleTmp.
func (m *Maildir) Open(ctx context.Context) (Conn, error) {
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(m.Dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	if _, err := m.CleanTmp(time.Now().Add(-StaleTmp)); err != nil {
		return nil, err
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	// "/" and ":" cannot be in a Maildir name; the spec escapes them so.
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	return &maildirConn{dir: m.Dir, host: host}, nil
}

// CleanTmp removes the files in tmp/ last modified before before: messages
// a killed run was writing, never delivered. It returns how many it removed.
// Only a writer that keeps others away (the send lock) may clean up to a
// recent time.
func (m *Maildir) CleanTmp(before time.Time) (int, error) {
	tmp := filepath.Join(m.Dir, "tmp")
	entries, err := os.ReadDir(tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || !info.ModTime().Before(before) {
			continue // gone meanwhile, or not a message, or being written
		}
		if err := os.Remove(filepath.Join(tmp, e.Name())); err == nil {
			n++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("outbox: %w", err)
		}
	}
	return n, nil
}

type maildirConn struct {
	dir, host string
}

var maildirSeq atomic.Uint64

// Send writes the message with LF line endings, as mail stored on Unix has
// them (the SMTP form has CRLF).
func (c *maildirConn) Send(m *email.Message, handOver func() bool) (Result, error) {
	now := time.Now()
	name := fmt.Sprintf("%d.M%dP%dQ%d.%s", now.Unix(), now.Nanosecond()/1000, os.Getpid(), maildirSeq.Add(1), c.host)
	tmp := filepath.Join(c.dir, "tmp", name)
	if err := writeSynced(tmp, func(w io.Writer) error {
		_, err := m.WriteTo(&lfWriter{w: w})
		return err
	}); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("outbox: %w", err)
	}
	if handOver != nil && !handOver() {
		os.Remove(tmp)
		return Result{Outcome: Temporary, Response: "abandoned before delivery"}, nil
	}
	dst := filepath.Join(c.dir, "new", name)
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("outbox: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		// The message is in new/ but may not survive a crash: in doubt.
		return Result{Outcome: Unknown, Response: "outbox: new/" + name + " not synced: " + oneLine(err.Error()), Reconnect: true}, nil
	}
	return Result{Outcome: Delivered, Response: "new/" + name}, nil
}

func (c *maildirConn) Close() error { return nil }

func writeSynced(name string, write func(io.Writer) error) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the entries of dir durable; a variable for the test of a
// failed sync.
var syncDir = func(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// lfWriter turns CRLF into LF on the way through.
type lfWriter struct {
	w  io.Writer
	cr bool // the last byte written was a CR, held back
}

func (l *lfWriter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p)+1)
	for _, b := range p {
		if l.cr {
			l.cr = false
			if b != '\n' {
				out = append(out, '\r')
			}
		}
		if b == '\r' {
			l.cr = true
			continue
		}
		out = append(out, b)
	}
	if _, err := l.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
