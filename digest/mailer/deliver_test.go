package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/sqlite"
	"github.com/digest-newsletter/digest/templates"
)

const issueID = "2026-W48"

var now = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func testIssue() *digest.Issue {
	return &digest.Issue{
		ID: issueID, Number: 1, Title: "Weekly Digest #1 · 2026-W48",
		Since: now.AddDate(0, 0, -7), Cutoff: now,
		Items: []digest.Item{
			{Key: "https://example.com/a", Path: "a.md", Title: "十年后的城市", URL: "https://example.com/a", Site: "example.com",
				Clipped: now.Add(-time.Hour), Tag: "AI", Minutes: 3, Excerpt: "城市会变成什么样？"},
			{Key: "https://example.org/b", Path: "b.md", Title: "Agents at work", URL: "https://example.org/b", Site: "example.org",
				Clipped: now.Add(-2 * time.Hour), Tag: "未来趋势", Minutes: 5, Excerpt: "What changes when software acts."},
		},
	}
}

func newComposer(t *testing.T) *email.Composer {
	t.Helper()
	c, err := email.NewComposer(testIssue(), email.ComposerOptions{
		Site:      digest.Site{Title: "Weekly Digest", URL: "https://digest.example.com", Language: "en"},
		From:      "Weekly Digest <digest@example.com>",
		Secret:    []byte("0123456789abcdef0123456789abcdef"),
		Templates: templates.Default,
		Date:      now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setup opens a ledger with n recipients r00@example.com … pending.
func setup(t *testing.T, n int) (*sqlite.Store, []string) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var rs []digest.Recipient
	var emails []string
	for i := range n {
		e := fmt.Sprintf("r%02d@example.com", i)
		rs = append(rs, digest.Recipient{Email: e, Name: fmt.Sprintf("Reader %d", i)})
		emails = append(emails, e)
	}
	if _, err := st.AddRecipients(context.Background(), issueID, 1, rs, now); err != nil {
		t.Fatal(err)
	}
	return st, emails
}

func job(t *testing.T, st *sqlite.Store, tr mailer.Transport) mailer.Job {
	c := newComposer(t)
	return mailer.Job{
		Issue:     issueID,
		Ledger:    st,
		Transport: tr,
		Compose: func(d digest.Delivery) (*email.Message, error) {
			return c.Compose(digest.Subscriber{Email: d.Email, Name: d.Name, Tags: d.Tags, Status: digest.StatusActive})
		},
		Concurrency: 3,
		Retries:     3,
		Backoff:     func(int) time.Duration { return 20 * time.Millisecond },
	}
}

// relay is a transport to s waiting timeout for each reply, and long for
// the one to the final dot (a busy machine is slow).
func relay(s *mailertest.Server, timeout time.Duration) *mailer.SMTP {
	return relayFinal(s, timeout, 10*time.Second)
}

// relayFinal is relay waiting final for the reply to the final dot.
func relayFinal(s *mailertest.Server, timeout, final time.Duration) *mailer.SMTP {
	return &mailer.SMTP{Config: digest.SMTP{Host: s.Host, Port: s.Port, TLS: "none", Timeout: timeout, FinalTimeout: final}}
}

func states(t *testing.T, st *sqlite.Store) map[string]digest.Delivery {
	t.Helper()
	m := map[string]digest.Delivery{}
	if err := st.Deliveries(context.Background(), issueID, "", func(d digest.Delivery) error { m[d.Email] = d; return nil }); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkMessage checks that a received message is what §8 asks for.
func checkMessage(t *testing.T, rcpt string, data []byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", rcpt, err)
	}
	h := m.Header
	if lu := h.Get("List-Unsubscribe"); !strings.HasPrefix(lu, "<https://digest.example.com/unsubscribe?t=") {
		t.Errorf("%s: List-Unsubscribe = %q", rcpt, lu)
	}
	if p := h.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Errorf("%s: List-Unsubscribe-Post = %q", rcpt, p)
	}
	if id := h.Get("Message-Id"); id != email.MessageID([]byte("0123456789abcdef0123456789abcdef"), issueID, rcpt, "digest.example.com", "digest.example.com") {
		t.Errorf("%s: Message-ID = %q", rcpt, id)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("%s: Content-Type = %q, %v", rcpt, h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", rcpt, err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
	}
	if fmt.Sprint(types) != "[text/plain text/html]" {
		t.Errorf("%s: parts %v, want text then HTML", rcpt, types)
	}
}

func TestDeliverSMTP(t *testing.T) {
	srv := mailertest.Start(t)
	st, emails := setup(t, 24)
	srv.Set(emails[3], mailertest.TempOnce)
	srv.Set(emails[5], mailertest.Reject)
	srv.Set(emails[7], mailertest.DropOnce)
	srv.Set(emails[11], mailertest.HangOnce)

	j := job(t, st, relayFinal(srv, 400*time.Millisecond, time.Second))
	var mu sync.Mutex
	events := map[string][]string{}
	results := map[string]mailer.Result{}
	j.OnResult = func(e mailer.Event) {
		mu.Lock()
		events[e.Email] = append(events[e.Email], e.State)
		results[e.Email] = e.Result
		mu.Unlock()
	}
	start := time.Now()
	stats, err := mailer.Deliver(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sent != 22 || stats.Failed != 1 || stats.Unknown != 1 || stats.Retried != 1 {
		t.Errorf("stats = %+v, want 22 sent, 1 failed, 1 unknown, 1 retried", stats)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}

	count := srv.Count()
	for _, m := range srv.Received() {
		checkMessage(t, m.To[0], m.Data)
	}
	rows := states(t, st)
	for i, e := range emails {
		want, state := 1, digest.Sent
		switch i {
		case 5:
			want, state = 0, digest.Failed
		case 11: // no answer to the final dot: in doubt, not tried again
			want, state = 0, digest.Unknown
		}
		if count[e] != want {
			t.Errorf("%s got %d copies, want %d", e, count[e], want)
		}
		if rows[e].State != state {
			t.Errorf("%s is %s, want %s (%s)", e, rows[e].State, state, rows[e].Response)
		}
	}
	if r := rows[emails[5]]; r.Code != 550 || !strings.Contains(r.Response, "no such user") {
		t.Errorf("550 row = %+v", r)
	}
	if r := results[emails[5]]; r.Outcome != mailer.Permanent || !r.Bounce {
		t.Errorf("550 5.1.1 at RCPT: %+v, want a permanent failure that is a bounce", r)
	}
	// 451 after the data: tried again later. A connection dropped before
	// the data: sent again at once on a new one, within the same try.
	for i, want := range map[int][]string{3: {digest.Pending, digest.Sent}, 7: {digest.Sent}, 11: {digest.Unknown}} {
		if got := events[emails[i]]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: events %v, want %v (last %+v)", emails[i], got, want, results[emails[i]])
		}
		if r := rows[emails[i]]; r.Attempts != len(want) {
			t.Errorf("%s: %d tries, want %d", emails[i], r.Attempts, len(want))
		}
	}
	if r := rows[emails[0]]; r.Attempts != 1 || r.MessageID == "" || r.Code != 250 {
		t.Errorf("plain row = %+v", r)
	}
	// Connections are reused: a few per worker, not one per message.
	if c := srv.Conns(); c > 3+3+3 {
		t.Errorf("%d connections for %d messages", c, len(emails))
	}
}

func TestDeliverGivesUp(t *testing.T) {
	srv := mailertest.Start(t)
	st, emails := setup(t, 3)
	srv.Set(emails[1], mailertest.AlwaysTemp)
	j := job(t, st, relay(srv, time.Second))
	j.Retries = 2
	stats, err := mailer.Deliver(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	r := states(t, st)[emails[1]]
	if stats.Failed != 1 || r.State != digest.Failed || r.Attempts != 3 || !strings.Contains(r.Response, "gave up after 3 tries") {
		t.Errorf("stats %+v, row %+v", stats, r)
	}
}

func TestDeliverRelayRefusing(t *testing.T) {
	srv := mailertest.Start(t)
	srv.Default = mailertest.Refuse
	st, emails := setup(t, 30)
	_, err := mailer.Deliver(context.Background(), job(t, st, relay(srv, time.Second)))
	if !errors.Is(err, mailer.ErrRelayRefusing) {
		t.Fatalf("err = %v, want ErrRelayRefusing", err)
	}
	rows := states(t, st)
	for _, e := range emails {
		if s := rows[e].State; s != digest.Pending {
			t.Errorf("%s is %s, want pending: the relay's fault is not theirs", e, s)
		}
	}
	if sup, _ := st.Suppressions(context.Background()); len(sup) != 0 {
		t.Errorf("suppressed %v", sup)
	}
}

func TestDeliverNoRelay(t *testing.T) {
	st, emails := setup(t, 3)
	tr := &mailer.SMTP{Config: digest.SMTP{Host: "127.0.0.1", Port: 1, TLS: "none", Timeout: time.Second}}
	_, err := mailer.Deliver(context.Background(), job(t, st, tr))
	if err == nil {
		t.Fatal("no error without a relay")
	}
	for _, e := range emails {
		if s := states(t, st)[e].State; s != digest.Pending {
			t.Errorf("%s is %s, want pending", e, s)
		}
	}
}

func TestDeliverInterrupted(t *testing.T) {
	srv := mailertest.Start(t)
	st, _ := setup(t, 60)
	ctx, cancel := context.WithCancel(context.Background())
	srv.OnMessage(func(n int) {
		if n == 10 {
			cancel()
		}
	})
	j := job(t, st, relay(srv, time.Second))
	j.Limiter = mailer.NewLimiter(200)
	stats, err := mailer.Deliver(ctx, j)
	if !errors.Is(err, mailer.ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	n := map[string]int{}
	count := srv.Count()
	for e, d := range states(t, st) {
		n[d.State]++
		if (d.State == digest.Sent) != (count[e] == 1) {
			t.Errorf("%s: ledger says %s, server got %d", e, d.State, count[e])
		}
	}
	if n[digest.Sending] != 0 || n[digest.Sent] != stats.Sent || n[digest.Sent] < 10 || n[digest.Pending] == 0 {
		t.Errorf("states %v, stats %+v", n, stats)
	}
}

func TestDeliverMaildir(t *testing.T) {
	st, emails := setup(t, 5)
	dir := filepath.Join(t.TempDir(), "outbox")
	stats, err := mailer.Deliver(context.Background(), job(t, st, &mailer.Maildir{Dir: dir}))
	if err != nil || stats.Sent != 5 {
		t.Fatalf("stats %+v, %v", stats, err)
	}
	files, _ := os.ReadDir(filepath.Join(dir, "new"))
	if len(files) != len(emails) {
		t.Fatalf("%d files in new/, want %d", len(files), len(emails))
	}
	if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) != 0 {
		t.Errorf("left in tmp/: %v", tmp)
	}
	got := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, "new", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("\r\n")) {
			t.Errorf("%s has CRLF line ends", f.Name())
		}
		m, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		to, err := mail.ParseAddress(m.Header.Get("To"))
		if err != nil {
			t.Fatal(err)
		}
		got[to.Address] = true
		checkMessage(t, to.Address, data)
	}
	if len(got) != len(emails) {
		t.Errorf("recipients %v", got)
	}
}

func TestDeliverSkipsByTags(t *testing.T) {
	st, _ := setup(t, 0)
	ctx := context.Background()
	st.AddRecipients(ctx, issueID, 1, []digest.Recipient{
		{Email: "ai@example.com", Tags: []string{"AI"}},
		{Email: "cooking@example.com", Tags: []string{"cooking"}},
	}, now)
	stats, err := mailer.Deliver(ctx, job(t, st, &mailer.Maildir{Dir: t.TempDir()}))
	if err != nil || stats.Sent != 1 || stats.Skipped != 1 {
		t.Fatalf("stats %+v, %v", stats, err)
	}
	if d := states(t, st)["cooking@example.com"]; d.State != digest.Skipped {
		t.Errorf("row %+v", d)
	}
}

func TestLimiter(t *testing.T) {
	l := mailer.NewLimiter(100)
	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				l.Wait(context.Background())
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Errorf("20 messages at 100/s took %v", d)
	}
	if mailer.NewLimiter(0) != nil {
		t.Error("rate 0 limits")
	}
}

