// Package mailer delivers an issue's messages, over SMTP to a relay or into
// a Maildir, driven by the delivery ledger of package sqlite so that every
// recipient gets one copy whatever happens mid-send: a row is recorded
// sending before its message leaves, and the relay's answer right after.
package mailer

import (
	"context"
	"fmt"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
)

// Transport opens connections that deliver messages: to an SMTP relay, or
// into a Maildir.
type Transport interface {
	Open(ctx context.Context) (Conn, error)
	String() string // where messages go, for errors and logs
}

// Conn delivers messages one at a time; it is not safe for concurrent use.
type Conn interface {
	// Send hands msg over and says what became of it. handOver, unless
	// nil, is called at most once, at the last moment before the message
	// is handed over for good (before the final dot of DATA, before the
	// rename into new/), after everything that can be done ahead; if it
	// returns false the message is abandoned, undelivered. Once handed
	// over, a message is finished (bounded by the transport's timeouts)
	// so that its outcome can be recorded. An error means the transport
	// itself is broken and msg was not delivered: the run stops.
	Send(msg *email.Message, handOver func() bool) (Result, error)
	// Close ends the connection: politely when it is healthy, at once
	// when it is not.
	Close() error
}

// SendOne delivers a single message over a connection of its own: for the
// odd message outside a run (a confirmation mail, send --to).
func SendOne(ctx context.Context, tr Transport, msg *email.Message) (Result, error) {
	conn, err := tr.Open(ctx)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	return conn.Send(msg, nil)
}

// Outcome is what became of one message.
type Outcome int

const (
	Delivered Outcome = iota // the relay accepted it (2xx), or it is in the Maildir
	Temporary                // worth trying again later: 4xx, dropped connection, timeout
	Permanent                // refused for good: 5xx
	// Unknown is a message handed over (the final dot written) with no
	// answer after: the relay may have queued it, so it is not sent again
	// unless asked.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Temporary:
		return "temporary failure"
	case Permanent:
		return "permanent failure"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is the outcome of one message with the relay's answer.
type Result struct {
	Outcome  Outcome
	Code     int    // SMTP reply code: 250 when delivered, 0 when the relay gave none
	Response string // the relay's answer, or what went wrong
	// Bounce is set for a permanent failure where the relay refused the
	// recipient's address itself (no such mailbox), as opposed to the
	// message or the sender; enough of those suppress the address.
	Bounce bool
	// Reconnect is set when the connection is no longer fit for another
	// message.
	Reconnect bool
}

// PasswordEnv holds the relay's password: never in the configuration file.
const PasswordEnv = "DIGEST_SMTP_PASSWORD"

// FromConfig is where the configuration sends mail: the relay of its smtp
// setting, with the password from getenv(PasswordEnv), or the outbox
// Maildir without one.
func FromConfig(cfg *digest.Config, getenv func(string) string) (Transport, error) {
	if cfg.SMTP == nil {
		return &Maildir{Dir: cfg.Outbox}, nil
	}
	c := *cfg.SMTP
	if c.Username != "" {
		if c.Password = getenv(PasswordEnv); c.Password == "" {
			return nil, fmt.Errorf("smtp.username is %q but %s is empty: the relay's password comes from the environment", c.Username, PasswordEnv)
		}
	}
	return &SMTP{Config: c, ReturnPath: cfg.ReturnPath}, nil
}
