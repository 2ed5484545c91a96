package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// The delivery ledger: one row per (issue, recipient), moving
//
//	pending → sending → sent | failed | pending (again, after a temporary failure)
//
// A row is made sending, durably, before its message is handed to the relay,
// and given the relay's answer right after. A process that dies in between
// leaves the row sending; the next run turns it into unknown, which is
// reported and resent only when asked. Rows that will not be sent after all
// (the subscriber left, or was suppressed, before their turn) become skipped.
func init() {
	schema = append(schema,
		`CREATE TABLE IF NOT EXISTS deliveries (
			issue      TEXT NOT NULL,
			email      TEXT NOT NULL COLLATE NOCASE,
			name       TEXT NOT NULL DEFAULT '',
			tags       TEXT NOT NULL DEFAULT '',  -- the subscriber's tags, joined by "\x1f"
			state      TEXT NOT NULL,
			message_id TEXT NOT NULL DEFAULT '',
			attempts   INTEGER NOT NULL DEFAULT 0,
			next_try   INTEGER NOT NULL DEFAULT 0, -- unix nanoseconds; a pending row waits until then
			code       INTEGER NOT NULL DEFAULT 0, -- the relay's last SMTP reply code, 0 for none
			bounce     INTEGER NOT NULL DEFAULT 0, -- 1: failed because the relay refused the address itself
			response   TEXT NOT NULL DEFAULT '',
			run        INTEGER NOT NULL DEFAULT 0, -- the run that last found the subscriber in the file
			updated    TEXT NOT NULL,
			PRIMARY KEY (issue, email)
		) WITHOUT ROWID`,
		// No index has the state in it: every change of a row's state,
		// in the busiest loop there is (a group commit of the ledger per
		// few messages), would rewrite it too, costing a third of each
		// commit. Queries by state read one issue's rows by the primary
		// key instead; only the bounce count looks rows up by address.
		`DROP INDEX IF EXISTS deliveries_state`,
		`DROP INDEX IF EXISTS deliveries_email`,
		`CREATE INDEX IF NOT EXISTS deliveries_by_email ON deliveries(email)`,
		// sends: an issue whose delivery has begun, and when it was finished
		// (every row settled); a finished issue is not sent again.
		`CREATE TABLE IF NOT EXISTS sends (
			issue    TEXT PRIMARY KEY,
			started  TEXT NOT NULL,
			finished TEXT NOT NULL DEFAULT ''
		) WITHOUT ROWID`,
	)
}

