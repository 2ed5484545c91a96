package weekly

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/templates"
)

// fullDisk is the real state whose ledger commits start failing, as on a
// full disk, after the first few.
type fullDisk struct {
	*sqlite.Store
	mu    sync.Mutex
	left  int // commits that still succeed
	fails int
}

func (f *fullDisk) Apply(ctx context.Context, issue string, cs []digest.Change, now time.Time) ([]bool, error) {
	f.mu.Lock()
	full := f.left == 0
	if full {
		f.fails++
	} else {
		f.left--
	}
	f.mu.Unlock()
	if full {
		return nil, fmt.Errorf("ledger: %s: database or disk is full (SQLITE_FULL)", issue)
	}
	return f.Store.Apply(ctx, issue, cs, now)
}

// TestSendFullDisk stops a send on a full disk (issue 11: the summary said
// 131 sent while the ledger gained 127): the report's counts are the
// ledger's, and the messages the run could not record are the ones left in
// doubt, at most one per connection.
func TestSendFullDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	c, err := digest.ParseConfig(strings.NewReader(`
site: {title: Weekly, url: "https://news.digest-weekly.net", language: en}
from: "Weekly <news@digest-weekly.net>"
subscribers: ./subscribers.csv
outbox: ./outbox
send: {concurrency: 3}
`), "digest.yaml", dir)
	if err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	list.WriteString("email\n")
	for i := range 200 {
		fmt.Fprintf(&list, "r%03d@example.com\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "subscribers.csv"), []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	is := &digest.Issue{ID: "2026-W49", Number: 1, Title: "Weekly #1", Since: now.AddDate(0, 0, -7), Cutoff: now, Published: now,
		Items: []digest.Item{{Key: "https://example.com/a", Path: "a.md", Title: "A", URL: "https://example.com/a",
			Site: "example.com", Clipped: now.Add(-time.Hour), Tag: "AI", Minutes: 1, Excerpt: "a"}}}
	if err := st.SaveIssue(ctx, is, now); err != nil {
		t.Fatal(err)
	}

	state := &fullDisk{Store: st, left: 40}
	n := &Newsletter{Config: c, State: state, Templates: templates.Default, Secret: []byte("0123456789abcdef0123456789abcdef"),
		Transport: &mailer.Maildir{Dir: c.Outbox}}
	rep, err := n.Send(ctx, now, SendOptions{Issue: is.ID})
	if err == nil || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("send: %v, want the disk-full error", err)
	}
	counts, err := st.DeliveryCounts(ctx, is.ID+"/outbox")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(filepath.Join(c.Outbox, "new"))
	t.Logf("report %d sent, %d pending; ledger %v; %d files in new/; %d commits failed", rep.Sent, rep.Pending, counts, len(files), state.fails)
	if rep.Sent != counts[digest.Sent] || rep.Sent == 0 {
		t.Errorf("the report says %d sent, the ledger %d", rep.Sent, counts[digest.Sent])
	}
	if inDoubt := len(files) - counts[digest.Sent]; inDoubt < 0 || inDoubt > counts[digest.Sending] || counts[digest.Sending] > 3 {
		t.Errorf("%d files, %d sent and %d sending in the ledger: want at most one sending per connection, each perhaps delivered",
			len(files), counts[digest.Sent], counts[digest.Sending])
	}
}
