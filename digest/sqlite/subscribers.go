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
// (double opt-in), and the confirmations still pending. The subscribers file
// is the owner's; these are the readers', and a send takes both.
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
	)
}

// RequestConfirmation records that email (with name) asked to subscribe at
// now, and reports whether a confirmation mail may be sent to it under lim.
// Whether the address is already subscribed plays no part, so that callers
// cannot leak it.
func (s *Store) RequestConfirmation(ctx context.Context, email, name string, now time.Time, lim digest.ConfirmLimit) (send bool, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
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
			_, err = tx.ExecContext(ctx, `INSERT INTO confirmations (email, name, requested, last_sent, sent) VALUES (?, ?, ?, ?, ?)`,
				email, name, formatTime(now), formatTime(now), 1)
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
		_, err = tx.ExecContext(ctx, `UPDATE confirmations SET name = ?, requested = ?, last_sent = ?, sent = ? WHERE email = ?`,
			name, formatTime(window), lastSent, sent, email)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("state: confirmation for %s: %w", email, err)
	}
	return send, nil
}

// Confirm makes email a subscriber, as confirmed at now, and lifts any
// suppression of it (a reader who left and came back). The name given when
// asking is kept. Confirming twice is harmless; it reports whether the
// address is new.
func (s *Store) Confirm(ctx context.Context, email string, now time.Time) (added bool, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM confirmations WHERE email = ?`, email).Scan(&name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, confirmed) VALUES (?, ?, ?)
			ON CONFLICT(email) DO NOTHING`, email, name, formatTime(now))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		added = n > 0
		if _, err := tx.ExecContext(ctx, `DELETE FROM confirmations WHERE email = ?`, email); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM suppressions WHERE email = ?`, email)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("state: confirm %s: %w", email, err)
	}
	return added, nil
}

// Subscribers yields the confirmed subscribers who are not suppressed, in
// address order, streaming from the state so that memory stays flat however
// many there are. Stopping early is fine. A send adds them to its ledger
// alongside the rows of the subscribers file.
func (s *Store) Subscribers(ctx context.Context) iter.Seq2[digest.Subscriber, error] {
	return func(yield func(digest.Subscriber, error) bool) {
		rows, err := s.db.QueryContext(ctx, `SELECT email, name, tags FROM subscribers
			WHERE NOT EXISTS (SELECT 1 FROM suppressions WHERE suppressions.email = lower(subscribers.email))
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
			if tags != "" {
				sub.Tags = strings.Split(tags, "\x1f")
			}
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
