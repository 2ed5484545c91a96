package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/text"
	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTP is a relay reached with go-mail: the TLS policy, authentication and
// timeout of the smtp: setting.
type SMTP struct {
	Config digest.SMTP
	// TLSConfig, when set, replaces the default (verify the relay's
	// certificate for Config.Host).
	TLSConfig *tls.Config
	// ReturnPath, when set, is the envelope sender (MAIL FROM) in place of
	// the From address, VERP-tagged per recipient (digest.VERP), so that
	// a bounce names its reader.
	ReturnPath string
}

func (s *SMTP) String() string {
	return "smtp://" + net.JoinHostPort(s.Config.Host, strconv.Itoa(s.Config.Port))
}

// client returns a go-mail client configured for the relay. Each worker has
// its own: a go-mail Client holds one connection at a time.
func (s *SMTP) client() (*mail.Client, error) {
	c := s.Config
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(s.timeouts().command)}
	if c.Helo != "" {
		opts = append(opts, mail.WithHELO(c.Helo))
	}
	switch c.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(s.TLSConfig))
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	cl, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	return cl, nil
}

// Open connects to the relay: greeting, STARTTLS or TLS, AUTH.
func (s *SMTP) Open(ctx context.Context) (Conn, error) {
	cl, err := s.client()
	if err != nil {
		return nil, err
	}
	c := &smtpConn{relay: s, client: cl, timeouts: s.timeouts()}
	if err := c.dial(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// timeouts are the waits of RFC 5321 §4.5.3.2, from the smtp: setting.
type timeouts struct {
	command time.Duration // connecting, the greeting, each command's reply
	data    time.Duration // each write of a message's data
	final   time.Duration // the reply to the final dot
}

func (s *SMTP) timeouts() timeouts {
	or := func(d, def time.Duration) time.Duration {
		if d <= 0 {
			return def
		}
		return d
	}
	c := s.Config
	return timeouts{
		command: or(c.Timeout, 30*time.Second),
		data:    or(c.DataTimeout, 3*time.Minute),
		final:   or(c.FinalTimeout, 10*time.Minute),
	}
}

// smtpConn is one connection to the relay, reused for message after
// message until it fails.
//
// go-mail dials it (TLS, AUTH); the mail transactions are driven here, on
// go-mail's SMTP client, because a run needs what go-mail's Send cannot
// give: the message held back before its final dot until the ledger has it
// on disk as sending, the commands pipelined (RFC 2920) when the relay
// offers it, and no NOOP before and RSET after every message.
type smtpConn struct {
	relay      *SMTP
	client     *mail.Client
	timeouts   timeouts
	sc         *smtp.Client
	pipelining bool // the relay offers PIPELINING
	utf8       bool // the relay offers SMTPUTF8
	broken     bool
}

func (c *smtpConn) dial(ctx context.Context) error {
	sc, err := c.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", c.relay, err)
	}
	c.sc, c.broken = sc, false
	c.pipelining, _ = sc.Extension("PIPELINING")
	c.utf8, _ = sc.Extension("SMTPUTF8")
	return nil
}

func (c *smtpConn) Send(m *email.Message, handOver func() bool) (Result, error) {
	handed := false
	once := func() bool {
		handed = true
		return handOver == nil || handOver()
	}
	r, retry := c.send(m, once)
	if retry && !handed {
		// The connection was found dead before the message could be
		// handed over (the relay closed it while it was idle, say):
		// nothing of it was delivered. Connect again and send once more,
		// inside the same try.
		if c.sc != nil {
			c.sc.Close()
		}
		if err := c.dial(context.Background()); err != nil {
			c.broken = true
			return Result{Outcome: Temporary, Response: oneLine(err.Error()), Reconnect: true}, nil
		}
		r, _ = c.send(m, once)
	}
	if r.Reconnect {
		c.broken = true
	}
	return r, nil
}

// wire holds a message's bytes while it is written, so that each is
// written with one system call into a buffer reused from message to message.
var wire = sync.Pool{New: func() any { return new([]byte) }}

// send runs one mail transaction. retry reports a connection found broken
// before the final dot, when nothing was delivered.
func (c *smtpConn) send(m *email.Message, handOver func() bool) (r Result, retry bool) {
	if c.sc == nil || !c.sc.HasConnection() {
		return Result{Outcome: Temporary, Response: "no connection", Reconnect: true}, true
	}
	from := m.From
	if c.relay.ReturnPath != "" {
		from = digest.VERP(c.relay.ReturnPath, m.To)
	}
	if strings.ContainsAny(from+m.To, "\r\n<>") {
		return Result{Outcome: Permanent, Response: fmt.Sprintf("invalid envelope address %q or %q", from, m.To)}, false
	}
	mailCmd := "MAIL FROM:<" + from + ">"
	if !text.IsASCII(from) || !text.IsASCII(m.To) {
		if !c.utf8 {
			return Result{Outcome: Permanent, Response: "the relay does not take addresses that are not ASCII (no SMTPUTF8)"}, false
		}
		mailCmd += " SMTPUTF8"
	}
	if err := c.sc.UpdateDeadline(c.timeouts.command); err != nil {
		return Result{Outcome: Temporary, Response: oneLine(err.Error()), Reconnect: true}, true
	}
	t := c.sc.Text
	steps := []struct {
		cmd    string
		expect int
	}{{mailCmd, 250}, {"RCPT TO:<" + m.To + ">", 25}, {"DATA", 354}}

	// The envelope: MAIL, RCPT and DATA in one write when pipelining, else
	// one after the other; each reply is read, the first failure decides.
	var failed error
	var failedAt int
	dataOpen := false
	send := func(from, to int) error {
		for _, st := range steps[from:to] {
			t.W.WriteString(st.cmd)
			t.W.WriteString("\r\n")
		}
		if err := t.W.Flush(); err != nil {
			return err
		}
		for i := from; i < to; i++ {
			_, _, err := t.ReadResponse(steps[i].expect)
			var te *textproto.Error
			switch {
			case err == nil:
				dataOpen = i == 2
			case errors.As(err, &te):
				if failed == nil {
					failed, failedAt = err, i
				}
			default:
				return err // no reply: the connection is gone
			}
		}
		return nil
	}
	var err error
	if c.pipelining {
		err = send(0, 3)
	} else {
		for i := 0; i < 3 && err == nil && failed == nil; i++ {
			err = send(i, i+1)
		}
	}
	if err != nil {
		return Result{Outcome: Temporary, Response: oneLine(err.Error()), Reconnect: true}, true
	}
	if failed != nil {
		r := replyResult(failed)
		r.Bounce = r.Outcome == Permanent && failedAt == 1 && isMailboxError(r.Code, r.Response)
		if dataOpen {
			// A relay that opened DATA after refusing the envelope would
			// take the message for nobody; end the connection instead.
			r.Reconnect = true
		} else if !r.Reconnect {
			if _, _, err := c.cmd("RSET", 250); err != nil {
				r.Reconnect = true
			}
		}
		return r, false
	}

	// The message, dot-stuffed, whole but for the final dot.
	buf := wire.Get().(*[]byte)
	defer wire.Put(buf)
	*buf = m.AppendData((*buf)[:0])
	c.sc.UpdateDeadline(c.timeouts.data)
	_, err = t.W.Write(*buf)
	if err == nil {
		err = t.W.Flush()
	}
	if err != nil {
		return Result{Outcome: Temporary, Response: oneLine(err.Error()), Reconnect: true}, true
	}
	if !handOver() {
		// Not to be delivered after all: without the dot the relay
		// discards it when the connection ends.
		return Result{Outcome: Temporary, Response: "abandoned before the end of DATA", Reconnect: true}, false
	}
	// The wait for the ledger does not count against the relay's time.
	c.sc.UpdateDeadline(c.timeouts.command)
	t.W.WriteString(".\r\n")
	if err := t.W.Flush(); err != nil {
		// The dot never left: without it the relay cannot have taken
		// the message.
		return Result{Outcome: Temporary, Response: oneLine(err.Error()), Reconnect: true}, false
	}
	// From here the outcome is the relay's: it may have queued the
	// message, so only its reply can say it did not.
	c.sc.UpdateDeadline(c.timeouts.final)
	_, msg, err := t.ReadResponse(250)
	if err != nil {
		return finalResult(err), false
	}
	return Result{Outcome: Delivered, Code: 250, Response: oneLine(msg)}, false
}

// finalResult says what a failed reply to the final dot means: a reply code
// decides as for any command, but no reply at all (late, lost with the
// connection, garbled) leaves the message in doubt.
func finalResult(err error) Result {
	if _, ok := errors.AsType[*textproto.Error](err); ok {
		return replyResult(err)
	}
	return Result{Outcome: Unknown, Response: "no reply to the end of the data: " + oneLine(err.Error()), Reconnect: true}
}

// cmd sends one command and reads its reply.
func (c *smtpConn) cmd(line string, expect int) (int, string, error) {
	t := c.sc.Text
	t.W.WriteString(line + "\r\n")
	if err := t.W.Flush(); err != nil {
		return 0, "", err
	}
	return t.ReadResponse(expect)
}

func (c *smtpConn) Close() error {
	if c.sc == nil {
		return nil
	}
	if c.broken {
		return c.sc.Close()
	}
	err := c.client.CloseWithSMTPClient(c.sc)
	c.sc.Close()
	return err
}

// replyResult says what a failed command's error means. A reply code
// decides (4xx temporary, 5xx permanent); an error with no reply code is a
// dropped connection, a timeout or a TLS failure, all temporary.
func replyResult(err error) Result {
	r := Result{Response: oneLine(err.Error())}
	var te *textproto.Error
	if !errors.As(err, &te) {
		r.Outcome, r.Reconnect = Temporary, true
		return r
	}
	r.Code = te.Code
	switch {
	case r.Code >= 500:
		r.Outcome = Permanent
	case r.Code >= 400:
		r.Outcome = Temporary
		r.Reconnect = r.Code == 421 // the relay is closing the connection
	default:
		r.Outcome, r.Reconnect = Temporary, true
	}
	return r
}

// isMailboxError reports whether a permanent RCPT reply is about the address
// (no such user, bad domain) rather than a policy of the relay, such as
// relaying denied or authentication required, which says nothing about the
// subscriber. An enhanced status code in the reply decides ("550 5.1.1
// <a@b>: user unknown"); without one, the basic code does.
func isMailboxError(code int, text string) bool {
	for _, f := range strings.Fields(text) {
		if len(f) >= 5 && f[0] == '5' && f[1] == '.' {
			return strings.HasPrefix(f, "5.1.") || strings.HasPrefix(f, "5.2.1")
		}
	}
	return code == 550 || code == 551 || code == 553
}

// oneLine folds a multi-line server answer into one line for the ledger.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
