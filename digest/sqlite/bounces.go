package sqlite

import (
	"context"
	"strings"
	"time"
)

func init() {
	schema = append(schema, `CREATE TABLE IF NOT EXISTS soft_bounces (
		key     TEXT PRIMARY KEY,
		email   TEXT NOT NULL,
		created TEXT NOT NULL
	) WITHOUT ROWID`,
		`CREATE INDEX IF NOT EXISTS soft_bounces_email ON soft_bounces (email)`)
}

// AddSoftBounce records the soft bounce report key for email, once, and
// returns how many reports email has.
func (s *Store) AddSoftBounce(ctx context.Context, email, key string, now time.Time) (int, error) {
	email = strings.ToLower(email)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO soft_bounces (key, email, created) VALUES (?, ?, ?)
		ON CONFLICT(key) DO NOTHING`, key, email, formatTime(now)); err != nil {
		return 0, err
	}
	return s.SoftBounces(ctx, email)
}

// SoftBounces returns how many soft bounces email has.
func (s *Store) SoftBounces(ctx context.Context, email string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM soft_bounces WHERE email = ?`, strings.ToLower(email)).Scan(&n)
	return n, err
}
