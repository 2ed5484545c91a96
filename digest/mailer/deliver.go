package mailer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
)

// ErrInterrupted is returned by Deliver when its context was cancelled: the
// run stopped taking messages, finished those in flight, and recorded them.
var ErrInterrupted = errors.New("interrupted")

// ErrRelayRefusing is returned by Deliver when the relay refused so many
// messages in a row, for reasons not about the recipients, that the fault
// must be the relay's or the configuration's (relaying denied,
// authentication required, sender refused). The run stops, and the rows it
// refused are made pending again, for a run after the fault is fixed.
var ErrRelayRefusing = errors.New("the relay refuses every message")

// refusalLimit is how many permanent failures in a row, none of them about
// the address, stop a run with ErrRelayRefusing.
const refusalLimit = 10

// Job is one run delivering an issue from its ledger. The pending rows of
// Issue are sent; rows in any other state are left as they are.
type Job struct {
	Issue     string
	Ledger    digest.Ledger
	Transport Transport
	// Compose makes the message of a row; email.ErrNothingForSubscriber
	// skips the row, any other error stops the run.
	Compose     func(digest.Delivery) (*email.Message, error)
	Concurrency int      // connections (workers); at least 1
	Limiter     *Limiter // shared by the workers; nil for no limit
	Retries     int      // tries after the first for a temporary failure
	// Backoff is the wait before try n+1 after n failed; nil means
	// Backoff.
	Backoff func(n int) time.Duration
	Clock   func() time.Time // nil means time.Now
	// OnResult, when set, is told of every row settled or put back to wait,
	// one call at a time.
	OnResult func(Event)
}

// Event is what became of one row.
type Event struct {
	Email    string
	State    string // the row's new state: sent, failed, unknown, pending (to retry), skipped
	Attempts int    // tries so far, this one included
	Result   Result
}

// Stats counts what a run did.
type Stats struct {
	Sent    int // accepted by the relay, or written to the Maildir
	Failed  int // refused for good, or given up after the retries
	Skipped int // composed to nothing (no items for the subscriber's tags) or suppressed
	Retried int // temporary failures put back to wait
	Unknown int // handed over with no answer after: the relay may have them
}

// Backoff is the default wait before try n+1: 1 s doubling to 5 min, with a
// tenth of jitter so that retries of many rows do not come back in step.
func Backoff(n int) time.Duration {
	d := time.Second << min(max(n-1, 0), 9)
	d = min(d, 5*time.Minute)
	return d + rand.N(d/10+1)
}

// Deliver sends the pending messages of the job's issue until none is left
// (waiting for those set to be retried), the context is cancelled, or a
// fault stops it.
//
// For every message it records the row sending, durably, before handing the
// message over, and sent, failed or pending (to retry) after the answer. A
// worker's answer is committed together with, or before, its next row's
// sending mark, so at any moment at most Concurrency rows are sending on
// disk: if the process dies, no more than that many recipients are left in
// doubt. Cancelling ctx stops taking rows; messages in flight are finished
// and recorded, and Deliver returns ErrInterrupted.
func Deliver(ctx context.Context, j Job) (Stats, error) {
	if j.Concurrency < 1 {
		j.Concurrency = 1
	}
	if j.Backoff == nil {
		j.Backoff = Backoff
	}
	if j.Clock == nil {
		j.Clock = time.Now
	}
	e := &engine{
		Job:     j,
		db:      context.WithoutCancel(ctx), // answers are recorded even after a cancel
		rows:    make(chan digest.Delivery),
		commits: make(chan commit, 4*j.Concurrency),
	}
	e.ctx, e.stop = context.WithCancelCause(ctx)
	defer e.stop(nil)

	committed := make(chan struct{})
	go func() { e.committer(); close(committed) }()
	var workers sync.WaitGroup
	for range j.Concurrency {
		workers.Add(1)
		go func() { defer workers.Done(); e.worker() }()
	}
	if err := e.dispatch(); err != nil {
		e.fail(err)
	}
	workers.Wait()
	if e.refused != nil {
		e.takeBackRefused()
	}
	close(e.commits)
	<-committed

	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.err != nil:
		return e.stats, e.err
	case ctx.Err() != nil:
		return e.stats, fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
	}
	return e.stats, nil
}

type engine struct {
	Job
	ctx  context.Context // cancelled on interrupt or fault: take no more rows
	stop context.CancelCauseFunc
	db   context.Context // for the ledger: never cancelled

	rows    chan digest.Delivery // dispatcher → workers
	handed  sync.WaitGroup       // rows handed to workers and not yet settled
	commits chan commit          // workers → committer

	mu      sync.Mutex // guards what follows, and serialises OnResult
	stats   Stats
	err     error           // the first fault
	streak  []digest.Change // permanent failures in a row not about the address
	refused []digest.Change // the streak that stopped the run
}

// commit is changes for the committer; done, when set, gets the outcome.
type commit struct {
	changes []digest.Change
	done    chan commitResult
}

type commitResult struct {
	applied []bool
	err     error
}

// fail stops the run for err (the first fault wins).
func (e *engine) fail(err error) {
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	e.mu.Unlock()
	e.stop(err)
}

