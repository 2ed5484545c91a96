package email

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"mime"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/text"
	"github.com/vanng822/go-premailer/premailer"
)

// ErrNothingForSubscriber is returned by Composer.Compose when the
// subscriber's tags leave none of the issue's items: the issue is not sent
// to them, and a delivery counts them as skipped.
var ErrNothingForSubscriber = errors.New("nothing in the issue for the subscriber's tags")

// ComposerOptions is what every message of a list shares.
type ComposerOptions struct {
	Site      digest.Site
	From      string      // "Name <addr>", the From header
	Secret    []byte      // HMAC key of unsubscribe tokens (see digest.CheckSecret)
	List      string      // the list tokens are bound to and List-Id names; "" means Site.Host()
	DKIM      *DKIMSigner // signs each message when set
	Templates fs.FS       // holds email.html, email.txt, confirm.html, confirm.txt (see package templates)
	Date      time.Time   // the Date header; zero means the issue's cutoff
	MaxItems  int         // items in a message at most (email.max_items); 0 means DefaultMaxItems
	// Clock, when set, gives each copy's Date as it is composed, which a
	// delivery does just before sending it: a slow, rate-limited run does
	// not date its last copies hours in the past. Nil means Date for all.
	Clock func() time.Time
	// UnsubscribeMailto, when set, is the bounce mailbox's address:
	// List-Unsubscribe then offers a mailto: to it, whose subject carries
	// the reader's token, in place of one to Site.Email.
	UnsubscribeMailto string
}

// IssueData is what email.html and email.txt are given. Greeting, Email and
// UnsubscribeURL are per recipient: the templates are executed once per
// distinct set of groups with stand-ins for them, filled in for each
// recipient afterwards, so a template must place them unchanged.
type IssueData struct {
	Site           digest.Site
	Lang           string         // the catalogue language of the site: en, zh-CN, zh-TW, ja
	Issue          *digest.Issue  // the whole issue
	Preheader      string         // the inbox preview: the editor's note, or the first titles
	Groups         []digest.Group // the groups this recipient gets, in issue order
	Count          int            // the items in Groups
	More           int            // items of the recipient's tags left for the web page (email.max_items, size)
	IssueURL       string         // the issue on the web
	Greeting       string         // "Hi Alice," or "你好，王芳："
	Email          string         // the recipient's address
	UnsubscribeURL string         // one-click unsubscribe link for this recipient
	PreferencesURL string         // the recipient's preferences page: tags, pause, leave
}

// ConfirmData is what confirm.html and confirm.txt are given.
type ConfirmData struct {
	Site       digest.Site
	Lang       string // the catalogue language of the site: en, zh-CN, zh-TW, ja
	Subject    string
	Greeting   string
	Email      string
	ConfirmURL string
	Expires    time.Time // when ConfirmURL stops working
}

// Composer makes each subscriber's copy of one issue. The templates are
// parsed and executed, and the CSS inlined, once per distinct set of groups
// the subscribers get; a message is then that pre-rendered body with the
// recipient's greeting, address and unsubscribe link filled in. A Composer
// is safe for concurrent use.
type Composer struct {
	opt       ComposerOptions
	issue     *digest.Issue
	groups    []digest.Group
	lang      string
	list      string
	from      *mail.Address
	date      time.Time
	subject   string // RFC 2047 encoded
	listID    string // List-Id value
	mailto    string // "" or "<mailto:…>"
	unsubBase string // unsubscribe URL without the token
	issueURL  string
	html      *htmltemplate.Template
	text      *texttemplate.Template
	marker    string // starts every stand-in of a per-recipient value

	mu     sync.Mutex
	bodies map[string]*rendering // by which groups are included, "10110"
}

// rendering is an issue rendered for a set of groups, with stand-ins where
// the per-recipient values go.
type rendering struct {
	text, html *slotted
}

