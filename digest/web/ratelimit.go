package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a token bucket: Burst requests at once, then one per Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// limiter keeps a bucket per key (a client address), forgetting full ones
// so that memory stays bounded under a flood of addresses.
type limiter struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// maxBuckets is how many keys a limiter tracks before it sweeps.
const maxBuckets = 10000

func newLimiter(r Rate) *limiter {
	return &limiter{rate: r, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token from key's bucket at now, or says how long until one
// is there.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = rate.NewLimiter(rate.Every(l.rate.Every), l.rate.Burst) // full
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() { // a burst of 0
		return false, l.rate.Every
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets the buckets that have filled up again: they behave as new
// ones. If a flood leaves none full, it forgets them all rather than grow.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
