package digest

import (
	"context"
	"errors"
	"sync"
	"time"
)

// HoldLease keeps l renewed, every third of its TTL, until stop is called,
// which also releases it. The returned context is ctx, cancelled if the
// lease is lost, so that work done under it stops rather than run alongside
// the new holder.
func HoldLease(ctx context.Context, l Lease, now func() time.Time) (held context.Context, stop func()) {
	held, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(l.TTL() / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-held.Done():
				return
			case <-t.C:
				if err := l.Renew(context.WithoutCancel(ctx), now()); errors.Is(err, ErrLeaseLost) {
					cancel(err)
					return
				}
			}
		}
	})
	var once sync.Once
	return held, func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			l.Release(context.WithoutCancel(ctx))
			cancel(nil)
		})
	}
}
