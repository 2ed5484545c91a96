package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

func init() {
	schema = append(schema, `CREATE TABLE IF NOT EXISTS suppressions (
		email   TEXT PRIMARY KEY,
		reason  TEXT NOT NULL,
		created TEXT NOT NULL
	) WITHOUT ROWID`)
}

// Suppress records that email must not be mailed again. Suppressing an
// address twice keeps the first record: it is idempotent.
func (s *Store) Suppress(ctx context.Context, email, reason string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO suppressions (email, reason, created) VALUES (?, ?, ?)
		ON CONFLICT(email) DO NOTHING`, strings.ToLower(email), reason, formatTime(now))
	return err
}

// Unsuppress removes a suppression (a subscriber who confirmed again).
func (s *Store) Unsuppress(ctx context.Context, email string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM suppressions WHERE email = ?`, strings.ToLower(email))
	return err
}

// IsSuppressed reports whether email must not be mailed: suppressed, or
// erased by the owner.
func (s *Store) IsSuppressed(ctx context.Context, email string) (bool, error) {
	q, err := s.stmt(ctx, `SELECT (SELECT count(*) FROM suppressions WHERE email = ?) +
		(SELECT count(*) FROM erased WHERE hash = ?)`) // once per subscriber of a send
	if err != nil {
		return false, err
	}
	var n int
	err = q.QueryRowContext(ctx, strings.ToLower(email), digest.ErasedHash(email)).Scan(&n)
	return n > 0, err
}

// Suppressions lists every suppression, oldest first.
func (s *Store) Suppressions(ctx context.Context) ([]digest.Suppression, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT email, reason, created FROM suppressions ORDER BY created, email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []digest.Suppression
	for rows.Next() {
		var sp digest.Suppression
		var created string
		if err := rows.Scan(&sp.Email, &sp.Reason, &created); err != nil {
			return nil, err
		}
		sp.Created = parseTime(created)
		out = append(out, sp)
	}
	return out, rows.Err()
}
