package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// Subscribers who joined through the web form, after confirming by email
// (double opt-in), or whom the owner imported; the confirmations still
// pending; and the hashes of erased addresses. The subscribers file is the
// owner's; these are the readers', and a send takes both.
func init() {
	schema = append(schema,
		`CREATE TABLE IF NOT EXISTS subscribers (
			email     TEXT PRIMARY KEY COLLATE NOCASE,
			name      TEXT NOT NULL DEFAULT '',
			tags      TEXT NOT NULL DEFAULT '', -- joined by "\x1f"; empty = every tag
			confirmed TEXT NOT NULL
		) WITHOUT ROWID`,
		// confirmations: addresses that asked to subscribe and were sent a
		// confirmation link, with what the rate limit per address needs.
		`CREATE TABLE IF NOT EXISTS confirmations (
			email     TEXT PRIMARY KEY COLLATE NOCASE,
			name      TEXT NOT NULL DEFAULT '',
			requested TEXT NOT NULL, -- start of the current day-long window
			last_sent TEXT NOT NULL,
			sent      INTEGER NOT NULL -- confirmation mails sent in the window
		) WITHOUT ROWID`,
		// erased: what is left of an address the owner removed, so that it
		// is never mailed again (digest.ErasedHash).
		`CREATE TABLE IF NOT EXISTS erased (
			hash    TEXT PRIMARY KEY,
			created TEXT NOT NULL
		) WITHOUT ROWID`,
	)
	columns = append(columns,
		column{"subscribers", "paused", "INTEGER NOT NULL DEFAULT 0"},
		column{"subscribers", "source", "TEXT NOT NULL DEFAULT 'site'"},
		column{"confirmations", "tags", "TEXT NOT NULL DEFAULT ''"},
	)
}

func joinTags(tags []string) string { return strings.Join(tags, "\x1f") }

func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x1f")
}

func normEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// RequestConfirmation records that email (with name and the tags chosen)
// asked to subscribe at now, and reports whether a confirmation mail may be
// sent to it under lim. Whether the address is already subscribed plays no
// part, so that callers cannot leak it.
func (s *Store) RequestConfirmation(ctx context.Context, email, name string, tags []string, now time.Time, lim digest.ConfirmLimit) (send bool, err error) {
	email = normEmail(email)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM confirmations WHERE requested < ?`, formatTime(now.Add(-digest.ConfirmFor))); err != nil {
			return err
		}
		var requested, lastSent string
		var sent int
		err := tx.QueryRowContext(ctx, `SELECT requested, last_sent, sent FROM confirmations WHERE email = ?`, email).
			Scan(&requested, &lastSent, &sent)
		if errors.Is(err, sql.ErrNoRows) {
			send = lim.PerDay > 0
			_, err = tx.ExecContext(ctx, `INSERT INTO confirmations (email, name, tags, requested, last_sent, sent) VALUES (?, ?, ?, ?, ?, ?)`,
				email, name, joinTags(tags), formatTime(now), formatTime(now), 1)
			return err
		}
		if err != nil {
			return err
		}
		window := parseTime(requested)
		if now.Sub(window) >= 24*time.Hour {
			window, sent = now, 0
		}
		send = now.Sub(parseTime(lastSent)) >= lim.Interval && sent < lim.PerDay
		if send {
			lastSent = formatTime(now)
			sent++
		}
		_, err = tx.ExecContext(ctx, `UPDATE confirmations SET name = ?, tags = ?, requested = ?, last_sent = ?, sent = ? WHERE email = ?`,
			name, joinTags(tags), formatTime(window), lastSent, sent, email)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("state: confirmation for %s: %w", email, err)
	}
	return send, nil
}

// Confirm makes email a subscriber, as confirmed at now, with the name and
// tags given when asking, and uses up its pending confirmation: a link
// works once. A suppression made before the latest link was mailed (the
// reader left, then asked again) is lifted; one made after is kept, and the
// link refused.
func (s *Store) Confirm(ctx context.Context, email string, now time.Time) (added bool, err error) {
	email = normEmail(email)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var name, tags, lastSent string
		err := tx.QueryRowContext(ctx, `SELECT name, tags, last_sent FROM confirmations WHERE email = ?`, email).Scan(&name, &tags, &lastSent)
		if errors.Is(err, sql.ErrNoRows) {
			return digest.ErrNoConfirmation
		}
		if err != nil {
			return err
		}
		// A suppression, or an erasure, made after the link was mailed
		// stands: the reader left since.
		for _, q := range []struct{ sql, key string }{
			{`SELECT created FROM suppressions WHERE email = ?`, email},
			{`SELECT created FROM erased WHERE hash = ?`, digest.ErasedHash(email)},
		} {
			var created string
			err := tx.QueryRowContext(ctx, q.sql, q.key).Scan(&created)
			if err == nil && parseTime(created).After(parseTime(lastSent)) {
				return digest.ErrSuppressedSince
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE email = ?`, email).Scan(&n); err != nil {
			return err
		}
		added = n == 0
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, tags, confirmed, source) VALUES (?, ?, ?, ?, 'site')
			ON CONFLICT(email) DO UPDATE SET tags = excluded.tags, paused = 0`, email, name, tags, formatTime(now)); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM confirmations WHERE email = ?`,
			`DELETE FROM suppressions WHERE email = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, email); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM erased WHERE hash = ?`, digest.ErasedHash(email))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("state: confirm %s: %w", email, err)
	}
	return added, nil
}

