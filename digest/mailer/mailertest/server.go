// Package mailertest runs a real SMTP server in process (emersion/go-smtp on
// 127.0.0.1) that records what it receives and can be told to misbehave for
// chosen recipients, for the tests of digest's delivery.
package mailertest

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Behaviour is how the server answers a recipient.
type Behaviour int

const (
	Accept     Behaviour = iota // 250
	TempOnce                    // 451 after the data the first time, then 250
	Reject                      // 550 5.1.1 at RCPT: no such user
	Refuse                      // 554 5.7.1 at RCPT: relaying denied (a policy, not the address)
	DropOnce                    // close the connection at RCPT, before the data, the first time
	HangOnce                    // never answer the end of the data the first time, keeping nothing
	AlwaysTemp                  // 451 every time

	// The relay takes the message, then the first time:
	StoreLateOnce  // answers the final dot after Server.Late
	StoreCloseOnce // closes the connection without answering
	StoreHangOnce  // never answers
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running SMTP server.
type Server struct {
	Addr string // host:port
	Host string
	Port int

	srv  *smtp.Server
	quit chan struct{}

	mu       sync.Mutex
	rules    map[string]Behaviour
	Default  Behaviour     // for recipients without a rule
	Late     time.Duration // how late StoreLateOnce answers
	tries    map[string]int
	received []Message
	conns    int
	onMsg    func(n int) // called with the count after each accepted message
}

// Start starts a server on 127.0.0.1:0, stopped when the test ends. It
// does not offer SMTPUTF8.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, false)
}

// StartSMTPUTF8 starts a server that offers SMTPUTF8 (RFC 6531): it takes
// addresses that are not ASCII.
func StartSMTPUTF8(t testing.TB) *Server {
	t.Helper()
	return start(t, true)
}

func start(t testing.TB, utf8 bool) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		Addr:  l.Addr().String(),
		Host:  "127.0.0.1",
		Port:  l.Addr().(*net.TCPAddr).Port,
		quit:  make(chan struct{}),
		rules: map[string]Behaviour{},
		tries: map[string]int{},
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		return &session{s: s, c: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.EnableSMTPUTF8 = utf8
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(l)
	t.Cleanup(func() {
		close(s.quit)
		s.srv.Close()
	})
	return s
}

// Set makes the server answer rcpt so.
func (s *Server) Set(rcpt string, b Behaviour) {
	s.mu.Lock()
	s.rules[strings.ToLower(rcpt)] = b
	s.mu.Unlock()
}

// OnMessage calls fn, with the number of messages accepted so far, after
// each message is accepted (and before the server answers it).
func (s *Server) OnMessage(fn func(n int)) {
	s.mu.Lock()
	s.onMsg = fn
	s.mu.Unlock()
}

// Received returns the messages accepted so far.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Count returns how many messages each recipient was sent.
func (s *Server) Count() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for _, msg := range s.received {
		for _, r := range msg.To {
			m[strings.ToLower(r)]++
		}
	}
	return m
}

// Conns returns how many connections were opened.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// behaviour returns the rule of rcpt and counts a try of it.
func (s *Server) behaviour(rcpt string, count bool) (Behaviour, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rcpt = strings.ToLower(rcpt)
	b, ok := s.rules[rcpt]
	if !ok {
		b = s.Default
	}
	if count {
		s.tries[rcpt]++
	}
	return b, s.tries[rcpt]
}

type session struct {
	s    *Server
	c    *smtp.Conn
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	b, _ := x.s.behaviour(to, false)
	if b == DropOnce {
		if _, try := x.s.behaviour(to, true); try == 1 {
			x.c.Conn().Close()
			return errors.New("dropped")
		}
	}
	switch b {
	case Reject:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	case Refuse:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relay access denied"}
	}
	x.to = append(x.to, to)
	return nil
}

var errTemp = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}

func (x *session) Data(r io.Reader) error {
	var b Behaviour
	var try int
	for _, to := range x.to {
		if rb, n := x.s.behaviour(to, true); rb != Accept {
			b, try = rb, n
		}
	}
	switch {
	case b == TempOnce && try == 1, b == AlwaysTemp:
		io.Copy(io.Discard, r)
		return errTemp
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if b == HangOnce && try == 1 {
		select {
		case <-x.s.quit:
		case <-time.After(time.Minute):
		}
		return errTemp
	}
	x.s.mu.Lock()
	x.s.received = append(x.s.received, Message{From: x.from, To: append([]string(nil), x.to...), Data: bytes.Clone(data)})
	n, fn, late := len(x.s.received), x.s.onMsg, x.s.Late
	x.s.mu.Unlock()
	if fn != nil {
		fn(n)
	}
	if try == 1 {
		switch b {
		case StoreLateOnce:
			x.wait(late)
		case StoreCloseOnce:
			x.c.Conn().Close()
			return errors.New("closed after storing")
		case StoreHangOnce:
			x.wait(time.Minute)
			x.c.Conn().Close()
			return errors.New("hung after storing")
		}
	}
	return nil
}

// wait sleeps for d, or until the server stops.
func (x *session) wait(d time.Duration) {
	select {
	case <-x.s.quit:
	case <-time.After(d):
	}
}
