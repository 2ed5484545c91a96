package web

import (
	"net/http"

	"github.com/digest-newsletter/digest/digest"
)

// maxForm bounds the body of the form posts.
const maxForm = 16 << 10

// token returns the t parameter, from the query or a posted form.
func token(w http.ResponseWriter, r *http.Request) string {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	}
	return r.FormValue("t")
}

// unsubscribePage answers a GET of the link in a mail: a page with a button
// that posts. Link scanners and prefetchers fetch such links, so a GET
// never unsubscribes.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("t")
	email, err := s.verifyUnsubscribe(t)
	if err != nil {
		s.message(w, r, http.StatusBadRequest, "badtoken")
		return
	}
	s.render(w, r, http.StatusOK, s.pages.unsubscribe, pageData{View: "ask", Email: email, Token: t})
}

// unsubscribe records the suppression at once, so that a send in progress
// skips the address from its next message. It is RFC 8058's one-click
// POST (body List-Unsubscribe=One-Click) as well as the page's button:
// idempotent, 200, no cookies, no redirect.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	t := token(w, r)
	email, err := s.verifyUnsubscribe(t)
	if err != nil {
		s.log.Info("unsubscribe refused", "reason", err.Error(), "client", s.clientIP(r))
		s.message(w, r, http.StatusBadRequest, "badtoken")
		return
	}
	if err := s.opt.Store.Suppress(r.Context(), email, "unsubscribed", s.now()); err != nil {
		s.log.Error("unsubscribe", "email", digest.MaskAddress(email), "err", err)
		s.message(w, r, http.StatusServiceUnavailable, "unavailable")
		return
	}
	s.log.Info("unsubscribed", "email", digest.MaskAddress(email), "one_click", r.FormValue("List-Unsubscribe") == "One-Click")
	s.render(w, r, http.StatusOK, s.pages.unsubscribe, pageData{View: "done", Email: email})
}

// verifyUnsubscribe returns the address of an unsubscribe token made with
// the secret or a previous one.
func (s *Server) verifyUnsubscribe(t string) (email string, err error) {
	for _, key := range s.secrets() {
		if email, err = digest.VerifyUnsubscribeToken(key, t, s.list); err == nil {
			return email, nil
		}
	}
	return "", err
}

// secrets are the token keys, current first.
func (s *Server) secrets() [][]byte {
	return append([][]byte{s.opt.Secret}, s.opt.PreviousSecrets...)
}
