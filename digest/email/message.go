// Package email composes the mail of a list: each recipient's copy of an issue and
// the double opt-in confirmation, as multipart/alternative messages with
// their headers, quoted-printable parts and DKIM signature.
package email

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/text"
	"github.com/rivo/uniseg"
	"github.com/vanng822/go-premailer/premailer"
)

// Message is one recipient's copy of an issue (or a confirmation mail),
// ready to hand to an digest.SMTP relay or to write into a Maildir: header fields,
// then a multipart/alternative body of a plain-text and an HTML part, both
// quoted-printable. It is held as pieces, most of them shared by every copy
// of the issue, and written out afresh each time.
type Message struct {
	To        string // the recipient's bare address
	From      string // the sender's bare address, for the envelope
	MessageID string // with angle brackets, deterministic: <issue.hash(email)@site-host>

	dkim   []byte   // the DKIM-Signature field, when signed
	pieces [][]byte // the rest of the message, in digest.SMTP form (CRLF line ends)
	text   filled
	html   filled
}

// Len is the size of the written message in bytes.
func (m *Message) Len() int {
	n := len(m.dkim)
	for _, p := range m.pieces {
		n += len(p)
	}
	return n
}

// AppendTo appends the written message to dst. Its lines end in CRLF.
func (m *Message) AppendTo(dst []byte) []byte {
	dst = append(dst, m.dkim...)
	for _, p := range m.pieces {
		dst = append(dst, p...)
	}
	return dst
}

// AppendData appends the message as the content of SMTP DATA to dst: a '.'
// that begins a line is doubled (RFC 5321 §4.5.2). The final dot is left
// to the caller.
func (m *Message) AppendData(dst []byte) []byte {
	start := len(dst)
	dst = m.AppendTo(dst)
	if bytes.Contains(dst[start:], []byte("\n.")) {
		stuffed := bytes.ReplaceAll(dst[start:], []byte("\n."), []byte("\n.."))
		dst = append(dst[:start], stuffed...)
	}
	return dst // a message begins with a header field, never with a '.'
}

// WriteTo writes the message to w.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(m.AppendTo(make([]byte, 0, m.Len())))
	return int64(n), err
}

// Text is the content of the plain-text part, decoded.
func (m *Message) Text() string { return m.text.String() }

// HTML is the content of the HTML part, decoded.
func (m *Message) HTML() string { return m.html.String() }

// ErrNothingForSubscriber is returned by Composer.Compose when the
// subscriber's tags leave none of the issue's items: the issue is not sent
// to them, and a delivery counts them as skipped.
var ErrNothingForSubscriber = errors.New("nothing in the issue for the subscriber's tags")

// ComposerOptions is what every message of a list shares.
type ComposerOptions struct {
	Site      digest.Site
	From      string      // "Name <addr>", the From header
	Secret    []byte      // HMAC key of unsubscribe tokens (see digest.CheckSecret)
	List      string      // the list tokens are bound to and List-Id names; "" means digest.Site.Host()
	DKIM      *DKIMSigner // signs each message when set
	Templates fs.FS       // holds email.html, email.txt, confirm.html, confirm.txt (see package templates)
	Date      time.Time   // the Date header; zero means the issue's cutoff
}

// IssueData is what email.html and email.txt are given. Greeting, Email and
// UnsubscribeURL are per recipient: the templates are executed once per
// distinct set of groups with stand-ins for them, filled in for each
// recipient afterwards, so a template must place them unchanged.
type IssueData struct {
	Site           digest.Site
	Lang           string         // "zh" for a Chinese site, else "en"
	Issue          *digest.Issue  // the whole issue
	Groups         []digest.Group // the groups this recipient gets, in issue order
	Count          int            // the items in Groups
	IssueURL       string         // the issue on the web
	Greeting       string         // "Hi Alice," or "你好，王芳："
	Email          string         // the recipient's address
	UnsubscribeURL string         // one-click unsubscribe link for this recipient
}

