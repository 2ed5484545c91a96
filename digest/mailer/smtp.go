package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/digest-newsletter/digest/digest"
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
}

func (s *SMTP) String() string {
	return "smtp://" + net.JoinHostPort(s.Config.Host, strconv.Itoa(s.Config.Port))
}

// client returns a go-mail client configured for the relay. Each worker has
// its own: a go-mail Client holds one connection at a time.
func (s *SMTP) client() (*mail.Client, error) {
	c := s.Config
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(timeout)}
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
	c := &smtpConn{relay: s, client: cl}
	if err := c.dial(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// smtpConn is one connection to the relay, reused for message after
// message until it fails.
type smtpConn struct {
	relay  *SMTP
	client *mail.Client
	sc     *smtp.Client
	broken bool
}

func (c *smtpConn) dial(ctx context.Context) error {
	sc, err := c.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", c.relay, err)
	}
	c.sc, c.broken = sc, false
	return nil
}

func (c *smtpConn) Send(m *digest.Message) (Result, error) {
	r, notSent := c.send(m)
	if notSent {
		// The connection went stale while idle (the relay closed it, or
		// NOOP failed): nothing of this message left. Connect again and
		// send once more, inside the same try.
		c.sc.Close()
		if err := c.dial(context.Background()); err != nil {
			c.broken = true
			return Result{Outcome: Temporary, Response: oneLine(err.Error()), Reconnect: true}, nil
		}
		r, _ = c.send(m)
	}
	if r.Reconnect {
		c.broken = true
	}
	return r, nil
}

func (c *smtpConn) send(m *digest.Message) (Result, bool) {
	err := c.client.SendWithSMTPClient(c.sc, m.Msg)
	return Classify(m.Msg, err)
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

// Classify says what became of msg after go-mail's Send returned err, and
// whether nothing of it reached the relay because the connection was found
// dead before the first command.
//
// The message's own IsDelivered is the truth: a relay that accepted the data
// may still fail the RSET after it, and the message is delivered all the
// same. For the rest the SMTP reply code decides (4xx temporary, 5xx
// permanent); an error with no reply code is a dropped connection, a
// timeout or a TLS failure, all temporary, whatever go-mail's IsTemp says
// (it only looks for a leading '4').
func Classify(msg *mail.Msg, err error) (Result, bool) {
	if msg.IsDelivered() {
		return Result{
			Outcome:   Delivered,
			Code:      250,
			Response:  oneLine(msg.ServerResponse()),
			Reconnect: err != nil,
		}, false
	}
	if err == nil {
		return Result{Outcome: Temporary, Response: "not delivered, and no error given", Reconnect: true}, false
	}
	r := Result{Response: oneLine(err.Error())}
	var se *mail.SendError
	if !errors.As(err, &se) {
		r.Outcome, r.Reconnect = Temporary, true
		return r, false
	}
	r.Code = se.ErrorCode()
	switch se.Reason {
	case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
		// The message itself is wrong: trying again cannot help.
		r.Outcome = Permanent
		return r, false
	case mail.ErrConnCheck:
		r.Outcome, r.Reconnect = Temporary, true
		return r, true
	}
	switch {
	case r.Code >= 500:
		r.Outcome = Permanent
		r.Bounce = se.Reason == mail.ErrSMTPRcptTo && isMailboxError(r.Code, se.EnhancedStatusCode(), r.Response)
	case r.Code >= 400:
		r.Outcome = Temporary
		r.Reconnect = r.Code == 421 // the relay is closing the connection
	default:
		r.Outcome, r.Reconnect = Temporary, true
	}
	return r, false
}

// isMailboxError reports whether a permanent RCPT reply is about the address
// (no such user, bad domain) rather than a policy of the relay, such as
// relaying denied or authentication required, which says nothing about the
// subscriber.
func isMailboxError(code int, enhanced, text string) bool {
	if enhanced == "" {
		// Without ENHANCEDSTATUSCODES the relay may still have put one in
		// the text: "550 5.1.1 <a@b>: user unknown".
		for _, f := range strings.Fields(text) {
			if len(f) >= 5 && f[0] == '5' && f[1] == '.' {
				enhanced = f
				break
			}
		}
	}
	if enhanced != "" {
		return strings.HasPrefix(enhanced, "5.1.") || strings.HasPrefix(enhanced, "5.2.1")
	}
	return code == 550 || code == 551 || code == 553
}

// oneLine folds a multi-line server answer into one line for the ledger.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
