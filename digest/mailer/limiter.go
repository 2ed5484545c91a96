package mailer

import (
	"context"

	"golang.org/x/time/rate"
)

// Limiter spaces messages evenly to at most a given rate, shared by every
// worker of a run. A nil *Limiter does not limit.
type Limiter struct {
	r *rate.Limiter
}

// NewLimiter returns a limiter of perSecond messages a second, or nil (no
// limit) when perSecond is not positive.
func NewLimiter(perSecond float64) *Limiter {
	if perSecond <= 0 {
		return nil
	}
	// A burst of one: an idle limiter saves up no messages to send at once.
	return &Limiter{r: rate.NewLimiter(rate.Limit(perSecond), 1)}
}

// Wait blocks until the caller may send one message, or ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	return l.r.Wait(ctx)
}