// TestDeliverAfterTheDot plays relays that take the message and then answer
// the final dot too late, close the connection, or never answer (§9): the
// relay may have queued the message, so the row is unknown and not retried;
// a run asked to resend them sends exactly those, with the same Message-ID.
func TestDeliverAfterTheDot(t *testing.T) {
	srv := mailertest.Start(t)
	srv.Late = 4 * time.Second
	st, emails := setup(t, 12)
	inDoubt := map[string]bool{emails[2]: true, emails[5]: true, emails[9]: true}
	srv.Set(emails[2], mailertest.StoreLateOnce)
	srv.Set(emails[5], mailertest.StoreCloseOnce)
	srv.Set(emails[9], mailertest.StoreHangOnce)
	ctx := context.Background()

	j := job(t, st, relayFinal(srv, 300*time.Millisecond, 1500*time.Millisecond))
	stats, err := mailer.Deliver(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sent != 9 || stats.Unknown != 3 || stats.Retried != 0 || stats.Failed != 0 {
		t.Errorf("stats = %+v, want 9 sent, 3 unknown", stats)
	}
	rows := states(t, st)
	for e, n := range srv.Count() {
		if n != 1 {
			t.Errorf("%s got %d copies, want 1", e, n)
		}
	}
	for _, e := range emails {
		want := digest.Sent
		if inDoubt[e] {
			want = digest.Unknown
		}
		if r := rows[e]; r.State != want || r.Attempts != 1 {
			t.Errorf("%s is %s after %d tries, want %s after 1 (%s)", e, r.State, r.Attempts, want, r.Response)
		}
	}

	// A run that is not asked leaves them alone.
	if stats, err := mailer.Deliver(ctx, j); err != nil || stats != (mailer.Stats{}) {
		t.Errorf("second run: %+v, %v", stats, err)
	}
	if n, err := st.RequeueUnknown(ctx, issueID, now); err != nil || n != 3 {
		t.Fatalf("requeued %d, %v", n, err)
	}
	if stats, err := mailer.Deliver(ctx, j); err != nil || stats.Sent != 3 {
		t.Errorf("resend: %+v, %v", stats, err)
	}
	ids := map[string][]string{}
	for _, m := range srv.Received() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		ids[m.To[0]] = append(ids[m.To[0]], msg.Header.Get("Message-Id"))
	}
	for _, e := range emails {
		want := 1
		if inDoubt[e] {
			want = 2
		}
		if got := ids[e]; len(got) != want || got[0] != got[len(got)-1] {
			t.Errorf("%s: Message-IDs %v, want %d copies of one", e, got, want)
		}
		if s := states(t, st)[e].State; s != digest.Sent {
			t.Errorf("%s is %s after the resend", e, s)
		}
	}
}

