package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// The weekly runs of `digest serve`: each scheduled time once handled (run
// or skipped), so that a server started again knows which run it missed.
func init() {
	schema = append(schema, `CREATE TABLE IF NOT EXISTS runs (
		at       INTEGER PRIMARY KEY, -- the scheduled time, unix nanoseconds
		outcome  TEXT NOT NULL,       -- sent, no issue, skipped, baseline
		issue    TEXT NOT NULL DEFAULT '',
		detail   TEXT NOT NULL DEFAULT '',
		finished TEXT NOT NULL
	)`)
}

// RecordRun records that the scheduled run r.At was handled. Recording a
// run twice keeps the last record.
func (s *Store) RecordRun(ctx context.Context, r digest.Run) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO runs (at, outcome, issue, detail, finished) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(at) DO UPDATE SET outcome = excluded.outcome, issue = excluded.issue,
			detail = excluded.detail, finished = excluded.finished`,
		r.At.UnixNano(), r.Outcome, r.Issue, r.Detail, formatTime(r.Finished))
	if err != nil {
		return fmt.Errorf("state: record run %s: %w", r.At.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// LastRun returns the latest handled scheduled run, or digest.ErrNotFound before
// the first.
func (s *Store) LastRun(ctx context.Context) (digest.Run, error) {
	var r digest.Run
	var at int64
	var finished string
	err := s.db.QueryRowContext(ctx, `SELECT at, outcome, issue, detail, finished FROM runs ORDER BY at DESC LIMIT 1`).
		Scan(&at, &r.Outcome, &r.Issue, &r.Detail, &finished)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return digest.Run{}, fmt.Errorf("last run: %w", digest.ErrNotFound)
		}
		return digest.Run{}, fmt.Errorf("state: last run: %w", err)
	}
	r.At, r.Finished = time.Unix(0, at), parseTime(finished)
	return r, nil
}
