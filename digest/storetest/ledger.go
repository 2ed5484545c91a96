package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func recipients(n int) []digest.Recipient {
	rs := make([]digest.Recipient, n)
	for i := range rs {
		rs[i] = digest.Recipient{Email: fmt.Sprintf("r%03d@example.com", i), Name: fmt.Sprintf("R %d", i)}
	}
	return rs
}

func mustApply(t *testing.T, s digest.State, issue string, cs ...digest.Change) []bool {
	t.Helper()
	ok, err := s.Apply(context.Background(), issue, cs, t0)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func counts(t *testing.T, s digest.State, issue string) map[string]int {
	t.Helper()
	m, err := s.DeliveryCounts(context.Background(), issue)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testLedgerLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	rs := recipients(3)
	rs[1].Tags = []string{"AI", "未来趋势"}
	n, err := s.AddRecipients(ctx, "2026-W48", 1, rs, t0)
	if err != nil || n != 3 {
		t.Fatalf("AddRecipients = %d, %v; want 3", n, err)
	}
	// Adding again adds nothing and keeps the rows.
	if n, err := s.AddRecipients(ctx, "2026-W48", 1, rs, t0); err != nil || n != 0 {
		t.Fatalf("AddRecipients again = %d, %v; want 0", n, err)
	}
	due, err := s.Due(ctx, "2026-W48", "", t0, 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("Due = %d rows, %v", len(due), err)
	}
	if got := due[1].Tags; len(got) != 2 || got[1] != "未来趋势" {
		t.Errorf("tags = %q", got)
	}

	a, b, c := rs[0].Email, rs[1].Email, rs[2].Email
	ok := mustApply(t, s, "2026-W48",
		digest.Change{Email: a, From: digest.Pending, To: digest.Sending, MessageID: "<a@x>", Attempts: 1},
		digest.Change{Email: b, From: digest.Pending, To: digest.Sending, MessageID: "<b@x>", Attempts: 1},
		digest.Change{Email: c, From: digest.Pending, To: digest.Sending, MessageID: "<c@x>", Attempts: 1},
		digest.Change{Email: a, From: digest.Pending, To: digest.Sending}, // twice: the second does not apply
	)
	if want := []bool{true, true, true, false}; fmt.Sprint(ok) != fmt.Sprint(want) {
		t.Fatalf("applied %v, want %v", ok, want)
	}
	retry := t0.Add(time.Minute)
	mustApply(t, s, "2026-W48",
		digest.Change{Email: a, From: digest.Sending, To: digest.Sent, Code: 250, Response: "2.0.0 queued"},
		digest.Change{Email: b, From: digest.Sending, To: digest.Failed, Code: 550, Response: "550 no such user"},
		digest.Change{Email: c, From: digest.Sending, To: digest.Pending, NextTry: retry, Code: 451, Response: "451 later"},
	)
	if got := counts(t, s, "2026-W48"); got[digest.Sent] != 1 || got[digest.Failed] != 1 || got[digest.Pending] != 1 {
		t.Fatalf("counts = %v", got)
	}
	if due, _ := s.Due(ctx, "2026-W48", "", t0, 10); len(due) != 0 {
		t.Errorf("a row waiting for its retry is due: %v", due)
	}
	if next, ok, _ := s.NextDue(ctx, "2026-W48"); !ok || !next.Equal(retry) {
		t.Errorf("NextDue = %v, %v; want %v", next, ok, retry)
	}
	due, _ = s.Due(ctx, "2026-W48", "", retry, 10)
	if len(due) != 1 || due[0].Email != c || due[0].Attempts != 1 || due[0].MessageID != "<c@x>" || due[0].Code != 451 {
		t.Fatalf("due after the wait = %+v", due)
	}
	if done, err := s.FinishSend(ctx, "2026-W48", t0); err == nil && done {
		t.Error("finished with a row pending")
	}
	mustApply(t, s, "2026-W48",
		digest.Change{Email: c, From: digest.Pending, To: digest.Sending, Attempts: 1},
		digest.Change{Email: c, From: digest.Sending, To: digest.Sent, Code: 250},
	)
	d, err := s.Delivery(ctx, "2026-W48", c)
	if err != nil || d.State != digest.Sent || d.Attempts != 2 || d.MessageID != "<c@x>" {
		t.Fatalf("row = %+v, %v", d, err)
	}
	if _, err := s.StartSend(ctx, "2026-W48", false, t0); err != nil {
		t.Fatal(err)
	}
	if done, err := s.FinishSend(ctx, "2026-W48", t0); err != nil || !done {
		t.Fatalf("FinishSend = %v, %v; want finished", done, err)
	}
	rec, err := s.StartSend(ctx, "2026-W48", false, t0.Add(time.Hour))
	if err != nil || !rec.Done() || !rec.Started.Equal(t0) {
		t.Fatalf("StartSend on a finished issue = %+v, %v", rec, err)
	}
	if rec, _ := s.StartSend(ctx, "2026-W48", true, t0); rec.Done() {
		t.Error("reopen left the issue finished")
	}
}

func testLedgerRecoverSending(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	s.StartSend(ctx, "W1", false, t0) // as digest send does before it sends a message
	s.AddRecipients(ctx, "W1", 1, recipients(5), t0)
	mustApply(t, s, "W1",
		digest.Change{Email: "r000@example.com", From: digest.Pending, To: digest.Sending, MessageID: "<0@x>", Attempts: 1},
		digest.Change{Email: "r001@example.com", From: digest.Pending, To: digest.Sending, MessageID: "<1@x>", Attempts: 1},
		digest.Change{Email: "r002@example.com", From: digest.Pending, To: digest.Sending, MessageID: "<2@x>", Attempts: 1},
		digest.Change{Email: "r002@example.com", From: digest.Sending, To: digest.Sent},
	)
	// What a killed process leaves behind must be on disk: read it through
	// a second connection to the file.
	s2 := mustOpen(t, open)
	defer s2.Close()
	n, err := s2.RecoverSending(ctx, t0)
	if err != nil || n != 2 {
		t.Fatalf("RecoverSending = %d, %v; want 2", n, err)
	}
	var unknown []string
	s2.Deliveries(ctx, "W1", digest.Unknown, func(d digest.Delivery) error { unknown = append(unknown, d.Email+" "+d.MessageID); return nil })
	if fmt.Sprint(unknown) != "[r000@example.com <0@x> r001@example.com <1@x>]" {
		t.Fatalf("unknown = %v", unknown)
	}
	// Unknown rows are not due, and do not keep the issue open.
	if due, _ := s2.Due(ctx, "W1", "", t0, 10); len(due) != 2 {
		t.Errorf("due = %d rows, want the 2 never tried", len(due))
	}
	if n, err := s2.RequeueUnknown(ctx, "W1", t0); err != nil || n != 2 {
		t.Fatalf("RequeueUnknown = %d, %v", n, err)
	}
	d, _ := s2.Delivery(ctx, "W1", "r001@example.com")
	if d.State != digest.Pending || d.MessageID != "<1@x>" {
		t.Errorf("requeued row = %+v", d)
	}
}

func testLedgerResumeKeepsState(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	rs := recipients(4)
	s.AddRecipients(ctx, "W1", 1, rs, t0)
	mustApply(t, s, "W1",
		digest.Change{Email: rs[0].Email, From: digest.Pending, To: digest.Sending},
		digest.Change{Email: rs[0].Email, From: digest.Sending, To: digest.Sent},
	)
	// Run 2: r001 left the file, r000 (sent) and r002 stay with a new name,
	// r003 is in the file with other case, and a newcomer joins.
	rs2 := []digest.Recipient{rs[0], {Email: rs[2].Email, Name: "New Name"}, {Email: "R003@example.com"}, {Email: "new@example.com"}}
	n, err := s.AddRecipients(ctx, "W1", 2, rs2, t0)
	if err != nil || n != 1 {
		t.Fatalf("AddRecipients = %d, %v; want 1 new", n, err)
	}
	if n, err := s.SkipUnlisted(ctx, "W1", 2, t0); err != nil || n != 1 {
		t.Fatalf("SkipUnlisted = %d, %v; want 1", n, err)
	}
	want := map[string]string{rs[0].Email: digest.Sent, rs[1].Email: digest.Skipped, rs[2].Email: digest.Pending, rs[3].Email: digest.Pending, "new@example.com": digest.Pending}
	for email, st := range want {
		d, err := s.Delivery(ctx, "W1", email)
		if err != nil || d.State != st {
			t.Errorf("%s: %+v, %v; want %s", email, d, err, st)
		}
	}
	if d, _ := s.Delivery(ctx, "W1", rs[2].Email); d.Name != "New Name" {
		t.Errorf("name = %q, want the file's", d.Name)
	}
	// Back in the file: skipped becomes pending again.
	s.AddRecipients(ctx, "W1", 3, []digest.Recipient{rs[1]}, t0)
	if d, _ := s.Delivery(ctx, "W1", rs[1].Email); d.State != digest.Pending {
		t.Errorf("returning subscriber: %s", d.State)
	}
}

func testLedgerSuppressedAtTheirTurn(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	s.AddRecipients(ctx, "W1", 1, recipients(2), t0)
	s.Suppress(ctx, "R000@example.com", "unsubscribed", t0)
	ok := mustApply(t, s, "W1",
		digest.Change{Email: "r000@example.com", From: digest.Pending, To: digest.Sending},
		digest.Change{Email: "r001@example.com", From: digest.Pending, To: digest.Sending},
	)
	if ok[0] || !ok[1] {
		t.Fatalf("applied %v", ok)
	}
	if d, _ := s.Delivery(ctx, "W1", "r000@example.com"); d.State != digest.Skipped {
		t.Errorf("suppressed row is %s, want skipped", d.State)
	}
}

func testLedgerBounces(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	// A refusal that is the relay's policy, not the address's, never counts.
	for i := range digest.BounceLimit + 1 {
		issue := fmt.Sprintf("P%d", i)
		s.AddRecipients(ctx, issue, 1, []digest.Recipient{{Email: "gone@example.com"}}, t0)
		mustApply(t, s, issue,
			digest.Change{Email: "gone@example.com", From: digest.Pending, To: digest.Sending},
			digest.Change{Email: "gone@example.com", From: digest.Sending, To: digest.Failed, Code: 554, Response: "554 5.7.1 relaying denied"},
		)
	}
	for i := 1; i <= digest.BounceLimit; i++ {
		issue := fmt.Sprintf("W%d", i)
		s.AddRecipients(ctx, issue, 1, []digest.Recipient{{Email: "gone@example.com"}}, t0)
		mustApply(t, s, issue,
			digest.Change{Email: "gone@example.com", From: digest.Pending, To: digest.Sending},
			digest.Change{Email: "gone@example.com", From: digest.Sending, To: digest.Failed, Code: 550, Response: "550 5.1.1 no such user", Bounce: true},
		)
		sup, _ := s.IsSuppressed(ctx, "gone@example.com")
		if want := i == digest.BounceLimit; sup != want {
			t.Fatalf("after %d bounces suppressed = %v, want %v", i, sup, want)
		}
	}
	sps, _ := s.Suppressions(ctx)
	if len(sps) != 1 || sps[0].Reason != "bounced" {
		t.Errorf("suppressions = %+v", sps)
	}
}

func testLedgerBatches(t *testing.T, open Opener) {
	ctx := context.Background()
	s := mustOpen(t, open)
	s.AddRecipients(ctx, "W1", 1, recipients(250), t0)
	s.AddRecipients(ctx, "W2", 1, recipients(7), t0)
	seen, after := 0, ""
	for {
		b, err := s.Due(ctx, "W1", after, t0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			break
		}
		for _, d := range b {
			if d.Email <= after {
				t.Fatalf("%s after %s", d.Email, after)
			}
			after = d.Email
			seen++
		}
	}
	if seen != 250 {
		t.Errorf("walked %d rows, want 250", seen)
	}
}

func testLockSend(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	release, err := s.LockSend()
	if err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, open)
	defer s2.Close()
	if _, err := s2.LockSend(); !errors.Is(err, digest.ErrSendLocked) {
		t.Fatalf("second lock: %v, want ErrSendLocked", err)
	}
	release()
	r2, err := s2.LockSend()
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	r2()
}
