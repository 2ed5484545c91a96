package web

import (
	"sync"
	"time"
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
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets is how many keys a limiter tracks before it sweeps.
const maxBuckets = 10000

func newLimiter(r Rate) *limiter {
	return &limiter{rate: r, buckets: map[string]*bucket{}}
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
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.rate.Every))
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if l.rate.Every > 0 && now.After(b.last) {
		b.tokens += float64(now.Sub(b.last)) / float64(l.rate.Every)
		b.tokens = min(b.tokens, float64(l.rate.Burst))
	}
	if now.After(b.last) {
		b.last = now
	}
}

// sweep forgets the buckets that have filled up again: they behave as new
// ones. If a flood leaves none full, it forgets them all rather than grow.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
