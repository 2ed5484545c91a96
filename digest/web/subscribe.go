package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/digest-newsletter/digest/digest"
)

// subscribeRequest is an address waiting for its confirmation mail.
type subscribeRequest struct {
	email, name string
	tags        []string
	at          time.Time
}

// maxDefer is how long a confirmation mail may wait for the overall limit;
// past that the form asks to come back later.
const maxDefer = 30 * time.Minute

// subscribe takes an address from the form and answers at once, the same
// whatever becomes of it: whether it is subscribed already, limited or
// mailed is never told, neither in the answer nor in how long it takes.
// The mail is sent in the background; when the overall limit holds it
// back, the page says so and when to expect it.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	if s.opt.SendConfirm == nil {
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	now := s.now()
	netw := network(s.clientIP(r))
	if ok, wait := s.netLimit.allow(netw, now); !ok {
		s.log.Warn("subscribe rate-limited", "network", netw)
		s.tooMany(w, r, wait)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	email, err := digest.NormalizeEmail(r.FormValue("email"))
	if err != nil {
		s.message(w, r, http.StatusBadRequest, "badaddress")
		return
	}
	wait := s.mailLimit.wait("", now)
	if wait > maxDefer {
		s.log.Warn("subscribe: overall confirmation mail limit reached", "retry_after", wait)
		s.tooMany(w, r, wait)
		return
	}
	// A field people cannot see and robots fill in.
	if r.FormValue("website") == "" {
		s.enqueue(subscribeRequest{email: email, name: formName(r.FormValue("name")), tags: s.chosenTags(r.Form["tag"]), at: now})
	}
	if wait > 0 {
		s.render(w, r, http.StatusAccepted, s.pages.message, pageData{View: "deferred", Wait: minutes(wait)})
		return
	}
	s.message(w, r, http.StatusOK, "sent")
}

// tooMany answers 429 with Retry-After and how long to wait.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
	s.render(w, r, http.StatusTooManyRequests, s.pages.message, pageData{View: "limited", Wait: minutes(wait)})
}

// minutes rounds a wait up to whole minutes, at least one.
func minutes(d time.Duration) int { return max(1, int((d+time.Minute-1)/time.Minute)) }

// chosenTags keeps the configured tags among those ticked on a form, in
// the configured order; all of them, or none, mean every tag.
func (s *Server) chosenTags(ticked []string) []string {
	var out []string
	for _, t := range s.opt.Tags {
		if slices.ContainsFunc(ticked, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), t) }) {
			out = append(out, t)
		}
	}
	if len(out) == len(s.opt.Tags) {
		return nil
	}
	return out
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
		s.log.Warn("subscribe queue full: request dropped", "email", digest.MaskAddress(req.email))
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
	log := s.log.With("email", digest.MaskAddress(req.email))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	send, err := s.opt.Store.RequestConfirmation(ctx, req.email, req.name, req.tags, req.at, s.opt.ConfirmLimit)
	if err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	if !send {
		log.Info("subscribe: confirmation not sent, address limit reached")
		return
	}
	if wait := s.mailLimit.take("", s.now()); wait > 0 {
		log.Info("subscribe: confirmation deferred by the overall limit", "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.quit:
			t.Stop()
			log.Warn("subscribe: deferred confirmation dropped at shutdown")
			return
		}
	}
	expires := req.at.Add(s.opt.ConfirmTTL).Truncate(time.Second)
	link := s.opt.Site.URL + "/confirm?t=" + url.QueryEscape(digest.ConfirmToken(s.opt.Secret, req.email, s.list, expires))
	// The name typed into the form is not the reader's until they confirm:
	// the confirmation greets nobody, so that the form cannot put anyone's
	// words into a mail sent from the site's domain.
	sub := digest.Subscriber{Email: req.email, Status: digest.StatusActive}
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
	switch {
	case errors.Is(err, digest.ErrNoConfirmation):
		s.message(w, r, http.StatusGone, "used")
		return
	case errors.Is(err, digest.ErrSuppressedSince):
		s.log.Info("confirm refused: suppressed since the link was mailed", "email", digest.MaskAddress(email))
		s.message(w, r, http.StatusConflict, "left")
		return
	case err != nil:
		s.log.Error("confirm", "email", digest.MaskAddress(email), "err", err)
		s.message(w, r, http.StatusServiceUnavailable, "unavailable")
		return
	}
	s.log.Info("subscribed", "email", digest.MaskAddress(email), "new", added)
	if added && s.opt.SendWelcome != nil {
		s.welcome(email)
	}
	s.render(w, r, http.StatusOK, s.pages.confirm, pageData{View: "done", Email: email, Prefs: s.prefsURL(email)})
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