// StartSend records that the delivery of issue begins (once) and returns its
// record. With reopen, a finished issue is opened again, for recipients added
// since.
func (s *Store) StartSend(ctx context.Context, issue string, reopen bool, now time.Time) (digest.SendRecord, error) {
	var rec digest.SendRecord
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sends (issue, started) VALUES (?, ?) ON CONFLICT(issue) DO NOTHING`,
			issue, formatTime(now)); err != nil {
			return err
		}
		if reopen {
			if _, err := tx.ExecContext(ctx, `UPDATE sends SET finished = '' WHERE issue = ?`, issue); err != nil {
				return err
			}
		}
		var started, finished string
		if err := tx.QueryRowContext(ctx, `SELECT started, finished FROM sends WHERE issue = ?`, issue).Scan(&started, &finished); err != nil {
			return err
		}
		rec = digest.SendRecord{Issue: issue, Started: parseTime(started)}
		if finished != "" {
			rec.Finished = parseTime(finished)
		}
		return nil
	})
	if err != nil {
		return digest.SendRecord{}, fmt.Errorf("ledger: start %s: %w", issue, err)
	}
	return rec, nil
}

// Send returns the delivery record of issue, or digest.ErrNotFound if it was never
// begun.
func (s *Store) Send(ctx context.Context, issue string) (digest.SendRecord, error) {
	var started, finished string
	err := s.db.QueryRowContext(ctx, `SELECT started, finished FROM sends WHERE issue = ?`, issue).Scan(&started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return digest.SendRecord{}, fmt.Errorf("send of %s: %w", issue, digest.ErrNotFound)
	}
	if err != nil {
		return digest.SendRecord{}, err
	}
	rec := digest.SendRecord{Issue: issue, Started: parseTime(started)}
	if finished != "" {
		rec.Finished = parseTime(finished)
	}
	return rec, nil
}

// FinishSend marks the delivery of issue finished if no row is pending or
// sending any more, and reports whether it is.
func (s *Store) FinishSend(ctx context.Context, issue string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE sends SET finished = ? WHERE issue = ? AND finished = ''
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE state IN ('pending', 'sending') AND issue = ?)`,
		formatTime(now), issue, issue)
	if err != nil {
		return false, fmt.Errorf("ledger: finish %s: %w", issue, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	rec, err := s.Send(ctx, issue)
	return err == nil && rec.Done(), err
}

// Unfinished lists the issues whose delivery was begun and not finished,
// oldest first.
func (s *Store) Unfinished(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT issue FROM sends WHERE finished = '' ORDER BY started, issue`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AddRecipients adds the recipients to the ledger of issue as pending rows,
// in one transaction, stamping them with run. A recipient already in the
// ledger keeps its state; one still pending (or skipped) takes the name and
// tags given. It returns how many rows are new.
func (s *Store) AddRecipients(ctx context.Context, issue string, run int64, rs []digest.Recipient, now time.Time) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	added := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (issue, email, name, tags, state, run, updated)
			VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(issue, email) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, `UPDATE deliveries SET name = ?, tags = ?, run = ?,
				state = 'pending', response = CASE state WHEN 'skipped' THEN '' ELSE response END
			WHERE issue = ? AND email = ? AND state IN ('pending', 'skipped')`)
		if err != nil {
			return err
		}
		defer upd.Close()
		ts := formatTime(now)
		for _, r := range rs {
			tags := strings.Join(r.Tags, "\x1f")
			res, err := ins.ExecContext(ctx, issue, r.Email, r.Name, tags, run, ts)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
				continue
			}
			if _, err := upd.ExecContext(ctx, r.Name, tags, run, issue, r.Email); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("ledger: add recipients of %s: %w", issue, err)
	}
	return added, nil
}

// SkipUnlisted marks skipped the pending rows of issue not stamped with run:
// subscribers who have left the file (or unsubscribed in it) since they were
// added. It returns how many.
func (s *Store) SkipUnlisted(ctx context.Context, issue string, run int64, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET state = 'skipped', response = 'no longer an active subscriber', updated = ?
		WHERE state = 'pending' AND issue = ? AND run != ?`, formatTime(now), issue, run)
	if err != nil {
		return 0, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RecoverSending turns every row left sending by a process that died into
// unknown, in every issue, and returns how many. Call it only while holding
// LockSend: a live sender's rows are sending too. (Only an unfinished
// issue can have rows sending: FinishSend waits for none to be left.)
func (s *Store) RecoverSending(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET state = 'unknown',
			response = 'the sending process stopped before the relay''s answer was recorded' ||
				CASE response WHEN '' THEN '' ELSE ' (before: ' || response || ')' END,
			updated = ?
		WHERE state = 'sending' AND issue IN (SELECT issue FROM sends WHERE finished = '')`, formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("ledger: recover: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RequeueUnknown makes the unknown rows of issue pending again, due at once,
// keeping their Message-ID, and returns how many.
func (s *Store) RequeueUnknown(ctx context.Context, issue string, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET state = 'pending', next_try = 0, updated = ?
		WHERE state = 'unknown' AND issue = ?`, formatTime(now), issue)
	if err != nil {
		return 0, fmt.Errorf("ledger: requeue %s: %w", issue, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const deliveryColumns = `issue, email, name, tags, state, message_id, attempts, next_try, code, response, updated`

func scanDelivery(sc interface{ Scan(...any) error }) (digest.Delivery, error) {
	var d digest.Delivery
	var tags, updated string
	var next int64
	if err := sc.Scan(&d.Issue, &d.Email, &d.Name, &tags, &d.State, &d.MessageID, &d.Attempts, &next, &d.Code, &d.Response, &updated); err != nil {
		return digest.Delivery{}, err
	}
	if tags != "" {
		d.Tags = strings.Split(tags, "\x1f")
	}
	if next != 0 {
		d.NextTry = time.Unix(0, next)
	}
	d.Updated = parseTime(updated)
	return d, nil
}

// Delivery returns the ledger row of email for issue.
func (s *Store) Delivery(ctx context.Context, issue, email string) (digest.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE issue = ? AND email = ?`, issue, email))
	if errors.Is(err, sql.ErrNoRows) {
		return digest.Delivery{}, fmt.Errorf("delivery of %s to %s: %w", issue, email, digest.ErrNotFound)
	}
	return d, err
}

// Due returns up to limit pending rows of issue due at now, with addresses
// after the address after (in the ledger's order), so that a caller can walk
// a ledger of any size in batches.
func (s *Store) Due(ctx context.Context, issue, after string, now time.Time, limit int) ([]digest.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE state = 'pending' AND issue = ? AND email > ? AND next_try <= ?
		ORDER BY email LIMIT ?`, issue, after, now.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	defer rows.Close()
	var out []digest.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextDue returns when the earliest pending row of issue is due, and false
// when none is pending.
func (s *Store) NextDue(ctx context.Context, issue string) (time.Time, bool, error) {
	var next sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT min(next_try) FROM deliveries WHERE state = 'pending' AND issue = ?`, issue).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return time.Unix(0, next.Int64), true, nil
}

// Deliveries calls fn with each row of issue in state (every state when
// empty), in address order, streaming: the ledger is never held in memory.
func (s *Store) Deliveries(ctx context.Context, issue, state string, fn func(digest.Delivery) error) error {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE issue = ?`
	args := []any{issue}
	if state != "" {
		q += ` AND state = ?`
		args = append(args, state)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY email`, args...)
	if err != nil {
		return fmt.Errorf("ledger: %s: %w", issue, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DeliveryCounts counts the rows of issue by state.
func (s *Store) DeliveryCounts(ctx context.Context, issue string) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM deliveries WHERE issue = ? GROUP BY state`, issue)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		m[st] = n
	}
	return m, rows.Err()
}

// Apply makes the changes to rows of issue in one transaction (one disk
// sync for all of them) and reports, for each, whether it applied: a change
// whose row is no longer in its From state is left out. A change from
// pending to sending does not apply to a suppressed address, whose row is
// made skipped instead. A permanent failure that is the address's
// digest.BounceLimit-th suppresses it as bounced.
func (s *Store) Apply(ctx context.Context, issue string, changes []digest.Change, now time.Time) ([]bool, error) {
	applied := make([]bool, len(changes))
	if len(changes) == 0 {
		return applied, nil
	}
	ts := formatTime(now)
	updQ, err := s.stmt(ctx, `UPDATE deliveries SET state = ?,
			message_id = CASE ? WHEN '' THEN message_id ELSE ? END,
			attempts = attempts + ?, next_try = ?, code = ?, response = ?, bounce = ?, updated = ?
		WHERE issue = ? AND email = ? AND state = ?`)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	// A row made sending must not be suppressed; when such a mark finds
	// no row, markQ tells a suppressed address (made skipped) from a row
	// no longer pending.
	markQ, err := s.stmt(ctx, `UPDATE deliveries SET state = 'sending',
			message_id = CASE ? WHEN '' THEN message_id ELSE ? END,
			attempts = attempts + ?, next_try = 0, code = 0, updated = ?
		WHERE issue = ? AND email = ? AND state = 'pending'
		AND NOT EXISTS (SELECT 1 FROM suppressions WHERE email = lower(deliveries.email))`)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	supQ, err := s.stmt(ctx, `UPDATE deliveries SET state = 'skipped', response = 'suppressed', updated = ?
		WHERE issue = ? AND email = ? AND state = 'pending'
		AND EXISTS (SELECT 1 FROM suppressions WHERE email = lower(deliveries.email))`)
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		upd, mark, sup := tx.StmtContext(ctx, updQ), tx.StmtContext(ctx, markQ), tx.StmtContext(ctx, supQ)
		for i, c := range changes {
			if c.From == digest.Pending && c.To == digest.Sending {
				res, err := mark.ExecContext(ctx, c.MessageID, c.MessageID, c.Attempts, ts, issue, c.Email)
				if err != nil {
					return fmt.Errorf("%s: %w", c.Email, err)
				}
				if n, _ := res.RowsAffected(); n > 0 {
					applied[i] = true
				} else if _, err := sup.ExecContext(ctx, ts, issue, c.Email); err != nil {
					return fmt.Errorf("%s: %w", c.Email, err)
				}
				continue
			}
			next := int64(0)
			if c.To == digest.Pending && !c.NextTry.IsZero() {
				next = c.NextTry.UnixNano()
			}
			bounced := c.To == digest.Failed && c.Bounce
			res, err := upd.ExecContext(ctx, c.To, c.MessageID, c.MessageID, c.Attempts, next, c.Code, c.Response, bounced, ts,
				issue, c.Email, c.From)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Email, err)
			}
			n, _ := res.RowsAffected()
			applied[i] = n > 0
			if applied[i] && bounced {
				if err := bounce(ctx, tx, c.Email, ts); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", issue, err)
	}
	return applied, nil
}

// bounce suppresses email once digest.BounceLimit deliveries to it failed for good.
func bounce(ctx context.Context, tx *sql.Tx, email, ts string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE email = ? AND state = 'failed' AND bounce`,
		email).Scan(&n); err != nil {
		return err
	}
	if n < digest.BounceLimit {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO suppressions (email, reason, created) VALUES (?, 'bounced', ?)
		ON CONFLICT(email) DO NOTHING`, strings.ToLower(email), ts)
	return err
}