// A final reply that comes late but within final_timeout is an answer: the
// per-command timeout does not apply to it.
func TestDeliverSlowFinalReply(t *testing.T) {
	srv := mailertest.Start(t)
	srv.Late = 600 * time.Millisecond
	st, emails := setup(t, 2)
	srv.Set(emails[0], mailertest.StoreLateOnce)
	tr := &mailer.SMTP{Config: digest.SMTP{Host: srv.Host, Port: srv.Port, TLS: "none",
		Timeout: 200 * time.Millisecond, FinalTimeout: 5 * time.Second}}
	stats, err := mailer.Deliver(context.Background(), job(t, st, tr))
	if err != nil || stats.Sent != 2 {
		t.Fatalf("stats %+v, %v", stats, err)
	}
	if n := srv.Count()[emails[0]]; n != 1 {
		t.Errorf("%d copies", n)
	}
}

// Addresses that are not ASCII (§7): a relay that offers SMTPUTF8 takes
// them; one that does not fails each such recipient alone, recorded and
// not counted as the relay refusing every message, and mails the rest.
func TestDeliverUTF8Addresses(t *testing.T) {
	var utf8 []string
	for i := range 12 { // more than the refusals that stop a run
		utf8 = append(utf8, fmt.Sprintf("müller%02d@example.de", i))
	}
	for _, offers := range []bool{true, false} {
		t.Run(fmt.Sprintf("SMTPUTF8 %v", offers), func(t *testing.T) {
			start := mailertest.Start
			if offers {
				start = mailertest.StartSMTPUTF8
			}
			srv := start(t)
			st, emails := setup(t, 6)
			var rs []digest.Recipient
			for _, e := range utf8 {
				rs = append(rs, digest.Recipient{Email: e})
			}
			rs = append(rs, digest.Recipient{Email: "zz@xn--r8jz45g.jp"}) // 例え.jp, as NormalizeEmail gives it
			if _, err := st.AddRecipients(context.Background(), issueID, 1, rs, now); err != nil {
				t.Fatal(err)
			}
			j := job(t, st, relay(srv, time.Second))
			j.Concurrency = 1 // the failures in a row
			stats, err := mailer.Deliver(context.Background(), j)
			if err != nil {
				t.Fatalf("%v (stats %+v)", err, stats)
			}
			rows, count := states(t, st), srv.Count()
			for _, e := range append(emails, "zz@xn--r8jz45g.jp") {
				if rows[e].State != digest.Sent || count[e] != 1 {
					t.Errorf("%s is %s, %d copies", e, rows[e].State, count[e])
				}
			}
			for _, e := range utf8 {
				want, n := digest.Sent, 1
				if !offers {
					want, n = digest.Failed, 0
				}
				if r := rows[e]; r.State != want || count[e] != n || r.Attempts != 1 {
					t.Errorf("%s is %s after %d tries, %d copies; want %s, %d (%s)", e, r.State, r.Attempts, count[e], want, n, r.Response)
				}
				if !offers && !strings.Contains(rows[e].Response, "SMTPUTF8") {
					t.Errorf("%s: response %q does not say why", e, rows[e].Response)
				}
			}
			if sup, _ := st.Suppressions(context.Background()); len(sup) != 0 {
				t.Errorf("suppressed %v", sup)
			}
		})
	}
}

// What a killed run left in tmp/ is removed: by Open once it is older than
// the Maildir rule's 36 hours, by CleanTmp (under the send lock) sooner.
func TestMaildirCleansTmp(t *testing.T) {
	dir := t.TempDir()
	md := &mailer.Maildir{Dir: dir}
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o700)
	for name, age := range map[string]time.Duration{"old": 37 * time.Hour, "recent": time.Hour, "fresh": 0} {
		p := filepath.Join(dir, "tmp", name)
		if err := os.WriteFile(p, []byte("half a message"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		os.Chtimes(p, at, at)
	}
	left := func() string {
		var names []string
		es, _ := os.ReadDir(filepath.Join(dir, "tmp"))
		for _, e := range es {
			names = append(names, e.Name())
		}
		return fmt.Sprint(names)
	}
	conn, err := md.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if got := left(); got != "[fresh recent]" {
		t.Errorf("after Open, tmp/ holds %s, want [fresh recent]", got)
	}
	if n, err := md.CleanTmp(time.Now().Add(-time.Minute)); err != nil || n != 1 || left() != "[fresh]" {
		t.Errorf("CleanTmp removed %d (%v), left %s, want 1 and [fresh]", n, err, left())
	}
}
