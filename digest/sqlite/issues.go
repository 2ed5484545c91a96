package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// SaveIssue stores an issue and its items in one transaction, replacing an
// earlier save of the same id: an issue is refreshed until its first copy is
// mailed (the rule is the caller's). Every field is kept as JSON beside the
// columns that queries use, so new fields need no new column.
func (s *Store) SaveIssue(ctx context.Context, is *digest.Issue, now time.Time) error {
	head := *is
	head.Items = nil
	data, err := json.Marshal(head)
	if err != nil {
		return fmt.Errorf("save issue %s: %w", is.ID, err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE issue = ?`, is.ID); err != nil {
			return fmt.Errorf("save issue %s: %w", is.ID, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO issues (id, number, title, since, cutoff, created, data) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET number = excluded.number, title = excluded.title, since = excluded.since,
				cutoff = excluded.cutoff, data = excluded.data`,
			is.ID, is.Number, is.Title, formatTime(is.Since), formatTime(is.Cutoff), formatTime(now), string(data))
		if err != nil {
			return fmt.Errorf("save issue %s: %w", is.ID, err)
		}
		for i, it := range is.Items {
			authors, _ := json.Marshal(it.Authors)
			data, err := json.Marshal(it)
			if err != nil {
				return fmt.Errorf("save issue %s item %d: %w", is.ID, i, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO items (issue, pos, key, path, title, url, site, authors, clipped, tag, minutes, excerpt, data)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				is.ID, i, it.Key, it.Path, it.Title, it.URL, it.Site, string(authors), formatTime(it.Clipped), it.Tag, it.Minutes, it.Excerpt, string(data))
			if err != nil {
				return fmt.Errorf("save issue %s item %d: %w", is.ID, i, err)
			}
		}
		return nil
	})
}

// Issue loads one issue with its items.
func (s *Store) Issue(ctx context.Context, id string) (*digest.Issue, error) {
	is, err := s.issues(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(is) == 0 {
		return nil, fmt.Errorf("issue %s: %w", id, digest.ErrNotFound)
	}
	return is[0], nil
}

// LastIssue is the newest issue, or digest.ErrNotFound before the first.
func (s *Store) LastIssue(ctx context.Context) (*digest.Issue, error) {
	is, err := s.issues(ctx, `ORDER BY number DESC LIMIT 1`)
	if err != nil {
		return nil, err
	}
	if len(is) == 0 {
		return nil, fmt.Errorf("last issue: %w", digest.ErrNotFound)
	}
	return is[0], nil
}

// Issues returns the newest n issues (all when n <= 0), newest first.
func (s *Store) Issues(ctx context.Context, n int) ([]*digest.Issue, error) {
	if n <= 0 {
		n = -1
	}
	return s.issues(ctx, `ORDER BY number DESC LIMIT ?`, n)
}

func (s *Store) issues(ctx context.Context, where string, args ...any) ([]*digest.Issue, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, number, title, since, cutoff, data FROM issues `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []*digest.Issue
	for rows.Next() {
		var is digest.Issue
		var since, cutoff, data string
		if err := rows.Scan(&is.ID, &is.Number, &is.Title, &since, &cutoff, &data); err != nil {
			rows.Close()
			return nil, err
		}
		if data != "" {
			if err := json.Unmarshal([]byte(data), &is); err != nil {
				rows.Close()
				return nil, fmt.Errorf("issue %s: %w", is.ID, err)
			}
		}
		is.Since, is.Cutoff = parseTime(since), parseTime(cutoff)
		out = append(out, &is)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, is := range out {
		if is.Items, err = s.items(ctx, is.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) items(ctx context.Context, id string) ([]digest.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, path, title, url, site, authors, clipped, tag, minutes, excerpt, data
		FROM items WHERE issue = ? ORDER BY pos`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []digest.Item
	for rows.Next() {
		var it digest.Item
		var authors, clipped, data string
		if err := rows.Scan(&it.Key, &it.Path, &it.Title, &it.URL, &it.Site, &authors, &clipped, &it.Tag, &it.Minutes, &it.Excerpt, &data); err != nil {
			return nil, err
		}
		if data != "" {
			if err := json.Unmarshal([]byte(data), &it); err != nil {
				return nil, fmt.Errorf("issue %s item %s: %w", id, it.Path, err)
			}
		}
		if err := json.Unmarshal([]byte(authors), &it.Authors); err != nil {
			return nil, fmt.Errorf("issue %s item %s: authors: %w", id, it.Path, err)
		}
		it.Clipped = parseTime(clipped)
		items = append(items, it)
	}
	return items, rows.Err()
}

// Included returns a lookup of the clippings (by key and by path) that are in
// any issue so far but except.
func (s *Store) Included(ctx context.Context, except string) (func(key, path string) bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, path FROM items WHERE issue != ?`, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys, paths := map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var k, p string
		if err := rows.Scan(&k, &p); err != nil {
			return nil, err
		}
		keys[k], paths[p] = true, true
	}
	return func(k, p string) bool { return keys[k] || paths[p] }, rows.Err()
}
