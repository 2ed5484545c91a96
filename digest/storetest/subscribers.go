package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

func testRequestConfirmationLimits(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	lim := digest.ConfirmLimit{Interval: 10 * time.Minute, PerDay: 3}
	steps := []struct {
		after time.Duration
		email string
		want  bool
	}{
		{0, "a@example.com", true},
		{time.Minute, "a@example.com", false},               // too soon
		{time.Minute, "A@Example.COM", false},               // same address, other case
		{time.Minute, "b@example.com", true},                // another address is not limited by a's
		{11 * time.Minute, "a@example.com", true},           // 2nd of the day
		{22 * time.Minute, "a@example.com", true},           // 3rd
		{33 * time.Minute, "a@example.com", false},          // 4th refused
		{5 * time.Hour, "a@example.com", false},             // still the same day
		{24*time.Hour + time.Minute, "a@example.com", true}, // a new day
	}
	for i, st := range steps {
		got, err := s.RequestConfirmation(ctx, st.email, "", nil, t0.Add(st.after), lim)
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Errorf("step %d: RequestConfirmation(%s, +%v) = %v, want %v", i, st.email, st.after, got, st.want)
		}
	}
	if _, pending, err := s.SubscriberCounts(ctx); err != nil || pending != 2 {
		t.Errorf("pending = %d, %v; want 2", pending, err)
	}
	// Old requests are forgotten after a week.
	if _, err := s.RequestConfirmation(ctx, "c@example.com", "", nil, t0.Add(9*24*time.Hour), lim); err != nil {
		t.Fatal(err)
	}
	if _, pending, _ := s.SubscriberCounts(ctx); pending != 1 {
		t.Errorf("pending after a week = %d, want 1", pending)
	}
}

func testConfirmAndStream(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	if _, err := s.RequestConfirmation(ctx, "li.lei@example.cn", "李雷", []string{"未来趋势"}, now, digest.DefaultConfirmLimit); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.IsSubscriber(ctx, "li.lei@example.cn"); ok {
		t.Fatal("subscribed before confirming")
	}
	// A link works once.
	added, err := s.Confirm(ctx, "Li.Lei@example.cn", now.Add(time.Hour))
	if err != nil || !added {
		t.Fatalf("confirm: added %v, %v", added, err)
	}
	if _, err := s.Confirm(ctx, "li.lei@example.cn", now.Add(time.Hour)); !errors.Is(err, digest.ErrNoConfirmation) {
		t.Errorf("second confirm: %v, want ErrNoConfirmation", err)
	}
	// A reader who unsubscribed, then asks and confirms again, is back.
	if err := s.Suppress(ctx, "ann@example.com", "unsubscribed", now); err != nil {
		t.Fatal(err)
	}
	confirm(t, s, "ann@example.com", now.Add(time.Minute))
	if sup, _ := s.IsSuppressed(ctx, "ann@example.com"); sup {
		t.Error("confirming did not lift the suppression")
	}
	confirm(t, s, "zed@example.com", now)
	// Suppressed after confirming: not streamed.
	if err := s.Suppress(ctx, "zed@example.com", "unsubscribed", now); err != nil {
		t.Fatal(err)
	}
	var got []string
	for sub, err := range s.Subscribers(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if !sub.Active() {
			t.Errorf("%s streamed with status %q", sub.Email, sub.Status)
		}
		got = append(got, fmt.Sprint(sub.Email, "/", sub.Name, sub.Tags))
	}
	want := []string{"ann@example.com/[]", "li.lei@example.cn/李雷[未来趋势]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Subscribers = %v, want %v", got, want)
	}
	if n, pending, err := s.SubscriberCounts(ctx); err != nil || n != 2 || pending != 0 {
		t.Errorf("counts = %d, %d, %v; want 2, 0", n, pending, err)
	}
	// Stopping early closes the rows: the store is still usable for writes.
	for range s.Subscribers(ctx) {
		break
	}
	confirm(t, s, "new@example.com", now)
}

// confirm subscribes email as the web form does: asked, then confirmed.
func confirm(t *testing.T, s digest.State, email string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.RequestConfirmation(ctx, email, "", nil, now, digest.DefaultConfirmLimit); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Confirm(ctx, email, now); err != nil {
		t.Fatal(err)
	}
}

