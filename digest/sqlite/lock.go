package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// Leases in the state file: a named lock that one process holds until it
// releases it or stops renewing it, so that two `digest serve` instances
// sharing a state never run the weekly build and send at once, and a holder
// that died is replaced once its lease runs out.
func init() {
	schema = append(schema, `CREATE TABLE IF NOT EXISTS leases (
		name    TEXT PRIMARY KEY,
		owner   TEXT NOT NULL,
		expires INTEGER NOT NULL -- unix nanoseconds
	) WITHOUT ROWID`)
}

// Lease is a held lease.
type Lease struct {
	s           *Store
	name, owner string
	ttl         time.Duration
}

// Acquire takes the lease name for owner until now+ttl, if it is free, has
// run out, or is owner's already; otherwise it returns an error wrapping
// digest.ErrLeaseHeld that names the holder.
func (s *Store) Acquire(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (digest.Lease, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("lease %s: ttl %v is not positive", name, ttl)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
		WHERE leases.expires <= ? OR leases.owner = excluded.owner`,
		name, owner, now.Add(ttl).UnixNano(), now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var holder string
		var expires int64
		if err := s.db.QueryRowContext(ctx, `SELECT owner, expires FROM leases WHERE name = ?`, name).Scan(&holder, &expires); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("lease %s: %w", name, err)
		}
		return nil, fmt.Errorf("lease %s: %w (%s, until %s)", name, digest.ErrLeaseHeld, holder,
			time.Unix(0, expires).UTC().Format(time.RFC3339))
	}
	return &Lease{s: s, name: name, owner: owner, ttl: ttl}, nil
}

// Renew extends the lease to now+ttl, or returns digest.ErrLeaseLost if another
// process took it after it ran out.
func (l *Lease) Renew(ctx context.Context, now time.Time) error {
	res, err := l.s.db.ExecContext(ctx, `UPDATE leases SET expires = ? WHERE name = ? AND owner = ?`,
		now.Add(l.ttl).UnixNano(), l.name, l.owner)
	if err != nil {
		return fmt.Errorf("lease %s: %w", l.name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("lease %s: %w", l.name, digest.ErrLeaseLost)
	}
	return nil
}

// TTL is how long the lease lasts unless renewed.
func (l *Lease) TTL() time.Duration { return l.ttl }

// Release gives the lease up. Releasing a lease lost to another process
// leaves that process's lease alone.
func (l *Lease) Release(ctx context.Context) error {
	_, err := l.s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, l.name, l.owner)
	if err != nil {
		return fmt.Errorf("lease %s: %w", l.name, err)
	}
	return nil
}