// committer applies the changes sent to it in order, each burst of them in
// one transaction: a worker waiting for its sending mark shares the disk
// sync with every answer queued before it.
//
// A burst with some but not all workers waiting lingers, for up to half as
// long as the last commit took, for the others' marks: each worker waits for
// one commit per message, and four marks in one disk sync go twice as far as
// two syncs of two (a worker that just misses a commit waits for all of it
// and then its own).
func (e *engine) committer() {
	var broken error
	var took time.Duration // the last commit
	for c := range e.commits {
		var batch []commit
		waiting := 0 // workers waiting for this commit
		add := func(c commit) {
			batch = append(batch, c)
			if c.done != nil {
				waiting++
			}
		}
		add(c)
		var linger *time.Timer
	more:
		for len(batch) < 256 {
			select {
			case c, ok := <-e.commits:
				if !ok {
					break more
				}
				add(c)
				continue
			default:
			}
			if waiting == 0 || waiting >= e.Concurrency || took <= 0 {
				break
			}
			if linger == nil {
				linger = time.NewTimer(took / 2)
			}
			select {
			case c, ok := <-e.commits:
				if !ok {
					break more
				}
				add(c)
			case <-linger.C:
				break more
			}
		}
		if linger != nil {
			linger.Stop()
		}
		start := time.Now()
		var all []digest.Change
		for _, c := range batch {
			all = append(all, c.changes...)
		}
		applied, err := []bool(nil), broken
		if err == nil {
			applied, err = e.Ledger.Apply(e.db, e.Issue, all, e.Clock())
			took = time.Since(start)
			if err != nil {
				// Rows left sending stay so on disk: the next run reports
				// them unknown, which is the truth.
				broken = err
				e.fail(err)
			}
		}
		i := 0
		for _, c := range batch {
			if c.done != nil {
				r := commitResult{err: err}
				if err == nil {
					r.applied = applied[i : i+len(c.changes)]
				}
				c.done <- r
			}
			i += len(c.changes)
		}
	}
}

// record queues changes for the next commit without waiting for it.
func (e *engine) record(cs ...digest.Change) {
	e.commits <- commit{changes: cs}
}

// commitNow commits changes, with everything queued before them, and waits
// until they are on disk.
func (e *engine) commitNow(cs ...digest.Change) ([]bool, error) {
	r := <-e.commitAsync(cs...)
	return r.applied, r.err
}

// commitAsync queues changes for the next commit and returns where its
// outcome will be told, once they are on disk (or the commit failed).
func (e *engine) commitAsync(cs ...digest.Change) <-chan commitResult {
	done := make(chan commitResult, 1)
	e.commits <- commit{changes: cs, done: done}
	return done
}

// dispatch hands the due pending rows to the workers, a batch read at a
// time, in passes over the ledger; between passes it waits for rows set to
// be retried. It returns when none is pending, or the run stops.
func (e *engine) dispatch() error {
	defer close(e.rows)
	after := ""
	for {
		if e.ctx.Err() != nil {
			return nil
		}
		batch, err := e.Ledger.Due(e.db, e.Issue, after, e.Clock(), 256)
		if err != nil {
			return err
		}
		for _, d := range batch {
			e.handed.Add(1)
			select {
			case e.rows <- d:
			case <-e.ctx.Done():
				e.handed.Done()
				return nil
			}
			after = d.Email
		}
		if len(batch) > 0 {
			continue
		}
		// End of a pass. Rows handed out may come back pending: wait until
		// they are settled and their changes are on disk before looking.
		e.handed.Wait()
		if _, err := e.commitNow(); err != nil {
			return err
		}
		after = ""
		next, ok, err := e.Ledger.NextDue(e.db, e.Issue)
		if err != nil || !ok {
			return err
		}
		if wait := next.Sub(e.Clock()); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-e.ctx.Done():
				t.Stop()
				return nil
			}
		}
	}
}

// worker delivers the rows it is handed over its own connection, opened on
// first need and again after a failure.
func (e *engine) worker() {
	var conn Conn
	for d := range e.rows {
		conn = e.deliver(d, conn)
		e.handed.Done()
	}
	if conn != nil {
		conn.Close()
	}
}

