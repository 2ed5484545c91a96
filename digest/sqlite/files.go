package sqlite

import (
	"context"
	"database/sql"
	"math"
	"time"
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
		sig        TEXT NOT NULL     -- the tags configuration tag was computed under
	) WITHOUT ROWID`)
}

// FileRecord is what the state remembers of one file of the vault.
type FileRecord struct {
	Path      string
	Size      int64
	ModTime   time.Time
	FirstSeen time.Time
	Tag       string    // the configured tag it matched when last read, "" for none
	Clipped   time.Time // when the matching clipping was clipped (zero when Tag is "")
	Sig       string    // the tags configuration Tag was computed under
}

// Unchanged reports whether the file still has the size and time recorded.
func (r FileRecord) Unchanged(size int64, mod time.Time) bool {
	return r.Size == size && r.ModTime.UnixNano() == mod.UnixNano()
}

// Same reports whether r and o record the same thing.
func (r FileRecord) Same(o FileRecord) bool {
	return r.Path == o.Path && r.Size == o.Size && r.Tag == o.Tag && r.Sig == o.Sig &&
		nanos(r.ModTime) == nanos(o.ModTime) && nanos(r.FirstSeen) == nanos(o.FirstSeen) &&
		nanos(r.Clipped) == nanos(o.Clipped)
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
func (s *Store) Files(ctx context.Context) (map[string]FileRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT path, size, mod_time, first_seen, tag, clipped, sig FROM files`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]FileRecord{}
	for rows.Next() {
		var r FileRecord
		var mod, first, clipped int64
		if err := rows.Scan(&r.Path, &r.Size, &mod, &first, &r.Tag, &clipped, &r.Sig); err != nil {
			return nil, err
		}
		r.ModTime, r.FirstSeen, r.Clipped = fromNanos(mod), fromNanos(first), fromNanos(clipped)
		m[r.Path] = r
	}
	return m, rows.Err()
}

// SaveFiles records new and changed files and forgets those gone from the
// vault, in one transaction.
func (s *Store) SaveFiles(ctx context.Context, changed []FileRecord, gone []string) error {
	if len(changed) == 0 && len(gone) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO files (path, size, mod_time, first_seen, tag, clipped, sig)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer put.Close()
		for _, r := range changed {
			if _, err := put.ExecContext(ctx, r.Path, r.Size, nanos(r.ModTime), nanos(r.FirstSeen), r.Tag, nanos(r.Clipped), r.Sig); err != nil {
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
