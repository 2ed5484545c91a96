package sqlite

import (
	"context"
	"database/sql"
	"math"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// The files of the vault seen so far, a row each: when each was first seen
// (so that late syncs are noticed), and its size, time and matched tag (so
// that an unchanged file need not be read again).
func init() {
	schema = append(schema, `CREATE TABLE IF NOT EXISTS files (
		path       TEXT PRIMARY KEY,
		size       INTEGER NOT NULL,
		mod_time   INTEGER NOT NULL, -- Unix nanoseconds, as are the other times
		first_seen INTEGER NOT NULL,
		tag        TEXT NOT NULL,    -- the configured tag it matched when last read, '' for none
		clipped    INTEGER NOT NULL, -- when the matching clipping was clipped
		sig        TEXT NOT NULL,    -- the tags configuration tag was computed under
		note       INTEGER NOT NULL DEFAULT 0 -- 1: an editor's note
	) WITHOUT ROWID`)
	columns = append(columns, column{"files", "note", "INTEGER NOT NULL DEFAULT 0"})
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

func fromNanos(ns int64) time.Time {
	if ns == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Files returns every file record, keyed by path.
func (s *Store) Files(ctx context.Context) (map[string]digest.FileRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT path, size, mod_time, first_seen, tag, clipped, sig, note FROM files`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]digest.FileRecord{}
	for rows.Next() {
		var r digest.FileRecord
		var mod, first, clipped int64
		if err := rows.Scan(&r.Path, &r.Size, &mod, &first, &r.Tag, &clipped, &r.Sig, &r.Note); err != nil {
			return nil, err
		}
		r.ModTime, r.FirstSeen, r.Clipped = fromNanos(mod), fromNanos(first), fromNanos(clipped)
		m[r.Path] = r
	}
	return m, rows.Err()
}

// SaveFiles records new and changed files and forgets those gone from the
// vault, in one transaction. Rows are written filesPerInsert to a
// statement: one statement per row made the first build of a large vault
// spend a third of a second here.
func (s *Store) SaveFiles(ctx context.Context, changed []digest.FileRecord, gone []string) error {
	if len(changed) == 0 && len(gone) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var put *sql.Stmt // for full batches
		args := make([]any, 0, 8*filesPerInsert)
		for rest := changed; len(rest) > 0; {
			batch := rest[:min(len(rest), filesPerInsert)]
			rest = rest[len(batch):]
			args = args[:0]
			for _, r := range batch {
				args = append(args, r.Path, r.Size, nanos(r.ModTime), nanos(r.FirstSeen), r.Tag, nanos(r.Clipped), r.Sig, r.Note)
			}
			var err error
			switch {
			case len(batch) < filesPerInsert:
				_, err = tx.ExecContext(ctx, insertFiles(len(batch)), args...)
			case put == nil:
				if put, err = tx.PrepareContext(ctx, insertFiles(filesPerInsert)); err != nil {
					return err
				}
				defer put.Close()
				fallthrough
			default:
				_, err = put.ExecContext(ctx, args...)
			}
			if err != nil {
				return err
			}
		}
		del, err := tx.PrepareContext(ctx, `DELETE FROM files WHERE path = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		for _, p := range gone {
			if _, err := del.ExecContext(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// filesPerInsert is how many rows one INSERT writes: 8 parameters each,
// well under SQLite's limit of 32,766.
const filesPerInsert = 200

// insertFiles is the statement inserting n file rows.
func insertFiles(n int) string {
	return `INSERT OR REPLACE INTO files (path, size, mod_time, first_seen, tag, clipped, sig, note) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
}
