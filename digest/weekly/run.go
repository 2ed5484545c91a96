package weekly

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// leaseTTL is how long a lease lasts unless renewed; a holder that died
// frees it after this.
const leaseTTL = 2 * time.Minute

// Run is the weekly run of `digest serve` scheduled at at: it builds (or
// refreshes) the issue of that week as of at, publishes it and mails it,
// holding the state's lease so that no other instance runs it at the same
// time. A run caught up late mails the issue it would have mailed on time,
// never a stale one.
func (n *Newsletter) Run(ctx context.Context, at time.Time, clock func() time.Time) (digest.Run, error) {
	lease, err := n.State.Acquire(ctx, "weekly-run", instanceID(), leaseTTL, clock())
	if err != nil {
		return digest.Run{}, err
	}
	ctx, release := digest.HoldLease(ctx, lease, clock)
	defer release()

	res, err := n.Build(ctx, at)
	if err != nil {
		return digest.Run{}, err
	}
	is := res.issue
	if is == nil {
		n.logf("%s", res.Why)
		return digest.Run{Outcome: digest.RunNoIssue, Detail: res.Why}, nil
	}
	if want := digest.IssueID(at, n.zone()); is.ID != want {
		return digest.Run{Outcome: digest.RunSkipped, Issue: is.ID,
			Detail: fmt.Sprintf("the issue built is %s, not this run's %s: not sent", is.ID, want)}, nil
	}
	if err := n.checkRealSend(); err != nil {
		return digest.Run{}, err
	}
	now := clock()
	unlock, err := n.lockSend(ctx, now)
	if err != nil {
		return digest.Run{}, err
	}
	defer unlock()
	rep, err := n.send(ctx, now, is, SendOptions{}, false)
	if err != nil {
		if rep != nil {
			err = fmt.Errorf("%w (%s)", err, rep.Summary())
		}
		return digest.Run{}, err
	}
	return digest.Run{Outcome: digest.RunSent, Issue: is.ID, Detail: rep.Summary()}, nil
}

// lock takes the lease name, waiting while another process holds it, and
// returns its release. Leases run on the real clock, whatever --now says:
// they coordinate processes, not issues.
func (n *Newsletter) lock(ctx context.Context, name string) (release func(), err error) {
	told := false
	for {
		lease, err := n.State.Acquire(ctx, name, instanceID(), leaseTTL, time.Now())
		if err == nil {
			_, stop := digest.HoldLease(ctx, lease, time.Now)
			return stop, nil
		}
		if !errors.Is(err, digest.ErrLeaseHeld) {
			return nil, err
		}
		if !told {
			n.logf("another digest %s is running on this state (%v): waiting for it", name, err)
			told = true
		}
		t := time.NewTimer(500 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for another digest %s: %w", name, ctx.Err())
		case <-t.C:
		}
	}
}

var instanceOnce = sync.OnceValue(func() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
})

// instanceID names this process in leases.
func instanceID() string { return instanceOnce() }

// DisplayPath shortens an absolute path to one relative to the current
// folder when it lies below it, as the owner would type it.
func DisplayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
