package bounces

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// IMAP is a bounce mailbox on an IMAP server, read with go-imap. A handled
// message is marked \Seen and moved to the Move folder, or, without one,
// marked \Seen and \Flagged and left where it is.
type IMAP struct {
	client  *imapclient.Client
	name    string // the URL without the password, for messages
	mailbox string
	move    string
}

// OpenIMAP connects to rawURL (imaps://user@host[:port]/MAILBOX for TLS,
// imap://… for STARTTLS), logs in with password and selects the mailbox.
// A nil tlsConfig verifies the server's certificate for its host.
func OpenIMAP(ctx context.Context, rawURL, password, move string, tlsConfig *tls.Config) (*IMAP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bounces.imap: %w", err)
	}
	m := &IMAP{name: u.Redacted(), mailbox: strings.TrimPrefix(u.Path, "/"), move: move}
	if m.mailbox == "" {
		m.mailbox = "INBOX"
	}
	port := u.Port()
	dial := imapclient.DialTLS
	switch u.Scheme {
	case "imaps":
		if port == "" {
			port = "993"
		}
	case "imap":
		if port == "" {
			port = "143"
		}
		dial = imapclient.DialStartTLS
	default:
		return nil, fmt.Errorf("bounces.imap: %q is not an imaps:// or imap:// URL", m.name)
	}
	opts := &imapclient.Options{TLSConfig: tlsConfig, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	c, err := dial(net.JoinHostPort(u.Hostname(), port), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	m.client = c
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(u.User.Username(), password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%s: login: %w", m.name, err)
	}
	if _, err := c.Select(m.mailbox, nil).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	if move != "" {
		if _, err := c.Status(move, &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
			if err := c.Create(move, nil).Wait(); err != nil {
				c.Close()
				return nil, fmt.Errorf("%s: bounces.move %q: %w", m.name, move, err)
			}
		}
	}
	return m, nil
}

func (m *IMAP) String() string { return m.name }

// Unhandled searches the folder: every message when handled ones are moved
// out of it, else those not \Flagged.
func (m *IMAP) Unhandled(ctx context.Context) ([]string, error) {
	stop := context.AfterFunc(ctx, func() { m.client.Close() })
	defer stop()
	crit := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}
	if m.move == "" {
		crit.NotFlag = append(crit.NotFlag, imap.FlagFlagged)
	}
	data, err := m.client.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("%s: search: %w", m.name, err)
	}
	var ids []string
	for _, uid := range data.AllUIDs() {
		ids = append(ids, strconv.FormatUint(uint64(uid), 10))
	}
	return ids, nil
}

func (m *IMAP) uid(id string) (imap.UIDSet, error) {
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("%s: %q is not a message UID", m.name, id)
	}
	return imap.UIDSetNum(imap.UID(n)), nil
}

// Read fetches the message without marking it \Seen.
func (m *IMAP) Read(ctx context.Context, id string) ([]byte, error) {
	set, err := m.uid(id)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { m.client.Close() })
	defer stop()
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Size: MaxSize}}
	msgs, err := m.client.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("%s: fetch %s: %w", m.name, id, err)
	}
	if len(msgs) == 0 || len(msgs[0].BodySection) == 0 {
		return nil, fmt.Errorf("%s: message %s: %w", m.name, id, errGone)
	}
	return msgs[0].BodySection[0].Bytes, nil
}

var errGone = errors.New("no longer in the mailbox")

// Handled marks the message \Seen, then moves it, or flags it.
func (m *IMAP) Handled(ctx context.Context, id string) error {
	set, err := m.uid(id)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { m.client.Close() })
	defer stop()
	flags := []imap.Flag{imap.FlagSeen}
	if m.move == "" {
		flags = append(flags, imap.FlagFlagged)
	}
	if err := m.client.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close(); err != nil {
		return fmt.Errorf("%s: store %s: %w", m.name, id, err)
	}
	if m.move != "" {
		if _, err := m.client.Move(set, m.move).Wait(); err != nil {
			return fmt.Errorf("%s: move %s to %s: %w", m.name, id, m.move, err)
		}
	}
	return nil
}

// Close logs out.
func (m *IMAP) Close() error {
	m.client.Logout().Wait()
	return m.client.Close()
}
