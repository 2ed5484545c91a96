package email

import (
	"fmt"
	"mime"
	"strconv"

	"github.com/digest-newsletter/digest/digest"
)

// WelcomeData is what welcome.html and welcome.txt are given.
type WelcomeData struct {
	Site           digest.Site
	Lang           string // the catalogue language (digest.UILang)
	Subject        string
	Email          string
	Tags           []string // what the reader chose; empty means every tag
	IssueTitle     string   // the latest issue, "" when none is published yet
	IssueURL       string
	PreferencesURL string
	UnsubscribeURL string
}

// Welcome is what a welcome mail says beyond the site: the latest issue and
// the reader's preferences link.
type Welcome struct {
	IssueTitle, IssueURL string // the latest issue; empty before the first
	PreferencesURL       string // made by the server from digest.PreferencesToken
}

// ComposeWelcome returns the mail that greets sub once they confirmed:
// what they chose, the latest issue's link, their preferences and an
// unsubscribe link (with the RFC 8058 headers, as an issue has). Its
// Message-ID is deterministic in the address and opt.Date.
func ComposeWelcome(opt ComposerOptions, sub digest.Subscriber, w Welcome) (*Message, error) {
	c, err := oneOff(&opt)
	if err != nil {
		return nil, err
	}
	links := []string{w.PreferencesURL}
	if w.IssueURL != "" {
		links = append(links, w.IssueURL)
	}
	for _, link := range links {
		if !absoluteLink(link) {
			return nil, fmt.Errorf("compose: welcome link %q is not an absolute http(s) URL", link)
		}
	}
	addr, err := recipient(sub.Email)
	if err != nil {
		return nil, err
	}
	subject := digest.T(c.lang, "welcome_subject", c.opt.Site.Title)
	unsub := c.opt.Site.URL + "/unsubscribe?t=" + digest.UnsubscribeToken(c.opt.Secret, addr, c.list)
	data := WelcomeData{
		Site:           c.opt.Site,
		Lang:           c.lang,
		Subject:        headerText(subject),
		Email:          addr,
		Tags:           sub.Tags,
		IssueTitle:     headerText(w.IssueTitle),
		IssueURL:       w.IssueURL,
		PreferencesURL: w.PreferencesURL,
		UnsubscribeURL: unsub,
	}
	text, html, err := c.renderOneOff("welcome", data)
	if err != nil {
		return nil, err
	}
	var list []byte
	listID := "<" + c.list + ">"
	if t := headerText(c.opt.Site.Title); t != "" {
		listID = phrase(t) + " " + listID
	}
	list = appendField(list, "List-Id", listID)
	list = appendField(list, "List-Unsubscribe", "<"+unsub+">")
	list = appendField(list, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	date := c.now()
	id := "<welcome." + mac(opt.Secret, "welcome-id", tokenAddr(addr), c.list, strconv.FormatInt(date.Unix(), 10)) + "@" + c.opt.Site.Host() + ">"
	m, err := c.message(id, addr, "", mime.QEncoding.Encode("UTF-8", data.Subject), date, list, text, html)
	if err != nil {
		return nil, err
	}
	if err := c.sign(m); err != nil {
		return nil, err
	}
	return m, nil
}