// testConfirmNeverLiftsLaterSuppression replays a confirm link mailed
// before the reader unsubscribed or bounced: the suppression stands.
func testConfirmNeverLiftsLaterSuppression(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	sent := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, reason := range []string{"unsubscribed", "bounced"} {
		email := reason + "@example.com"
		if _, err := s.RequestConfirmation(ctx, email, "", nil, sent, digest.DefaultConfirmLimit); err != nil {
			t.Fatal(err)
		}
		if err := s.Suppress(ctx, email, reason, sent.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Confirm(ctx, email, sent.Add(2*time.Hour)); !errors.Is(err, digest.ErrSuppressedSince) {
			t.Errorf("%s: confirm after suppression: %v, want ErrSuppressedSince", reason, err)
		}
		if sup, _ := s.IsSuppressed(ctx, email); !sup {
			t.Errorf("%s: suppression lifted", reason)
		}
	}
}

// testImportPreferencesErase adds subscribers as an import does, changes a
// reader's preferences, and erases one: only its hash is left, and it is
// never streamed nor mailed again.
func testImportPreferencesErase(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, sub := range []digest.SiteSubscriber{
		{Email: "a@example.com", Name: "A", Tags: []string{"AI"}, Source: "buttondown"},
		{Email: "b@example.com", Source: "mailchimp"},
		{Email: "c@example.com", Source: "substack"},
	} {
		if added, err := s.AddSubscriber(ctx, sub, now); err != nil || !added {
			t.Fatalf("add %s: %v, %v", sub.Email, added, err)
		}
	}
	if err := s.Suppress(ctx, "c@example.com", "unsubscribed", now); err != nil {
		t.Fatal(err)
	}
	// Importing again updates and keeps the suppression.
	if added, err := s.AddSubscriber(ctx, digest.SiteSubscriber{Email: "C@example.com", Name: "C"}, now); err != nil || added {
		t.Errorf("re-import: %v, %v", added, err)
	}
	if sup, _ := s.IsSuppressed(ctx, "c@example.com"); !sup {
		t.Error("an import lifted a suppression")
	}
	if err := s.SetPreferences(ctx, "b@example.com", []string{"未来趋势"}, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPreferences(ctx, "nobody@example.com", nil, false); !errors.Is(err, digest.ErrNotFound) {
		t.Errorf("preferences of nobody: %v", err)
	}
	b, err := s.SiteSubscriber(ctx, "B@example.com")
	if err != nil || !b.Paused || fmt.Sprint(b.Tags) != "[未来趋势]" || b.Source != "mailchimp" {
		t.Errorf("b = %+v, %v", b, err)
	}
	var listed []string
	for sub, err := range s.ListSubscribers(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, fmt.Sprintf("%s%v/%v/%s", sub.Email, sub.Tags, sub.Paused, sub.Suppressed))
	}
	if want := "[a@example.com[AI]/false/ b@example.com[未来趋势]/true/ c@example.com[]/false/unsubscribed]"; fmt.Sprint(listed) != want {
		t.Errorf("ListSubscribers = %v, want %v", listed, want)
	}
	streamed := func() []string {
		var got []string
		for sub, err := range s.Subscribers(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, sub.Email)
		}
		return got
	}
	if got := streamed(); fmt.Sprint(got) != "[a@example.com]" {
		t.Errorf("streamed %v, want a only (b paused, c suppressed)", got)
	}

	// Erase a: its deliveries go too; its hash stays suppressed.
	if _, err := s.AddRecipients(ctx, "2026-W49", 1, []digest.Recipient{{Email: "a@example.com"}}, now); err != nil {
		t.Fatal(err)
	}
	if known, err := s.Erase(ctx, "A@example.com", now); err != nil || !known {
		t.Fatalf("erase: %v, %v", known, err)
	}
	if _, err := s.SiteSubscriber(ctx, "a@example.com"); !errors.Is(err, digest.ErrNotFound) {
		t.Errorf("erased subscriber still there: %v", err)
	}
	if _, err := s.Delivery(ctx, "2026-W49", "a@example.com"); !errors.Is(err, digest.ErrNotFound) {
		t.Errorf("erased subscriber's delivery still there: %v", err)
	}
	if sup, _ := s.IsSuppressed(ctx, "a@example.com"); !sup {
		t.Error("erased address is not suppressed")
	}
	if got := streamed(); len(got) != 0 {
		t.Errorf("streamed %v after erasing", got)
	}
	if known, err := s.Erase(ctx, "nobody@example.com", now); err != nil || known {
		t.Errorf("erase unknown: %v, %v", known, err)
	}
}

