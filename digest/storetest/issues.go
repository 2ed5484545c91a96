package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

func testIssueRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	if _, err := s.LastIssue(ctx); !errors.Is(err, digest.ErrNotFound) {
		t.Fatalf("LastIssue on empty state: %v, want not found", err)
	}
	at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	is := &digest.Issue{ID: "2026-W48", Number: 1, Title: "T #1", Since: at.AddDate(0, 0, -7), Cutoff: at,
		Items: []digest.Item{
			{Key: "https://example.com/a", Path: "a.md", Title: "A 标题", URL: "https://example.com/a", Site: "example.com",
				Authors: []string{"Jane", "李雷"}, Clipped: at.Add(-time.Hour), Tag: "AI", Minutes: 3, Excerpt: "摘要…"},
			{Key: "path:b.md", Path: "b.md", Title: "B", Clipped: at.Add(-2 * time.Hour), Tag: "未来趋势", Minutes: 1},
		}}
	if err := s.SaveIssue(ctx, is, at); err != nil {
		t.Fatal(err)
	}
	got, err := s.Issue(ctx, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != is.Title || !got.Cutoff.Equal(at) || len(got.Items) != 2 {
		t.Fatalf("got %+v", got)
	}
	if it := got.Items[0]; it.Title != "A 标题" || it.Authors[1] != "李雷" || it.Excerpt != "摘要…" || !it.Clipped.Equal(at.Add(-time.Hour)) {
		t.Errorf("item 0 = %+v", it)
	}
	inc, err := s.Included(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if !inc("https://example.com/a", "x.md") || !inc("", "b.md") || inc("https://example.com/z", "z.md") {
		t.Error("Included does not answer by key and by path")
	}
	if inc, err := s.Included(ctx, "2026-W48"); err != nil || inc("", "b.md") {
		t.Errorf("Included except the issue itself still has its items (%v)", err)
	}

	// Saved again (refreshed before it was mailed), it is replaced whole.
	is.Title, is.Items = "T #1, refreshed", is.Items[1:]
	is.Items[0].Excerpt = "新的"
	if err := s.SaveIssue(ctx, is, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err = s.Issue(ctx, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "T #1, refreshed" || got.Number != 1 || len(got.Items) != 1 || got.Items[0].Excerpt != "新的" {
		t.Errorf("refreshed issue = %+v", got)
	}
	if all, err := s.Issues(ctx, 0); err != nil || len(all) != 1 {
		t.Errorf("Issues after a refresh = %d, %v; want 1", len(all), err)
	}
}
