package sqlite

import (
	"context"
	"database/sql"
	"math"
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
// vault, in one transaction.
func (s *Store) SaveFiles(ctx context.Context, changed []digest.FileRecord, gone []string) error {
	if len(changed) == 0 && len(gone) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO files (path, size, mod_time, first_seen, tag, clipped, sig, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer put.Close()
		for _, r := range changed {
			if _, err := put.ExecContext(ctx, r.Path, r.Size, nanos(r.ModTime), nanos(r.FirstSeen), r.Tag, nanos(r.Clipped), r.Sig, r.Note); err != nil {
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