// deliver sends the message of row d over conn (opening one when nil) and
// returns the connection to use next, nil when it had to be dropped.
func (e *engine) deliver(d digest.Delivery, conn Conn) Conn {
	if e.ctx.Err() != nil {
		return conn
	}
	msg, err := e.Compose(d)
	if errors.Is(err, email.ErrNothingForSubscriber) {
		e.record(digest.Change{Email: d.Email, From: digest.Pending, To: digest.Skipped, Response: err.Error()})
		e.settled(d, digest.Skipped, Result{Response: err.Error()})
		return conn
	}
	if err != nil {
		e.fail(fmt.Errorf("compose the message to %s: %w", d.Email, err))
		return conn
	}
	if conn == nil {
		if conn, err = e.open(); err != nil {
			if e.ctx.Err() == nil {
				e.fail(err)
			}
			return nil
		}
	}
	if err := e.Limiter.Wait(e.ctx); err != nil {
		return conn
	}

	// The sending mark must be on disk before the message is handed over.
	// It is committed while the transport does all it can ahead (the
	// envelope, the message but for its final dot), and waited for only at
	// the last moment.
	mark := e.commitAsync(digest.Change{
		Email: d.Email, From: digest.Pending, To: digest.Sending, MessageID: msg.MessageID, Attempts: 1,
	})
	marked, waited, stopped := false, false, false
	wait := func() bool {
		waited = true
		r := <-mark
		marked = r.err == nil && r.applied[0]
		// Stopped while waiting: hand nothing more over.
		stopped = marked && e.ctx.Err() != nil
		return marked && !stopped
	}
	res, err := conn.Send(msg, wait)
	if !waited {
		// It never came to handing over (the relay refused the envelope,
		// say): the answer stands, stopped or not, once the mark is known.
		wait()
		stopped = false
	}

	switch {
	case !marked:
		// The store failed (the run stops), or the row was taken or
		// suppressed meanwhile: the message was abandoned or never got
		// that far, and the row is not this run's to record.
	case err != nil || stopped:
		// Not handed over: the transport broke before it could be, or the
		// run was stopped. The row waits for the next run.
		resp := d.Response
		if err != nil {
			resp = oneLine(err.Error())
		}
		e.record(digest.Change{Email: d.Email, From: digest.Sending, To: digest.Pending, Attempts: -1,
			NextTry: d.NextTry, Code: d.Code, Response: resp})
	default:
		e.settle(d, res)
	}
	if err != nil {
		e.fail(err)
		conn.Close()
		return nil
	}
	if res.Reconnect {
		conn.Close()
		return nil
	}
	return conn
}

// open connects, trying a few times before giving up on the transport.
func (e *engine) open() (Conn, error) {
	var err error
	for n := range 3 {
		if n > 0 {
			t := time.NewTimer(e.Backoff(n))
			select {
			case <-t.C:
			case <-e.ctx.Done():
				t.Stop()
				return nil, e.ctx.Err()
			}
		}
		var c Conn
		if c, err = e.Transport.Open(e.ctx); err == nil {
			return c, nil
		}
		if e.ctx.Err() != nil {
			return nil, e.ctx.Err()
		}
	}
	return nil, err
}

// settle records the answer to a message that was handed over.
func (e *engine) settle(d digest.Delivery, r Result) {
	tries := d.Attempts + 1
	c := digest.Change{Email: d.Email, From: digest.Sending, Code: r.Code, Response: r.Response}
	switch {
	case r.Outcome == Delivered:
		c.To = digest.Sent
	case r.Outcome == Unknown:
		// The relay may have queued it: never retried on its own.
		c.To = digest.Unknown
	case r.Outcome == Permanent:
		c.To, c.Bounce = digest.Failed, r.Bounce
	case tries > e.Retries:
		c.To = digest.Failed
		c.Response = fmt.Sprintf("gave up after %d tries: %s", tries, r.Response)
	default:
		c.To, c.NextTry = digest.Pending, e.Clock().Add(e.Backoff(tries))
	}
	e.record(c)

	// A refusal counts toward the streak only when the relay refused:
	// one that never asked it (an address it could not take) says nothing
	// about the relay.
	refusal := c.To == digest.Failed && r.Outcome == Permanent && !r.Bounce && r.Code != 0
	e.mu.Lock()
	switch {
	case c.To == digest.Sent:
		e.streak = e.streak[:0]
	case refusal && e.refused != nil:
		e.refused = append(e.refused, c) // in flight when the run stopped
	case refusal:
		e.streak = append(e.streak, c)
		if len(e.streak) >= refusalLimit {
			e.refused = append([]digest.Change(nil), e.streak...)
			err := fmt.Errorf("%w: %d messages in a row refused, the last with %q; check the smtp settings (they are left pending)",
				ErrRelayRefusing, len(e.refused), r.Response)
			if e.err == nil {
				e.err = err
			}
			e.stop(err)
		}
	}
	e.mu.Unlock()
	e.settled(d, c.To, r)
}

// settled counts a row's new state and tells OnResult.
func (e *engine) settled(d digest.Delivery, state string, r Result) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch state {
	case digest.Sent:
		e.stats.Sent++
	case digest.Failed:
		e.stats.Failed++
	case digest.Skipped:
		e.stats.Skipped++
	case digest.Unknown:
		e.stats.Unknown++
	case digest.Pending:
		e.stats.Retried++
	}
	if e.OnResult != nil {
		e.OnResult(Event{Email: d.Email, State: state, Attempts: d.Attempts + 1, Result: r})
	}
}

// takeBackRefused makes the rows of the refusal streak that stopped the run
// pending again: the fault was not theirs.
func (e *engine) takeBackRefused() {
	var cs []digest.Change
	for _, f := range e.refused {
		cs = append(cs, digest.Change{Email: f.Email, From: digest.Failed, To: digest.Pending,
			Code: f.Code, Response: f.Response})
	}
	if _, err := e.commitNow(cs...); err == nil {
		e.mu.Lock()
		e.stats.Failed -= len(cs)
		e.mu.Unlock()
	}
}
