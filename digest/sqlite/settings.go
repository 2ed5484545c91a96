package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/digest-newsletter/digest/digest"
)

// Settings are rows of the meta table: small named values, such as the
// secret's fingerprint.

// Setting returns the value of name, or an error wrapping ErrNotFound.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %s: %w", name, digest.ErrNotFound)
	}
	return v, err
}

// SetSetting sets name to value.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, name, value)
	return err
}