// ConfirmData is what confirm.html and confirm.txt are given.
type ConfirmData struct {
	Site       digest.Site
	Lang       string // "zh" for a Chinese site, else "en"
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
	if c.html, err = htmltemplate.New("email.html").Funcs(htmlFuncs).ParseFS(opt.Templates, "email.html"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if c.text, err = texttemplate.New("email.txt").Funcs(textFuncs).ParseFS(opt.Templates, "email.txt"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	var nonce [8]byte
	rand.Read(nonce[:])
	c.marker = "DIGESTSLOT" + hex.EncodeToString(nonce[:])

	c.subject = mime.QEncoding.Encode("UTF-8", headerText(is.Title))
	c.issueURL = opt.Site.URL + "/" + is.Path()
	c.unsubBase = opt.Site.URL + "/unsubscribe?t="
	if opt.Site.Email != "" {
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
	c.lang = text.Lang(opt.Site.Language)
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

	unsub := c.unsubBase + digest.UnsubscribeToken(c.opt.Secret, addr, c.list)
	greeting := greet(c.lang, sub.Name)
	text := filled{b.text, [3]string{greeting, addr, unsub}}
	html := filled{b.html, [3]string{htmltemplate.HTMLEscapeString(greeting), htmltemplate.HTMLEscapeString(addr), htmltemplate.HTMLEscapeString(unsub)}}

	// Preformatted: each line is shorter than 998 bytes (a token is at
	// most 512).
	var list []byte
	unsubHeader := "<" + unsub + ">"
	if c.mailto != "" {
		unsubHeader += ",\r\n " + c.mailto
	}
	list = appendField(list, "List-Id", c.listID)
	list = appendField(list, "List-Unsubscribe", unsubHeader)
	list = appendField(list, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")

	id := MessageID(c.issue.ID, addr, c.opt.Site.Host())
	m, err := c.message(id, addr, headerText(sub.Name), c.subject, list, text, html)
	if err != nil {
		return nil, err
	}
	if err := c.sign(m); err != nil {
		return nil, err
	}
	return m, nil
}

// ComposeConfirm returns the double opt-in mail asking sub to confirm a
// subscription by opening confirmURL (made by the server from digest.ConfirmToken)
// before expires. It has no List-Unsubscribe: there is no subscription yet.
// Its Message-ID is deterministic in the address and opt.Date.
func ComposeConfirm(opt ComposerOptions, sub digest.Subscriber, confirmURL string, expires time.Time) (*Message, error) {
	c := &Composer{}
	if err := c.init(&opt, time.Time{}); err != nil {
		return nil, err
	}
	if c.date.IsZero() {
		return nil, errors.New("compose: no date: ComposerOptions.Date is not set")
	}
	if u, err := url.Parse(confirmURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(confirmURL, " \t\r\n\"'<>") {
		return nil, fmt.Errorf("compose: confirm URL %q is not an absolute http(s) URL", confirmURL)
	}
	addr, err := recipient(sub.Email)
	if err != nil {
		return nil, err
	}
	html, err := htmltemplate.New("confirm.html").Funcs(htmlFuncs).ParseFS(opt.Templates, "confirm.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	text, err := texttemplate.New("confirm.txt").Funcs(textFuncs).ParseFS(opt.Templates, "confirm.txt")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	subject := "Confirm your subscription to " + opt.Site.Title
	if c.lang == "zh" {
		subject = "请确认订阅" + opt.Site.Title
	}
	data := ConfirmData{
		Site:       c.opt.Site,
		Lang:       c.lang,
		Subject:    headerText(subject),
		Greeting:   greet(c.lang, sub.Name),
		Email:      addr,
		ConfirmURL: confirmURL,
		Expires:    expires,
	}
	var tb, hb bytes.Buffer
	if err := text.Execute(&tb, data); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if err := html.Execute(&hb, data); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	inlined, err := inlineCSS(hb.String())
	if err != nil {
		return nil, err
	}
	id := "<confirm." + addrHash(addr) + "." + strconv.FormatInt(c.date.Unix(), 10) + "@" + opt.Site.Host() + ">"
	m, err := c.message(id, addr, headerText(sub.Name), mime.QEncoding.Encode("UTF-8", data.Subject), nil, literalPart(tidyText(tb.String())), literalPart(inlined))
	if err != nil {
		return nil, err
	}
	if err := c.sign(m); err != nil {
		return nil, err
	}
	return m, nil
}

// message writes the header fields, extra ones (already written) among
// them, and the two parts shared by every kind of mail.
func (c *Composer) message(id, addr, name, subject string, extra []byte, text, html filled) (*Message, error) {
	boundary := c.boundary(id)
	if text.contains(boundary) || html.contains(boundary) {
		return nil, fmt.Errorf("compose %s: the body contains the MIME boundary", addr)
	}
	head := make([]byte, 0, 768+len(extra))
	head = appendField(head, "From", c.from.String())
	head = appendField(head, "To", (&mail.Address{Name: name, Address: addr}).String())
	head = appendField(head, "Subject", subject)
	head = appendField(head, "Date", c.date.Format(time.RFC1123Z))
	head = appendField(head, "Message-ID", id)
	head = append(head, extra...)
	head = appendField(head, "MIME-Version", "1.0")
	head = appendField(head, "Content-Type", "multipart/alternative;\r\n boundary="+boundary)
	head = append(head, "\r\n--"+boundary+"\r\n"+partHeader("text/plain")...)

	// The values of both parts are encoded into one buffer, then cut.
	vals := make([]byte, 0, 1024)
	var ends [2][3]int
	for p, f := range []filled{text, html} {
		for i, v := range f.vals {
			vals = appendQP(vals, v, false)
			ends[p][i] = len(vals)
		}
	}
	value := func(p, i int) []byte {
		start := 0
		switch {
		case i > 0:
			start = ends[p][i-1]
		case p > 0:
			start = ends[p-1][2]
		}
		return vals[start:ends[p][i]:ends[p][i]]
	}

	pieces := make([][]byte, 0, 6+2*(len(text.t.slots)+len(html.t.slots)))
	pieces = append(pieces, head)
	for p, f := range []filled{text, html} {
		if p == 1 {
			pieces = append(pieces, []byte("\r\n--"+boundary+"\r\n"+partHeader("text/html")))
		}
		enc := f.t.encoded()
		for i, k := range f.t.slots {
			pieces = append(pieces, enc[i], value(p, slotIndex(k)))
		}
		pieces = append(pieces, enc[len(enc)-1])
	}
	pieces = append(pieces, []byte("\r\n--"+boundary+"--\r\n"))
	return &Message{To: addr, From: c.from.Address, MessageID: id, pieces: pieces, text: text, html: html}, nil
}

// partHeader is the header of a part of content type ct, with the blank
// line that ends it.
func partHeader(ct string) string {
	return "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: " + ct + "; charset=UTF-8\r\n\r\n"
}

func (c *Composer) sign(m *Message) error {
	if c.opt.DKIM == nil {
		return nil
	}
	if err := c.opt.DKIM.Sign(m); err != nil {
		return fmt.Errorf("compose %s: %w", m.To, err)
	}
	return nil
}

// boundary is the MIME boundary of message id: fixed, so that the message
// reads the same every time it is written (goldens, digest.DKIM), and keyed with
// the secret, so that no clipped text can contain it and forge a part.
func (c *Composer) boundary(id string) string {
	h := hmac.New(sha256.New, c.opt.Secret)
	h.Write([]byte("digest mime boundary\x00"))
	h.Write([]byte(id))
	return boundaryPrefix + hex.EncodeToString(h.Sum(nil)[:16])
}

const boundaryPrefix = "digest-"

// MessageID is the Message-ID, with angle brackets, of the copy of issue
// issueID sent to email: the same on every run, so that a resend is
// recognisably the same message, and different for every address.
func MessageID(issueID, email, host string) string {
	return "<" + issueID + "." + addrHash(email) + "@" + host + ">"
}

// addrHash is 16 hex digits of the SHA-256 of an address.
func addrHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:8])
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
	}
	for i, g := range c.groups {
		if want[i] {
			data.Groups = append(data.Groups, g)
			data.Count += len(g.Items)
		}
	}
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
	c.bodies[string(key)] = b
	return b, nil
}

// Stand-ins of per-recipient values, after the marker.
const (
	slotGreeting = 'G'
	slotEmail    = 'E'
	slotUnsub    = 'U'
)

// slotted is a text with holes for the per-recipient values: lits[0],
// value of slots[0], lits[1], … lits[len(slots)].
type slotted struct {
	lits  []string
	slots []byte

	once     sync.Once
	qp       [][]byte // lits quoted-printable encoded, see encoded
	boundary bool     // some literal holds boundaryPrefix
}

func (t *slotted) prepare() {
	t.once.Do(func() {
		t.qp = make([][]byte, len(t.lits))
		for i, l := range t.lits {
			t.qp[i] = appendQP(nil, l, i == len(t.lits)-1)
			t.boundary = t.boundary || strings.Contains(l, boundaryPrefix)
		}
	})
}

// encoded returns the literals quoted-printable encoded, each as a run of
// its own (see appendQP), encoding them on first use.
func (t *slotted) encoded() [][]byte {
	t.prepare()
	return t.qp
}

// splitSlots cuts s at each stand-in. The unsubscribe link must be there.
func splitSlots(s, marker string) (*slotted, error) {
	t := &slotted{}
	for {
		i := strings.Index(s, marker)
		if i < 0 || i+len(marker) >= len(s) {
			break
		}
		k := s[i+len(marker)]
		if k != slotGreeting && k != slotEmail && k != slotUnsub {
			return nil, errors.New("a per-recipient value was changed")
		}
		t.lits = append(t.lits, s[:i])
		t.slots = append(t.slots, k)
		s = s[i+len(marker)+1:]
	}
	if strings.Contains(s, marker) {
		return nil, errors.New("a per-recipient value was changed")
	}
	t.lits = append(t.lits, s)
	if !bytes.Contains(t.slots, []byte{slotUnsub}) {
		return nil, errors.New("no unsubscribe link: the template must show .UnsubscribeURL")
	}
	return t, nil
}

// filled is a slotted with its holes filled: a part's content,
// written out afresh each time the message is, never copied whole.
type filled struct {
	t    *slotted
	vals [3]string // by slot: greeting, email, unsubscribe URL
}

func slotIndex(k byte) int {
	switch k {
	case slotGreeting:
		return 0
	case slotEmail:
		return 1
	}
	return 2
}

// contains reports whether s is in one of the literals or values. (One
// straddling both is not looked for: s is a MIME boundary no one can guess,
// and this check is only a second line of defence.)
func (f filled) contains(s string) bool {
	f.t.prepare()
	for _, l := range f.t.lits {
		if !f.t.boundary {
			break // the common case, spared a scan of the whole body
		}
		if strings.Contains(l, s) {
			return true
		}
	}
	for _, v := range f.vals {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// String is the part's content with the values in their holes.
func (f filled) String() string {
	var b strings.Builder
	for i, k := range f.t.slots {
		b.WriteString(f.t.lits[i])
		b.WriteString(f.vals[slotIndex(k)])
	}
	b.WriteString(f.t.lits[len(f.t.lits)-1])
	return b.String()
}

// literalPart is a part's content with no per-recipient holes.
func literalPart(s string) filled {
	return filled{t: &slotted{lits: []string{s}}}
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
	name = headerText(name)
	switch {
	case lang == "zh" && name != "":
		return "你好，" + name + "："
	case lang == "zh":
		return "你好："
	case name != "":
		return "Hi " + name + ","
	}
	return "Hi there,"
}

// headerText makes s fit for one header line: control characters and
// line or paragraph separators become spaces, runs of white space one.
func headerText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}), " ")
}

