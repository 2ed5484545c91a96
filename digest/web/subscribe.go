package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/digest-newsletter/digest/digest"
)

// subscribeRequest is an address waiting for its confirmation mail.
type subscribeRequest struct {
	email, name string
	at          time.Time
}

// subscribe takes an address from the form and answers at once, the same
// whatever becomes of it: whether it is subscribed already, limited or
// mailed is never told, neither in the answer nor in how long it takes.
// The mail is sent in the background.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	if s.opt.SendConfirm == nil {
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	ip := s.clientIP(r)
	if ok, wait := s.ipLimit.allow(ip, s.now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		s.log.Warn("subscribe rate-limited", "client", ip)
		s.message(w, r, http.StatusTooManyRequests, "limited")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	email, err := digest.NormalizeEmail(r.FormValue("email"))
	if err != nil {
		s.message(w, r, http.StatusBadRequest, "badaddress")
		return
	}
	// A field people cannot see and robots fill in.
	if r.FormValue("website") == "" {
		s.enqueue(subscribeRequest{email: email, name: formName(r.FormValue("name")), at: s.now()})
	}
	s.message(w, r, http.StatusOK, "sent")
}

// enqueue hands a request to the mailer, dropping it when the queue is full
// or the server closed.
func (s *Server) enqueue(req subscribeRequest) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return
	}
	select {
	case s.queue <- req:
	default:
		s.log.Warn("subscribe queue full: request dropped", "email", mask(req.email))
	}
}

// mailer sends the confirmation mails of the queue, one at a time, within
// the per-address and overall limits.
func (s *Server) mailer() {
	defer s.wg.Done()
	for req := range s.queue {
		s.sendConfirm(req)
	}
}

func (s *Server) sendConfirm(req subscribeRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := s.log.With("email", mask(req.email))
	send, err := s.opt.Store.RequestConfirmation(ctx, req.email, req.name, req.at, s.opt.ConfirmLimit)
	if err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	if !send {
		log.Info("subscribe: confirmation not sent, address limit reached")
		return
	}
	if ok, _ := s.mailLimit.allow("", s.now()); !ok {
		log.Warn("subscribe: confirmation not sent, overall mail limit reached")
		return
	}
	expires := req.at.Add(s.opt.ConfirmTTL).Truncate(time.Second)
	link := s.opt.Site.URL + "/confirm?t=" + url.QueryEscape(digest.ConfirmToken(s.opt.Secret, req.email, s.list, expires))
	sub := digest.Subscriber{Email: req.email, Name: req.name, Status: digest.StatusActive}
	if err := s.opt.SendConfirm(ctx, sub, link, expires); err != nil {
		log.Error("subscribe: confirmation mail", "err", err)
		return
	}
	log.Info("subscribe: confirmation sent", "expires", expires)
}

// confirmPage answers a GET of the link in the confirmation mail: a page
// with a button, since mail scanners open links too.
func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("t")
	email, err := s.verifyConfirm(t)
	if err != nil {
		s.confirmRefused(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, s.pages.confirm, pageData{View: "ask", Email: email, Token: t})
}

// confirm stores the subscriber. Confirming twice is harmless.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	t := token(w, r)
	email, err := s.verifyConfirm(t)
	if err != nil {
		s.confirmRefused(w, r, err)
		return
	}
	added, err := s.opt.Store.Confirm(r.Context(), email, s.now())
	if err != nil {
		s.log.Error("confirm", "email", mask(email), "err", err)
		s.message(w, r, http.StatusServiceUnavailable, "unavailable")
		return
	}
	s.log.Info("subscribed", "email", mask(email), "new", added)
	s.render(w, r, http.StatusOK, s.pages.confirm, pageData{View: "done", Email: email})
}

func (s *Server) confirmRefused(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, digest.ErrExpiredToken) {
		s.message(w, r, http.StatusBadRequest, "expired")
		return
	}
	s.message(w, r, http.StatusBadRequest, "badtoken")
}

// formName is the optional name of the form, made fit for a greeting.
func formName(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80])
	}
	return s
}

// mask names an address in the log without spelling out who asked: the
// domain, and a hash to tell requests of one address apart.
func mask(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	domain := email[strings.LastIndexByte(email, '@')+1:]
	return hex.EncodeToString(sum[:4]) + "@" + domain
}

// verifyConfirm returns the address of a confirm token made with the
// secret or a previous one.
func (s *Server) verifyConfirm(t string) (email string, err error) {
	for _, key := range s.secrets() {
		if email, err = digest.VerifyConfirmToken(key, t, s.list, s.now()); err == nil {
			return email, nil
		}
	}
	return "", err
}
