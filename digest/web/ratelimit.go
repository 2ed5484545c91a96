package web

import (
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"

	"golang.org/x/time/rate"
)

// Rate is a token bucket: Burst requests at once, then one per Every.
type Rate = digest.Rate

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
	d := l.reserve(key, now, false)
	return d == 0, d
}

// wait is how long until key's bucket has a token, taking none.
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0
	}
	if t := b.TokensAt(now); t < 1 {
		return time.Duration((1 - t) * float64(l.rate.Every))
	}
	return 0
}

// take takes a token from key's bucket, ahead of time if need be, and
// says how long to wait before using it.
func (l *limiter) take(key string, now time.Time) time.Duration {
	return l.reserve(key, now, true)
}

// reserve takes a token at now and returns 0, or returns how long until one
// is there: with ahead, having taken it all the same.
func (l *limiter) reserve(key string, now time.Time, ahead bool) time.Duration {
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
		return l.rate.Every
	}
	d := r.DelayFrom(now)
	if d > 0 && !ahead {
		r.CancelAt(now)
	}
	return d
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