// phrase is s as the display-name phrase of a header (RFC 5322 §3.2.5): as
// it is when it is plain ASCII words, quoted when it is other ASCII, else
// RFC 2047 encoded words; base64 ones when it holds characters an encoded
// word in a phrase must not show (RFC 2047 §5(3)), as net/mail does.
func phrase(s string) string {
	switch {
	case isAtoms(s):
		return s
	case text.IsASCII(s):
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	case strings.ContainsAny(s, "\"#$%&'(),.:;<>@[]^`{|}~"):
		return mime.BEncoding.Encode("UTF-8", s)
	}
	return mime.QEncoding.Encode("UTF-8", s)
}

// isAtoms reports whether s is words of atext (RFC 5322 §3.2.3) separated
// by single spaces.
func isAtoms(s string) bool {
	for w := range strings.SplitSeq(s, " ") {
		if w == "" {
			return false
		}
		for _, r := range w {
			if r >= 0x7f || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)) {
				return false
			}
		}
	}
	return true
}

// isDotAtom reports whether s is a dot-atom of letters, digits, '-' and
// '_', as a List-Id needs.
func isDotAtom(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			default:
				return false
			}
		}
	}
	return true
}

// textWidth is how wide the text part's lines may be, in columns.
const textWidth = 72

var (
	textFuncs = texttemplate.FuncMap(funcs())
	htmlFuncs = htmltemplate.FuncMap(funcs())
)