// AddSubscriber adds sub, or updates its name and tags, leaving any
// suppression in place: an import never re-subscribes someone who left.
func (s *Store) AddSubscriber(ctx context.Context, sub digest.SiteSubscriber, now time.Time) (added bool, err error) {
	email := normEmail(sub.Email)
	confirmed := sub.Confirmed
	if confirmed.IsZero() {
		confirmed = now
	}
	source := sub.Source
	if source == "" {
		source = "site"
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE email = ?`, email).Scan(&n); err != nil {
			return err
		}
		added = n == 0
		_, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, tags, confirmed, paused, source) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(email) DO UPDATE SET name = excluded.name, tags = excluded.tags, paused = excluded.paused`,
			email, sub.Name, joinTags(sub.Tags), formatTime(confirmed), sub.Paused, source)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("state: add subscriber %s: %w", email, err)
	}
	return added, nil
}

// SiteSubscriber returns the subscriber email.
func (s *Store) SiteSubscriber(ctx context.Context, email string) (digest.SiteSubscriber, error) {
	for sub, err := range s.listSubscribers(ctx, normEmail(email)) {
		return sub, err
	}
	return digest.SiteSubscriber{}, fmt.Errorf("subscriber %s: %w", email, digest.ErrNotFound)
}

// SetPreferences changes the tags and pause of a subscriber.
func (s *Store) SetPreferences(ctx context.Context, email string, tags []string, paused bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE subscribers SET tags = ?, paused = ? WHERE email = ?`, joinTags(tags), paused, normEmail(email))
	if err != nil {
		return fmt.Errorf("state: preferences of %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("subscriber %s: %w", email, digest.ErrNotFound)
	}
	return nil
}

// ListSubscribers yields every subscriber with its suppression, if any.
func (s *Store) ListSubscribers(ctx context.Context) iter.Seq2[digest.SiteSubscriber, error] {
	return s.listSubscribers(ctx, "")
}

func (s *Store) listSubscribers(ctx context.Context, only string) iter.Seq2[digest.SiteSubscriber, error] {
	return func(yield func(digest.SiteSubscriber, error) bool) {
		q := `SELECT s.email, s.name, s.tags, s.paused, s.confirmed, s.source, coalesce(p.reason, '')
			FROM subscribers s LEFT JOIN suppressions p ON p.email = lower(s.email)`
		var args []any
		if only != "" {
			q += ` WHERE s.email = ?`
			args = append(args, only)
		}
		rows, err := s.db.QueryContext(ctx, q+` ORDER BY s.email`, args...)
		if err != nil {
			yield(digest.SiteSubscriber{}, fmt.Errorf("state: subscribers: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var sub digest.SiteSubscriber
			var tags, confirmed string
			if err := rows.Scan(&sub.Email, &sub.Name, &tags, &sub.Paused, &confirmed, &sub.Source, &sub.Suppressed); err != nil {
				yield(digest.SiteSubscriber{}, fmt.Errorf("state: subscribers: %w", err))
				return
			}
			sub.Tags = splitTags(tags)
			if sub.Tags == nil {
				sub.Tags = []string{}
			}
			sub.Confirmed = parseTime(confirmed)
			if !yield(sub, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(digest.SiteSubscriber{}, fmt.Errorf("state: subscribers: %w", err))
		}
	}
}

// Erase forgets email everywhere and remembers only its hash.
func (s *Store) Erase(ctx context.Context, email string, now time.Time) (known bool, err error) {
	email = normEmail(email)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM subscribers WHERE email = ?`,
			`DELETE FROM confirmations WHERE email = ?`,
			`DELETE FROM suppressions WHERE email = ?`,
			`DELETE FROM deliveries WHERE email = ?`,
			`DELETE FROM soft_bounces WHERE email = ?`,
		} {
			res, err := tx.ExecContext(ctx, q, email)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				known = true
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO erased (hash, created) VALUES (?, ?) ON CONFLICT(hash) DO NOTHING`,
			digest.ErasedHash(email), formatTime(now))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("state: erase %s: %w", email, err)
	}
	return known, nil
}

// Subscribers yields the confirmed subscribers who are neither paused nor
// suppressed, in address order, streaming from the state so that memory
// stays flat however many there are. Stopping early is fine. A send adds
// them to its ledger alongside the rows of the subscribers file.
func (s *Store) Subscribers(ctx context.Context) iter.Seq2[digest.Subscriber, error] {
	return func(yield func(digest.Subscriber, error) bool) {
		rows, err := s.db.QueryContext(ctx, `SELECT email, name, tags FROM subscribers
			WHERE paused = 0 AND NOT EXISTS (SELECT 1 FROM suppressions WHERE suppressions.email = lower(subscribers.email))
			ORDER BY email`)
		if err != nil {
			yield(digest.Subscriber{}, fmt.Errorf("state: subscribers: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			sub := digest.Subscriber{Status: digest.StatusActive}
			var tags string
			if err := rows.Scan(&sub.Email, &sub.Name, &tags); err != nil {
				yield(digest.Subscriber{}, fmt.Errorf("state: subscribers: %w", err))
				return
			}
			sub.Tags = splitTags(tags)
			if !yield(sub, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(digest.Subscriber{}, fmt.Errorf("state: subscribers: %w", err))
		}
	}
}

// IsSubscriber reports whether email confirmed a subscription (suppressed or
// not).
func (s *Store) IsSubscriber(ctx context.Context, email string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE email = ?`, strings.TrimSpace(email)).Scan(&n)
	return n > 0, err
}

// SubscriberCounts returns how many confirmed subscribers there are (not
// suppressed) and how many confirmations are pending.
func (s *Store) SubscriberCounts(ctx context.Context) (confirmed, pending int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM subscribers WHERE NOT EXISTS
			(SELECT 1 FROM suppressions WHERE suppressions.email = lower(subscribers.email))),
		(SELECT count(*) FROM confirmations)`).Scan(&confirmed, &pending)
	return confirmed, pending, err
}
