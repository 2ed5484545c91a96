// Package bounces reads the mail that comes back to the return path: delivery
// status notifications (RFC 3464), spam complaints in the Abuse Reporting
// Format (RFC 5965) and unsubscribe requests mailed to the mailto: of
// List-Unsubscribe. Parse tells them apart and names the reader each is
// about; a Mailbox (a Maildir, or an IMAP folder) holds them until handled.
//
// The reader is known best from the address the report came back to: every
// copy is sent with a VERP-tagged envelope sender (digest.VERP), so a bounce
// for alice@example.org arrives at bounces+alice=example.org@…, whatever the
// remote server writes in the report. Final-Recipient (DSN),
// Original-Rcpt-To (ARF) or the headers of the returned message are the
// fallbacks. A mailed unsubscribe is honoured when its subject carries the
// unsubscribe token, or when it comes from the very address its VERP tag
// names.
package bounces

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/digest-newsletter/digest/digest"
)

// Kind is what a message of the bounce mailbox is.
type Kind string

const (
	None        Kind = "none"        // none of the below: an auto-reply, spam, a reply
	HardBounce  Kind = "hard bounce" // delivery failed for good (status 5.x.x)
	SoftBounce  Kind = "soft bounce" // delivery failed or was delayed for now (status 4.x.x)
	Complaint   Kind = "complaint"   // the reader reported the mail as spam
	Unsubscribe Kind = "unsubscribe" // the reader mailed the List-Unsubscribe address
)

// MaxSize bounds how much of a message is read: the reports come first;
// the returned original, after them, may be cut.
const MaxSize = 1 << 20

// Report is what one message says.
type Report struct {
	Kind      Kind   `json:"kind"`
	Email     string `json:"email,omitempty"`      // the reader it is about; "" when none could be told
	Status    string `json:"status,omitempty"`     // the DSN status code, such as 5.1.1
	Detail    string `json:"detail,omitempty"`     // the diagnostic, or the feedback type
	MessageID string `json:"message_id,omitempty"` // of the report itself
}

// Parser tells the messages of the bounce mailbox apart.
type Parser struct {
	// ReturnPath is the envelope sender the VERP addresses are made from.
	ReturnPath string
	// Token returns the address an unsubscribe token was made for, and
	// whether it is valid (made with the list's secret).
	Token func(token string) (email string, ok bool)
}

// envelopeFields are the header fields that may hold the address a
// message was delivered to, most trustworthy first (the delivery agent
// adds the first ones).
var envelopeFields = []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc"}

// Parse reads one message. A message that cannot be read as mail is None,
// not an error: it is handled like any other. Only a failing reader is an
// error.
func (p *Parser) Parse(r io.Reader) (Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize))
	if err != nil {
		return Report{}, err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Report{Kind: None, Detail: "not a mail message: " + err.Error()}, nil
	}
	rep := Report{Kind: None, MessageID: strings.TrimSpace(msg.Header.Get("Message-Id"))}
	verp := p.verpRecipient(textproto.MIMEHeader(msg.Header))

	parts := collect(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	switch {
	case parts.status != nil:
		p.dsn(&rep, parts.status, verp)
	case parts.feedback != nil:
		p.arf(&rep, parts, verp)
	default:
		p.unsubscribe(&rep, msg, verp)
	}
	return rep, nil
}

// verpRecipient returns the reader named by the VERP address the message
// was delivered to, or "".
func (p *Parser) verpRecipient(h textproto.MIMEHeader) string {
	if p.ReturnPath == "" {
		return ""
	}
	for _, f := range envelopeFields {
		for _, v := range h.Values(f) {
			addrs, err := mail.ParseAddressList(v)
			if err != nil {
				addrs = []*mail.Address{{Address: strings.Trim(strings.TrimSpace(v), "<>")}}
			}
			for _, a := range addrs {
				if e, ok := digest.UnVERP(p.ReturnPath, a.Address); ok {
					return e
				}
			}
		}
	}
	return ""
}

// parts are the pieces of a report found in a message.
type parts struct {
	status   []byte // message/delivery-status
	feedback []byte // message/feedback-report
	original []byte // message/rfc822 or text/rfc822-headers: the mail reported on
}

// collect walks the MIME tree of a message (a few levels deep) for the parts
// of a report.
func collect(h textproto.MIMEHeader, body io.Reader, depth int) parts {
	var ps parts
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || depth > 3 {
		return ps
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			return ps // the end, or a cut: keep what was found
		}
		pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		var content []byte
		if pt != "" && !strings.HasPrefix(pt, "multipart/") {
			content, _ = io.ReadAll(decode(part.Header.Get("Content-Transfer-Encoding"), part))
		}
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			ps.status = content
		case "message/feedback-report":
			ps.feedback = content
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			if ps.original == nil {
				ps.original = content
			}
		default:
			if strings.HasPrefix(pt, "multipart/") {
				sub := collect(part.Header, part, depth+1)
				if ps.status == nil {
					ps.status = sub.status
				}
				if ps.feedback == nil {
					ps.feedback = sub.feedback
				}
				if ps.original == nil {
					ps.original = sub.original
				}
			}
		}
	}
}

