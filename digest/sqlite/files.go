package sqlite

import (
	"context"
	"database/sql"
	"time"
)

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

// Files returns every file record, keyed by path.
func (s *Store) Files(ctx context.Context) (map[string]FileRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT path, size, mtime_ns, first_seen, tag, clipped, sig FROM files`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]FileRecord{}
	for rows.Next() {
		var r FileRecord
		var mt, fs, cl int64
		if err := rows.Scan(&r.Path, &r.Size, &mt, &fs, &r.Tag, &cl, &r.Sig); err != nil {
			return nil, err
		}
		r.ModTime, r.FirstSeen, r.Clipped = time.Unix(0, mt), time.Unix(0, fs), time.Unix(0, cl)
		m[r.Path] = r
	}
	return m, rows.Err()
}

// SaveFiles records new and changed files in one transaction, keeping the
// first_seen of files already known.
func (s *Store) SaveFiles(ctx context.Context, recs []FileRecord) error {
	if len(recs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO files (path, size, mtime_ns, first_seen, tag, clipped, sig)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(path) DO UPDATE SET size=excluded.size, mtime_ns=excluded.mtime_ns,
				tag=excluded.tag, clipped=excluded.clipped, sig=excluded.sig`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range recs {
			if _, err := st.ExecContext(ctx, r.Path, r.Size, r.ModTime.UnixNano(), r.FirstSeen.UnixNano(), r.Tag, r.Clipped.UnixNano(), r.Sig); err != nil {
				return err
			}
		}
		return nil
	})
}

// ForgetFiles drops the records of files no longer in the vault.
func (s *Store) ForgetFiles(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range paths {
			if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE path = ?`, p); err != nil {
				return err
			}
		}
		return nil
	})
}
