package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// WelcomeSender mails a new subscriber their welcome, with the link to
// their preferences page.
type WelcomeSender func(ctx context.Context, sub digest.Subscriber, prefsURL string) error

// prefsURL is the signed link to email's preferences page.
func (s *Server) prefsURL(email string) string {
	return s.opt.Site.URL + "/preferences?t=" + url.QueryEscape(digest.PreferencesToken(s.opt.Secret, email, s.list))
}

// welcome mails the welcome in the background, so that the confirm page
// does not wait on the relay.
func (s *Server) welcome(email string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sub := digest.Subscriber{Email: email, Status: digest.StatusActive}
		if got, err := s.opt.Store.SiteSubscriber(ctx, email); err == nil {
			sub.Tags = got.Tags
		}
		if err := s.opt.SendWelcome(ctx, sub, s.prefsURL(email)); err != nil {
			s.log.Error("welcome mail", "email", digest.MaskAddress(email), "err", err)
			return
		}
		s.log.Info("welcome mail sent", "email", digest.MaskAddress(email))
	}()
}

// verifyPreferences returns the address of a preferences token made with
// the secret or a previous one.
func (s *Server) verifyPreferences(t string) (email string, err error) {
	for _, key := range s.secrets() {
		if email, err = digest.VerifyPreferencesToken(key, t, s.list); err == nil {
			return email, nil
		}
	}
	return "", err
}

// tagChoice is one tag of the preferences form.
type tagChoice struct {
	Tag     string
	Checked bool
}

// preferencesPage shows a reader's choices. A GET changes nothing.
func (s *Server) preferencesPage(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("t")
	email, err := s.verifyPreferences(t)
	if err != nil {
		s.message(w, r, http.StatusBadRequest, "badtoken")
		return
	}
	s.showPreferences(w, r, http.StatusOK, email, t, "")
}

func (s *Server) showPreferences(w http.ResponseWriter, r *http.Request, status int, email, t, saved string) {
	d := pageData{View: "edit", Email: email, Token: t, Saved: saved}
	sub, err := s.opt.Store.SiteSubscriber(r.Context(), email)
	switch {
	case errors.Is(err, digest.ErrNotFound):
		d.View = "file" // on the owner's list: only leaving is the reader's
	case err != nil:
		s.log.Error("preferences", "email", digest.MaskAddress(email), "err", err)
		s.message(w, r, http.StatusServiceUnavailable, "unavailable")
		return
	default:
		if sub.Suppressed != "" {
			d.View = "left"
		}
		d.Paused = sub.Paused
	}
	if sup, err := s.opt.Store.IsSuppressed(r.Context(), email); err == nil && sup {
		d.View = "left"
	}
	if len(s.opt.Tags) > 1 {
		for _, tag := range s.opt.Tags {
			checked := len(sub.Tags) == 0
			for _, have := range sub.Tags {
				checked = checked || digest.TagMatches(tag, have)
			}
			d.Choices = append(d.Choices, tagChoice{Tag: tag, Checked: checked})
		}
	}
	s.render(w, r, status, s.pages.preferences, d)
}

// preferences changes what a reader gets: action=save stores the tags
// ticked and the pause, action=leave unsubscribes.
func (s *Server) preferences(w http.ResponseWriter, r *http.Request) {
	t := token(w, r)
	email, err := s.verifyPreferences(t)
	if err != nil {
		s.message(w, r, http.StatusBadRequest, "badtoken")
		return
	}
	ctx := r.Context()
	switch r.FormValue("action") {
	case "leave":
		if err := s.opt.Store.Suppress(ctx, email, "unsubscribed", s.now()); err != nil {
			s.log.Error("preferences: leave", "email", digest.MaskAddress(email), "err", err)
			s.message(w, r, http.StatusServiceUnavailable, "unavailable")
			return
		}
		s.log.Info("unsubscribed", "email", digest.MaskAddress(email), "from", "preferences")
		s.render(w, r, http.StatusOK, s.pages.unsubscribe, pageData{View: "done", Email: email})
		return
	case "save":
		tags := s.chosenTags(r.Form["tag"])
		if len(s.opt.Tags) > 1 && len(r.Form["tag"]) == 0 {
			s.showPreferences(w, r, http.StatusBadRequest, email, t, "notags")
			return
		}
		err := s.opt.Store.SetPreferences(ctx, email, tags, r.FormValue("pause") != "")
		if errors.Is(err, digest.ErrNotFound) {
			s.showPreferences(w, r, http.StatusConflict, email, t, "")
			return
		}
		if err != nil {
			s.log.Error("preferences", "email", digest.MaskAddress(email), "err", err)
			s.message(w, r, http.StatusServiceUnavailable, "unavailable")
			return
		}
		s.log.Info("preferences saved", "email", digest.MaskAddress(email), "tags", len(tags), "paused", r.FormValue("pause") != "")
		s.showPreferences(w, r, http.StatusOK, email, t, "saved")
	default:
		s.message(w, r, http.StatusBadRequest, "badrequest")
	}
}
