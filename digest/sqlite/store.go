// Package sqlite keeps digest's state in one SQLite file: the files of the
// vault seen so far, the issues and their items, and (in other files of this
// package) the delivery ledger, suppressions and confirmations.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"

	_ "modernc.org/sqlite" // registers the "sqlite" driver, pure Go
)

// schema is every table of the state. Files of this package append their own
// tables in init, so each concern keeps its DDL beside its queries.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS meta (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS issues (
		id      TEXT PRIMARY KEY,
		number  INTEGER NOT NULL UNIQUE,
		title   TEXT NOT NULL,
		since   TEXT NOT NULL,
		cutoff  TEXT NOT NULL,
		created TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS items (
		issue   TEXT NOT NULL REFERENCES issues(id),
		pos     INTEGER NOT NULL,
		key     TEXT NOT NULL,
		path    TEXT NOT NULL,
		title   TEXT NOT NULL,
		url     TEXT NOT NULL,
		site    TEXT NOT NULL,
		authors TEXT NOT NULL,
		clipped TEXT NOT NULL,
		tag     TEXT NOT NULL,
		minutes INTEGER NOT NULL,
		excerpt TEXT NOT NULL,
		PRIMARY KEY (issue, pos)
	)`,
	`CREATE INDEX IF NOT EXISTS items_key ON items(key)`,
	`CREATE INDEX IF NOT EXISTS items_path ON items(path)`,
}

type column struct{ table, name, def string }

// columns are those added to tables after their first release, made on
// opening an older state file.
var columns = []column{
	{"issues", "data", "TEXT NOT NULL DEFAULT ''"}, // the whole issue, JSON, but its items
	{"items", "data", "TEXT NOT NULL DEFAULT ''"},  // the whole item, JSON
}

// addColumn adds a column to table unless it is there.
func (s *Store) addColumn(ctx context.Context, table, name, def string) error {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if n == name {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s %s`, table, name, def))
	return err
}

// Store is the state in one SQLite file; it is a digest.State.
var _ digest.State = (*Store)(nil)

// Store is the open state file.
type Store struct {
	db   *sql.DB
	path string

	mu    sync.Mutex
	stmts map[string]*sql.Stmt // prepared once, for statements run per row
}

// Open opens (creating if needed) the state file at path, in WAL mode with
// synchronous=FULL so that a committed row survives a crash or power loss.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=busy_timeout(15000)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("state %s: %w", path, err)
		}
	}
	for _, c := range columns {
		if err := s.addColumn(ctx, c.table, c.name, c.def); err != nil {
			db.Close()
			return nil, fmt.Errorf("state %s: %w", path, err)
		}
	}
	return s, nil
}

// OpenReadOnly opens the state file at path for reading only, creating
// nothing and changing nothing, for status: it works on a file (or folder)
// the user may not write, reading it as it stands.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	var last error
	for _, mode := range []string{"mode=ro", "mode=ro&immutable=1"} {
		db, err := sql.Open("sqlite", "file:"+path+"?"+mode+"&_pragma=busy_timeout(15000)")
		if err != nil {
			return nil, fmt.Errorf("state %s: %w", path, err)
		}
		if _, err := db.ExecContext(ctx, `SELECT count(*) FROM issues`); err != nil {
			db.Close()
			last = err
			continue
		}
		return &Store{db: db, path: path}, nil
	}
	return nil, fmt.Errorf("state %s: %w", path, last)
}

// Close closes the state file.
func (s *Store) Close() error { return s.db.Close() }

// stmt returns query prepared, preparing it on first use, for statements
// run once per row in busy loops, where parsing the SQL every time would
// cost more than running it.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = make(map[string]*sql.Stmt)
	}
	s.stmts[query] = st
	return st, nil
}

// Ping checks that the state file can be reached.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Path is where the state file lives.
func (s *Store) Path() string { return s.path }

// tx runs fn in one immediate transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}