// NewComposer parses the email templates of opt.Templates, checks the
// options, and renders the issue for subscribers who want every tag.
func NewComposer(is *digest.Issue, opt ComposerOptions) (*Composer, error) {
	if is == nil || len(is.Items) == 0 {
		return nil, errors.New("compose: issue has no items")
	}
	c := &Composer{
		opt:    opt,
		issue:  is,
		groups: is.Groups(),
		bodies: make(map[string]*rendering),
	}
	if err := c.init(&opt, is.Cutoff); err != nil {
		return nil, err
	}
	if c.date.IsZero() {
		return nil, errors.New("compose: no date: neither ComposerOptions.Date nor the issue cutoff is set")
	}
	var err error
	if c.html, err = htmltemplate.New("email.html").Funcs(htmltemplate.FuncMap(funcs(c.lang))).ParseFS(opt.Templates, "email.html"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if c.text, err = texttemplate.New("email.txt").Funcs(texttemplate.FuncMap(funcs(c.lang))).ParseFS(opt.Templates, "email.txt"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	var nonce [8]byte
	rand.Read(nonce[:])
	c.marker = "DIGESTSLOT" + hex.EncodeToString(nonce[:])

	c.subject = mime.QEncoding.Encode("UTF-8", headerText(is.Title))
	c.issueURL = opt.Site.URL + "/" + is.Path()
	c.unsubBase = opt.Site.URL + "/unsubscribe?t="
	if m := opt.UnsubscribeMailto; m != "" {
		if a, err := mail.ParseAddress(m); err != nil || a.Name != "" || !text.IsASCII(m) || strings.ContainsAny(m, "?&%<>") {
			return nil, fmt.Errorf("compose: unsubscribe mailto %q is not a bare ASCII address", m)
		}
	} else if opt.Site.Email != "" {
		a, err := mail.ParseAddress(opt.Site.Email)
		if err != nil || !text.IsASCII(a.Address) {
			return nil, fmt.Errorf("compose: site.email %q is not an ASCII address", opt.Site.Email)
		}
		c.mailto = "<mailto:" + a.Address + "?subject=unsubscribe>"
	}
	c.listID = "<" + c.list + ">"
	if t := headerText(opt.Site.Title); t != "" {
		c.listID = phrase(t) + " " + c.listID
	}

	// Render for everyone now: template errors show before any sending.
	all := make([]bool, len(c.groups))
	for i := range all {
		all[i] = true
	}
	if _, err := c.body(all); err != nil {
		return nil, err
	}
	return c, nil
}

// init checks what Compose and ComposeConfirm share.
func (c *Composer) init(opt *ComposerOptions, cutoff time.Time) error {
	if opt.Templates == nil {
		return errors.New("compose: no templates")
	}
	if err := digest.CheckSecret(opt.Secret); err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	u, err := url.Parse(opt.Site.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("compose: site.url %q is not an absolute http(s) URL", opt.Site.URL)
	}
	if !text.IsASCII(opt.Site.URL) {
		return fmt.Errorf("compose: site.url %q is not ASCII (write an international domain in punycode, xn--…)", opt.Site.URL)
	}
	opt.Site.URL = strings.TrimRight(opt.Site.URL, "/")
	from, err := mail.ParseAddress(opt.From)
	if err != nil {
		return fmt.Errorf("compose: from %q: %v", opt.From, err)
	}
	c.from = from
	c.list = opt.List
	if c.list == "" {
		c.list = opt.Site.Host()
	}
	if !isDotAtom(c.list) {
		return fmt.Errorf("compose: list %q is not a dotted name such as news.example.com", c.list)
	}
	c.lang = digest.UILang(opt.Site.Language)
	c.date = opt.Date
	if c.date.IsZero() {
		c.date = cutoff
	}
	c.opt = *opt
	return nil
}

// Compose returns sub's copy of the issue: only the groups whose tag sub
// wants, greeted by name, with sub's unsubscribe link. It returns
// ErrNothingForSubscriber when sub wants none of them.
func (c *Composer) Compose(sub digest.Subscriber) (*Message, error) {
	return c.compose(sub, "")
}

// ComposeAgain returns sub's copy under the Message-ID a try before it
// carried (as the ledger recorded it), so that a resend is recognisably
// the same message even after the secret that keys Message-IDs was
// rotated; with id empty it is Compose.
func (c *Composer) ComposeAgain(sub digest.Subscriber, id string) (*Message, error) {
	return c.compose(sub, id)
}

// ComposeTest returns a test copy of sub's message, as a plain send would
// mail it, but with a Message-ID of its own (unique to at), so that a mail
// client that keeps one message per ID never takes the real copy, mailed
// later, for this one.
func (c *Composer) ComposeTest(sub digest.Subscriber, at time.Time) (*Message, error) {
	addr, err := recipient(sub.Email)
	if err != nil {
		return nil, err
	}
	return c.compose(sub, MessageID(c.opt.Secret, c.issue.ID+"."+fmt.Sprintf("test-%d", at.UnixNano()), addr, c.list, c.opt.Site.Host()))
}

// compose makes sub's copy, under the Message-ID id, or the copy's own
// when id is empty.
func (c *Composer) compose(sub digest.Subscriber, id string) (*Message, error) {
	addr, err := recipient(sub.Email)
	if err != nil {
		return nil, err
	}
	want := make([]bool, len(c.groups))
	some := false
	for i, g := range c.groups {
		if sub.Wants(g.Tag) {
			want[i], some = true, true
		}
	}
	if !some {
		return nil, ErrNothingForSubscriber
	}
	b, err := c.body(want)
	if err != nil {
		return nil, err
	}

	token := digest.UnsubscribeToken(c.opt.Secret, addr, c.list)
	unsub := c.unsubBase + token
	greeting := greet(c.lang, sub.Name)
	prefs := c.opt.Site.URL + "/preferences?t=" + digest.PreferencesToken(c.opt.Secret, addr, c.list)
	text := filled{b.text, [slots]string{greeting, addr, unsub, prefs}}
	html := filled{b.html, [slots]string{htmltemplate.HTMLEscapeString(greeting), htmltemplate.HTMLEscapeString(addr), htmltemplate.HTMLEscapeString(unsub), htmltemplate.HTMLEscapeString(prefs)}}

	// Preformatted: each line is shorter than 998 bytes (a token is at
	// most 512).
	var list []byte
	unsubHeader := "<" + unsub + ">"
	if m := c.opt.UnsubscribeMailto; m != "" {
		unsubHeader += ",\r\n <mailto:" + m + "?subject=unsubscribe%20" + token + ">"
	} else if c.mailto != "" {
		unsubHeader += ",\r\n " + c.mailto
	}
	list = appendField(list, "Precedence", "bulk")
	list = appendField(list, "List-Id", c.listID)
	list = appendField(list, "List-Unsubscribe", unsubHeader)
	list = appendField(list, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")

	if id == "" {
		id = MessageID(c.opt.Secret, c.issue.ID, addr, c.list, c.opt.Site.Host())
	}
	m, err := c.message(id, addr, headerText(sub.Name), c.subject, c.now(), list, text, html)
	if err != nil {
		return nil, err
	}
	if err := c.sign(m); err != nil {
		return nil, err
	}
	return m, nil
}

// oneOff is a composer for a message outside an issue: a confirmation, a
// welcome.
func oneOff(opt *ComposerOptions) (*Composer, error) {
	c := &Composer{}
	if err := c.init(opt, time.Time{}); err != nil {
		return nil, err
	}
	if c.date.IsZero() {
		return nil, errors.New("compose: no date: ComposerOptions.Date is not set")
	}
	return c, nil
}

// absoluteLink reports whether link is an absolute http(s) URL that can
// stand in a mail as it is.
func absoluteLink(link string) bool {
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(link, " \t\r\n\"'<>")
}

// renderOneOff renders the parts of a one-off message from the templates
// name.txt and name.html, the HTML with its CSS inlined.
func (c *Composer) renderOneOff(name string, data any) (text, html filled, err error) {
	ht, err := htmltemplate.New(name+".html").Funcs(htmltemplate.FuncMap(funcs(c.lang))).ParseFS(c.opt.Templates, name+".html")
	if err != nil {
		return filled{}, filled{}, fmt.Errorf("templates: %w", err)
	}
	tt, err := texttemplate.New(name+".txt").Funcs(texttemplate.FuncMap(funcs(c.lang))).ParseFS(c.opt.Templates, name+".txt")
	if err != nil {
		return filled{}, filled{}, fmt.Errorf("templates: %w", err)
	}
	var tb, hb bytes.Buffer
	if err := tt.Execute(&tb, data); err != nil {
		return filled{}, filled{}, fmt.Errorf("templates: %w", err)
	}
	if err := ht.Execute(&hb, data); err != nil {
		return filled{}, filled{}, fmt.Errorf("templates: %w", err)
	}
	inlined, err := inlineCSS(hb.String())
	if err != nil {
		return filled{}, filled{}, err
	}
	return literalPart(tidyText(tb.String())), literalPart(inlined), nil
}

// ComposeConfirm returns the double opt-in mail asking sub to confirm a
// subscription by opening confirmURL (made by the server from digest.ConfirmToken)
// before expires. It has no List-Unsubscribe: there is no subscription yet.
// Its Message-ID is deterministic in the address and opt.Date.
func ComposeConfirm(opt ComposerOptions, sub digest.Subscriber, confirmURL string, expires time.Time) (*Message, error) {
	c, err := oneOff(&opt)
	if err != nil {
		return nil, err
	}
	if !absoluteLink(confirmURL) {
		return nil, fmt.Errorf("compose: confirm URL %q is not an absolute http(s) URL", confirmURL)
	}
	addr, err := recipient(sub.Email)
	if err != nil {
		return nil, err
	}
	subject := digest.T(c.lang, "confirm_subject", opt.Site.Title)
	data := ConfirmData{
		Site:       c.opt.Site,
		Lang:       c.lang,
		Subject:    headerText(subject),
		Greeting:   greet(c.lang, sub.Name),
		Email:      addr,
		ConfirmURL: confirmURL,
		Expires:    expires,
	}
	text, html, err := c.renderOneOff("confirm", data)
	if err != nil {
		return nil, err
	}
	date := c.now()
	id := "<confirm." + mac(opt.Secret, "confirm-id", tokenAddr(addr), c.list, strconv.FormatInt(date.Unix(), 10)) + "@" + opt.Site.Host() + ">"
	m, err := c.message(id, addr, headerText(sub.Name), mime.QEncoding.Encode("UTF-8", data.Subject), date, nil, text, html)
	if err != nil {
		return nil, err
	}
	if err := c.sign(m); err != nil {
		return nil, err
	}
	return m, nil
}

// now is the Date of a copy composed now.
func (c *Composer) now() time.Time {
	if c.opt.Clock != nil {
		return c.opt.Clock()
	}
	return c.date
}

// sign signs m when a signer is set.
func (c *Composer) sign(m *Message) error {
	if c.opt.DKIM == nil {
		return nil
	}
	if err := c.opt.DKIM.Sign(m); err != nil {
		return fmt.Errorf("compose %s: %w", m.To, err)
	}
	return nil
}

// body returns the issue rendered for the groups marked in want, rendering it
// on first use.
func (c *Composer) body(want []bool) (*rendering, error) {
	key := make([]byte, len(want))
	for i, w := range want {
		key[i] = '0'
		if w {
			key[i] = '1'
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.bodies[string(key)]; ok {
		return b, nil
	}
	data := IssueData{
		Site:           c.opt.Site,
		Lang:           c.lang,
		Issue:          c.issue,
		IssueURL:       c.issueURL,
		Greeting:       c.marker + "G",
		Email:          c.marker + "E",
		UnsubscribeURL: c.marker + "U",
		PreferencesURL: c.marker + "P",
	}
	for i, g := range c.groups {
		if want[i] {
			data.Groups = append(data.Groups, g)
			data.Count += len(g.Items)
		}
	}
	data.Preheader = preheader(c.issue, data.Groups)
	// At most MaxItems items, and fewer while the parts would make a
	// message over the size budget: the rest are on the web page.
	all, total := data.Groups, data.Count
	n := min(total, c.opt.maxItems())
	for {
		data.Groups, data.Count = firstItems(all, n)
		data.More = total - data.Count
		b, err := c.render(data)
		if err != nil {
			return nil, err
		}
		size := b.text.size() + b.html.size()
		if size <= bodyBudget || n <= 1 {
			c.bodies[string(key)] = b
			return b, nil
		}
		n = max(1, min(n-1, n*bodyBudget/size))
	}
}

// bodyBudget bounds the encoded text and HTML parts of a message, leaving
// room under 100 KB for the headers, the signature and the recipient's
// values: Gmail clips a message over 102 KB, hiding its footer and
// unsubscribe link.
const bodyBudget = 90 << 10

// DefaultMaxItems is how many items a message carries at most when
// ComposerOptions.MaxItems is not set (email.max_items).
const DefaultMaxItems = 30

func (o ComposerOptions) maxItems() int {
	if o.MaxItems > 0 {
		return o.MaxItems
	}
	return DefaultMaxItems
}

// firstItems returns the first n items of groups, in order, and how many
// that is.
func firstItems(groups []digest.Group, n int) ([]digest.Group, int) {
	var out []digest.Group
	k := 0
	for _, g := range groups {
		if k == n {
			break
		}
		if len(g.Items) > n-k {
			g.Items = g.Items[:n-k]
		}
		out = append(out, g)
		k += len(g.Items)
	}
	return out, k
}

// render executes the templates for data and inlines the CSS.
func (c *Composer) render(data IssueData) (*rendering, error) {
	var tb, hb bytes.Buffer
	if err := c.text.Execute(&tb, data); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if err := c.html.Execute(&hb, data); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	inlined, err := inlineCSS(hb.String())
	if err != nil {
		return nil, err
	}
	b := &rendering{}
	if b.text, err = splitSlots(tidyText(tb.String()), c.marker); err != nil {
		return nil, fmt.Errorf("templates: email.txt: %w", err)
	}
	if b.html, err = splitSlots(inlined, c.marker); err != nil {
		return nil, fmt.Errorf("templates: email.html: %w", err)
	}
	return b, nil
}

// preheaderWidth is the display width of a preheader: about what the
// widest inbox list shows after the subject.
const preheaderWidth = 140

// preheader is the text an inbox shows after the subject: the editor's
// note, else the titles of the first items, rather than the greeting and
// the subject again.
func preheader(is *digest.Issue, groups []digest.Group) string {
	if s := headerText(is.IntroText()); s != "" {
		return text.Truncate(s, preheaderWidth)
	}
	var titles []string
	w := 0
	for _, g := range groups {
		for _, it := range g.Items {
			t := headerText(it.Title)
			titles = append(titles, t)
			if w += text.DisplayWidth(t) + 3; w >= preheaderWidth {
				return text.Truncate(strings.Join(titles, " · "), preheaderWidth)
			}
		}
	}
	return strings.Join(titles, " · ")
}

// inlineCSS moves the rules of the <style> elements into style
// attributes, so that clients that drop <style> (most webmails) keep the
// layout.
func inlineCSS(html string) (string, error) {
	p, err := premailer.NewPremailerFromString(html, premailer.NewOptions())
	if err != nil {
		return "", fmt.Errorf("templates: inline CSS: %w", err)
	}
	out, err := p.Transform()
	if err != nil {
		return "", fmt.Errorf("templates: inline CSS: %w", err)
	}
	return out + "\n", nil
}

// tidyText trims trailing spaces from each line (the text templates
// leave some), collapses runs of blank lines and ends the text with one
// newline. A signature separator "-- " keeps its space.
func tidyText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	for line := range strings.Lines(strings.TrimSpace(s)) {
		line = strings.TrimRight(line, "\r\n")
		if line != "-- " {
			line = strings.TrimRight(line, " \t")
		}
		if line == "" {
			blank++
			continue
		}
		if blank > 0 && b.Len() > 0 {
			b.WriteString("\n")
		}
		blank = 0
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

// recipient checks that email is a bare address fit for a To header.
func recipient(email string) (string, error) {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(email) {
		return "", fmt.Errorf("compose: invalid recipient address %q", email)
	}
	return a.Address, nil
}

// greet greets name, or nobody in particular when it is empty.
func greet(lang, name string) string {
	if name = headerText(name); name != "" {
		return digest.T(lang, "greeting_name", name)
	}
	return digest.T(lang, "greeting")
}