// decode undoes a part's transfer encoding.
func decode(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// fieldBlocks reads the blank-line separated groups of header-like fields
// of a delivery-status or feedback-report part.
func fieldBlocks(b []byte) []textproto.MIMEHeader {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(bytes.TrimLeft(b, "\r\n"))))
	var blocks []textproto.MIMEHeader
	for len(blocks) < 100 {
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 {
			blocks = append(blocks, h)
		}
		if err != nil {
			break
		}
		// Skip extra blank lines between groups.
		for {
			peek, err := r.R.Peek(1)
			if err != nil || (peek[0] != '\n' && peek[0] != '\r') {
				break
			}
			r.R.ReadByte()
		}
		if _, err := r.R.Peek(1); err != nil {
			break
		}
	}
	return blocks
}

// dsn reads a delivery status notification: the first recipient whose
// delivery failed or was delayed.
func (p *Parser) dsn(rep *Report, status []byte, verp string) {
	blocks := fieldBlocks(status)
	for _, b := range blocks {
		action := strings.ToLower(strings.TrimSpace(b.Get("Action")))
		code := strings.TrimSpace(b.Get("Status"))
		if i := strings.IndexAny(code, " \t("); i >= 0 {
			code = code[:i]
		}
		switch {
		case action == "failed" && strings.HasPrefix(code, "5."):
			rep.Kind = HardBounce
		case action == "failed" || action == "delayed":
			rep.Kind = SoftBounce
		default:
			continue
		}
		rep.Status = code
		rep.Detail = oneLine(b.Get("Diagnostic-Code"))
		rep.Email = verp
		if rep.Email == "" {
			rep.Email = typedAddress(b.Get("Final-Recipient"))
		}
		if rep.Email == "" {
			rep.Email = typedAddress(b.Get("Original-Recipient"))
		}
		return
	}
	rep.Detail = "a delivery status notification of no failure"
}

// arf reads a feedback report: a complaint unless it says not-spam.
func (p *Parser) arf(rep *Report, ps parts, verp string) {
	var fields textproto.MIMEHeader
	if blocks := fieldBlocks(ps.feedback); len(blocks) > 0 {
		fields = blocks[0]
	} else {
		fields = textproto.MIMEHeader{}
	}
	typ := strings.ToLower(strings.TrimSpace(fields.Get("Feedback-Type")))
	rep.Detail = "feedback type " + typ
	if typ == "not-spam" || typ == "" {
		return
	}
	rep.Kind = Complaint
	rep.Email = verp
	if rep.Email == "" && ps.original != nil {
		rep.Email = p.originalRecipient(ps.original)
	}
	if rep.Email == "" {
		rep.Email = typedAddress(fields.Get("Original-Rcpt-To"))
	}
}

// originalRecipient finds the reader in the headers of the mail a report
// returns: its verified unsubscribe token, its VERP Return-Path, its To.
func (p *Parser) originalRecipient(orig []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(orig))
	if err != nil {
		if m, err = mail.ReadMessage(io.MultiReader(bytes.NewReader(orig), strings.NewReader("\r\n\r\n"))); err != nil {
			return ""
		}
	}
	if p.Token != nil {
		for _, v := range strings.FieldsFunc(m.Header.Get("List-Unsubscribe"), func(r rune) bool { return strings.ContainsRune("<>, \t", r) }) {
			if u, err := url.Parse(v); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
				if e, ok := p.Token(u.Query().Get("t")); ok {
					return e
				}
			}
		}
	}
	if e := p.verpRecipient(textproto.MIMEHeader{"To": {m.Header.Get("Return-Path")}}); e != "" {
		return e
	}
	if to, err := mail.ParseAddressList(m.Header.Get("To")); err == nil && len(to) == 1 {
		return to[0].Address
	}
	return ""
}

// unsubscribe reads a mail that may be an unsubscribe request: its subject
// says unsubscribe and carries a valid token, or it comes from the reader
// its VERP address names. Auto-replies are never requests.
func (p *Parser) unsubscribe(rep *Report, msg *mail.Message, verp string) {
	if as := strings.ToLower(strings.TrimSpace(msg.Header.Get("Auto-Submitted"))); as != "" && as != "no" {
		rep.Detail = "an automatic reply"
		return
	}
	subject := msg.Header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
		subject = d
	}
	words := strings.Fields(subject)
	if len(words) == 0 || !strings.EqualFold(strings.Trim(words[0], ":"), "unsubscribe") {
		rep.Detail = "neither a report nor an unsubscribe request"
		return
	}
	if p.Token != nil {
		for _, w := range words[1:] {
			if e, ok := p.Token(w); ok {
				rep.Kind, rep.Email = Unsubscribe, e
				return
			}
		}
	}
	if verp != "" {
		if from, err := mail.ParseAddress(msg.Header.Get("From")); err == nil && strings.EqualFold(from.Address, verp) {
			rep.Kind, rep.Email = Unsubscribe, verp
			return
		}
	}
	rep.Detail = "an unsubscribe request without a valid token, from an address it does not name"
}

// typedAddress reads "rfc822; alice@example.org".
func typedAddress(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ';'); i >= 0 {
		if !strings.EqualFold(strings.TrimSpace(v[:i]), "rfc822") && !strings.EqualFold(strings.TrimSpace(v[:i]), "utf-8") {
			return ""
		}
		v = v[i+1:]
	}
	v = strings.Trim(strings.TrimSpace(v), "<>")
	if strings.ContainsAny(v, " \t<>") || strings.Count(v, "@") != 1 {
		return ""
	}
	return v
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
