package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/digest-newsletter/digest/digest"
)

// LockSend takes the state's sending lock, held until release is called or
// the process exits (however it exits: the operating system drops the file
// lock), so that two senders never work the same ledger and a live sender's
// rows are never taken for a dead one's. The lock is an exclusive
// transaction held open on a small SQLite file beside the state, which
// leaves file locking to SQLite, on every system it runs on.
func (s *Store) LockSend() (release func(), err error) {
	name := s.path + ".send-lock"
	db, err := sql.Open("sqlite", "file:"+name+"?_pragma=busy_timeout(0)")
	if err != nil {
		return nil, fmt.Errorf("state: lock %s: %w", name, err)
	}
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err == nil {
		_, err = conn.ExecContext(ctx, `BEGIN EXCLUSIVE`)
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		db.Close()
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked") {
			return nil, fmt.Errorf("%s: %w", name, digest.ErrSendLocked)
		}
		return nil, fmt.Errorf("state: lock %s: %w", name, err)
	}
	return func() {
		conn.ExecContext(ctx, `ROLLBACK`)
		conn.Close()
		db.Close()
	}, nil
}
