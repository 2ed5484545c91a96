package bounces

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Mailbox is the bounce mailbox: the messages not handled yet, each read
// and then marked handled, so that it is never returned again.
type Mailbox interface {
	// Unhandled returns the ids of the messages not handled yet, oldest
	// first where the mailbox knows.
	Unhandled(ctx context.Context) ([]string, error)
	// Read returns message id, at most MaxSize bytes of it.
	Read(ctx context.Context, id string) ([]byte, error)
	// Handled marks message id handled.
	Handled(ctx context.Context, id string) error
	// String names the mailbox for the owner.
	String() string
	Close() error
}

// Maildir is a bounce mailbox in Maildir format (as Postfix or Dovecot
// deliver it). A message is handled once it is in cur/ with the Seen flag:
// Handled moves it there from new/, or adds the flag to one a mail reader
// already moved.
type Maildir struct {
	Dir string
}

func (m *Maildir) String() string { return m.Dir }

func (m *Maildir) Close() error { return nil }

// Unhandled lists new/, then the messages of cur/ not flagged Seen.
func (m *Maildir) Unhandled(ctx context.Context) ([]string, error) {
	var ids []string
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(m.Dir, sub))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && sub == "cur" {
				continue
			}
			return nil, fmt.Errorf("bounces: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
				continue
			}
			if sub == "cur" && strings.ContainsRune(maildirFlags(name), 'S') {
				continue
			}
			ids = append(ids, sub+"/"+name)
		}
	}
	return ids, nil
}

// maildirFlags returns the flags of a file name of cur/ ("…:2,FS").
func maildirFlags(name string) string {
	if i := strings.LastIndex(name, ":2,"); i >= 0 {
		return name[i+3:]
	}
	return ""
}

// path checks id and returns the message's file.
func (m *Maildir) path(id string) (string, error) {
	sub, name, ok := strings.Cut(id, "/")
	if !ok || (sub != "new" && sub != "cur") || name == "" || strings.ContainsAny(name, `/\`) || name == ".." {
		return "", fmt.Errorf("bounces: %q is not a message of %s", id, m.Dir)
	}
	return filepath.Join(m.Dir, sub, name), nil
}

func (m *Maildir) Read(ctx context.Context, id string) ([]byte, error) {
	p, err := m.path(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("bounces: %w", err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSize))
}

// Handled moves the message to cur/ with the Seen flag added.
func (m *Maildir) Handled(ctx context.Context, id string) error {
	p, err := m.path(id)
	if err != nil {
		return err
	}
	name := filepath.Base(p)
	base, flags := name, ""
	if i := strings.LastIndex(name, ":2,"); i >= 0 {
		base, flags = name[:i], name[i+3:]
	}
	if !strings.ContainsRune(flags, 'S') {
		fs := []rune(flags + "S")
		slices.Sort(fs)
		flags = string(fs)
	}
	if err := os.MkdirAll(filepath.Join(m.Dir, "cur"), 0o700); err != nil {
		return fmt.Errorf("bounces: %w", err)
	}
	if err := os.Rename(p, filepath.Join(m.Dir, "cur", base+":2,"+flags)); err != nil {
		return fmt.Errorf("bounces: %w", err)
	}
	return nil
}