// TestSubscribersStreamWhileWriting adds to the state while the stream is
// open, as a send does with its ledger.
func testSubscribersStreamWhileWriting(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for i := range 50 {
		confirm(t, s, fmt.Sprintf("r%03d@example.com", i), now)
	}
	n := 0
	for sub, err := range s.Subscribers(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRecipients(ctx, "2026-W49", 1, []digest.Recipient{{Email: sub.Email}}, now); err != nil {
			t.Fatal(err)
		}
		n++
	}
	counts, err := s.DeliveryCounts(ctx, "2026-W49")
	if err != nil || n != 50 || counts[digest.Pending] != 50 {
		t.Errorf("streamed %d, ledger %v (%v); want 50 pending", n, counts, err)
	}
}

func testLease(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	a, err := s.Acquire(ctx, "run", "host-a:1", time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, "run", "host-b:2", time.Minute, now.Add(30*time.Second)); !errors.Is(err, digest.ErrLeaseHeld) {
		t.Fatalf("second holder: %v, want ErrLeaseHeld", err)
	}
	if _, err := s.Acquire(ctx, "other", "host-b:2", time.Minute, now); err != nil {
		t.Fatalf("another lease name: %v", err)
	}
	if _, err := s.Acquire(ctx, "run", "host-a:1", time.Minute, now.Add(time.Second)); err != nil {
		t.Fatalf("re-acquire by the holder: %v", err)
	}
	if err := a.Renew(ctx, now.Add(50*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, "run", "host-b:2", time.Minute, now.Add(90*time.Second)); !errors.Is(err, digest.ErrLeaseHeld) {
		t.Fatalf("after renewal: %v, want ErrLeaseHeld", err)
	}
	// a stops renewing (it died): b takes over once it has run out, and a
	// learns it lost the lease.
	b, err := s.Acquire(ctx, "run", "host-b:2", time.Minute, now.Add(111*time.Second))
	if err != nil {
		t.Fatalf("taking over a run-out lease: %v", err)
	}
	if err := a.Renew(ctx, now.Add(112*time.Second)); !errors.Is(err, digest.ErrLeaseLost) {
		t.Errorf("renewing a lost lease: %v, want ErrLeaseLost", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, "run", "host-c:3", time.Minute, now.Add(113*time.Second)); !errors.Is(err, digest.ErrLeaseHeld) {
		t.Errorf("a's release freed b's lease: %v", err)
	}
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, "run", "host-c:3", time.Minute, now.Add(114*time.Second)); err != nil {
		t.Errorf("after release: %v", err)
	}
}

func testLeaseHold(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	clock := func() time.Time { return time.Now() }
	l, err := s.Acquire(ctx, "run", "a", 150*time.Millisecond, clock())
	if err != nil {
		t.Fatal(err)
	}
	held, stop := digest.HoldLease(ctx, l, clock)
	time.Sleep(400 * time.Millisecond) // well past the ttl: only renewal keeps it
	if _, err := s.Acquire(ctx, "run", "b", time.Minute, clock()); !errors.Is(err, digest.ErrLeaseHeld) {
		t.Errorf("held lease taken: %v", err)
	}
	if held.Err() != nil {
		t.Errorf("held context done: %v", context.Cause(held))
	}
	stop()
	stop()
	if _, err := s.Acquire(ctx, "run", "b", time.Minute, clock()); err != nil {
		t.Errorf("after stop: %v", err)
	}

	// Stolen under a holder (its clock far behind): the holder's context ends.
	l, err = s.Acquire(ctx, "lost", "a", 90*time.Millisecond, clock())
	if err != nil {
		t.Fatal(err)
	}
	// A thief whose clock is past the lease's end takes it over.
	if _, err := s.Acquire(ctx, "lost", "thief", time.Hour, clock().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	held, stop = digest.HoldLease(ctx, l, clock)
	defer stop()
	select {
	case <-held.Done():
		if !errors.Is(context.Cause(held), digest.ErrLeaseLost) {
			t.Errorf("cause %v, want ErrLeaseLost", context.Cause(held))
		}
	case <-time.After(2 * time.Second):
		t.Error("holder's context not cancelled after losing the lease")
	}
}

func testRuns(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	if _, err := s.LastRun(ctx); !errors.Is(err, digest.ErrNotFound) {
		t.Fatalf("LastRun on empty state: %v", err)
	}
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, r := range []digest.Run{
		{At: at.AddDate(0, 0, -7), Outcome: digest.RunSent, Issue: "2026-W48", Finished: at.AddDate(0, 0, -7)},
		{At: at, Outcome: digest.RunSkipped, Detail: "missed", Finished: at.Add(30 * time.Hour)},
	} {
		if err := s.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.LastRun(ctx)
	if err != nil || !r.At.Equal(at) || r.Outcome != digest.RunSkipped {
		t.Errorf("LastRun = %+v, %v", r, err)
	}
}