func funcs() map[string]any {
	f := maps.Clone(digest.Funcs)
	f["wrap"] = wrap
	f["underline"] = func(char, text string) string {
		return strings.Repeat(char, max(1, min(uniseg.StringWidth(text), textWidth)))
	}
	f["meta"] = itemMeta
	return f
}

// itemMeta is an item's byline: authors · site · date · reading time.
func itemMeta(it digest.Item, lang string) string {
	var parts []string
	if a := strings.Join(it.Authors, ", "); strings.TrimSpace(a) != "" {
		parts = append(parts, a)
	}
	if it.Site != "" {
		parts = append(parts, it.Site)
	}
	if !it.Clipped.IsZero() {
		parts = append(parts, it.Clipped.Format("2006-01-02"))
	}
	if it.Minutes > 0 {
		if lang == "zh" {
			parts = append(parts, strconv.Itoa(it.Minutes)+" 分钟")
		} else {
			parts = append(parts, strconv.Itoa(it.Minutes)+" min")
		}
	}
	return headerText(strings.Join(parts, " · "))
}

// wrap fills s to textWidth columns, East Asian wide characters
// counting two. The first line starts with prefix, the others with as many
// spaces. Lines break at spaces and, inside runs of CJK, where Unicode line
// breaking allows (never before a closing mark); URLs and words wider than
// the line go whole on a line of their own.
func wrap(prefix, s string) string {
	indent := strings.Repeat(" ", uniseg.StringWidth(prefix))
	var b strings.Builder
	b.WriteString(prefix)
	col := uniseg.StringWidth(prefix)
	lineStart := true
	space := false // a space is owed before the next unit
	put := func(unit string, w int) {
		need := w
		if space {
			need++
		}
		if !lineStart && col+need > textWidth {
			b.WriteString("\n")
			b.WriteString(indent)
			col = len(indent)
			lineStart = true
		} else if space && !lineStart {
			b.WriteString(" ")
			col++
		}
		b.WriteString(unit)
		col += w
		lineStart = false
		space = false
	}
	for _, word := range strings.Fields(headerText(s)) {
		space = true
		if text.IsASCII(word) {
			put(word, uniseg.StringWidth(word))
			continue
		}
		// A URL inside CJK text, "（见https://example.com/）。", is one unit
		// with the segments next to it, and the text around it is broken as
		// usual.
		var units []string
		glue := false // the next segment joins the last unit
		for word != "" {
			pre, url, post := cutURL(word)
			state := -1
			for pre != "" {
				var seg string
				seg, pre, _, state = uniseg.FirstLineSegmentInString(pre, state)
				if glue {
					units[len(units)-1] += seg
					glue = false
				} else {
					units = append(units, seg)
				}
			}
			if url != "" {
				if len(units) > 0 {
					units[len(units)-1] += url
				} else {
					units = append(units, url)
				}
				glue = true
			}
			word = post
		}
		for _, u := range units {
			put(u, uniseg.StringWidth(u))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// cutURL cuts word around its first URL: the run of printable ASCII
// that holds "://". Without one, all of word is pre.
func cutURL(word string) (pre, url, post string) {
	i := strings.Index(word, "://")
	if i < 0 {
		return word, "", ""
	}
	start, end := i, i+3
	for start > 0 && word[start-1] > ' ' && word[start-1] < 0x7f {
		start--
	}
	for end < len(word) && word[end] > ' ' && word[end] < 0x7f {
		end++
	}
	return word[:start], word[start:end], word[end:]
}
