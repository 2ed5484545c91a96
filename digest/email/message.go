// Package email composes the mail of a list: each recipient's copy of an issue and
// the double opt-in confirmation, as multipart/alternative messages with
// their headers, quoted-printable parts and DKIM signature.
package email

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
)

// Message is one recipient's copy of an issue (or a confirmation mail),
// ready to hand to an SMTP relay or to write into a Maildir: header fields,
// then a multipart/alternative body of a plain-text and an HTML part, both
// quoted-printable. It is held as pieces, most of them shared by every copy
// of the issue, and written out afresh each time.
type Message struct {
	To        string // the recipient's bare address
	From      string // the sender's bare address, for the envelope
	MessageID string // with angle brackets, deterministic: <issue.hmac(issue, email, list)@site-host>

	dkim   []byte   // the DKIM-Signature field, when signed
	pieces [][]byte // the rest of the message, in SMTP form (CRLF line ends)
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

// message writes the header fields, extra ones (already written) among
// them, and the two parts shared by every kind of mail.
func (c *Composer) message(id, addr, name, subject string, date time.Time, extra []byte, text, html filled) (*Message, error) {
	boundary := c.boundary(id)
	if text.contains(boundary) || html.contains(boundary) {
		return nil, fmt.Errorf("compose %s: the body contains the MIME boundary", addr)
	}
	head := make([]byte, 0, 768+len(extra))
	head = appendField(head, "From", c.from.String())
	head = appendField(head, "To", (&mail.Address{Name: name, Address: addr}).String())
	head = appendField(head, "Subject", subject)
	head = appendField(head, "Date", date.Format(time.RFC1123Z))
	head = appendField(head, "Message-ID", id)
	head = append(head, extra...)
	head = appendField(head, "MIME-Version", "1.0")
	head = appendField(head, "Content-Type", "multipart/alternative;\r\n boundary="+boundary)
	head = append(head, "\r\n--"+boundary+"\r\n"+partHeader("text/plain")...)

	// The values of both parts are encoded into one buffer, then cut.
	vals := make([]byte, 0, 1024)
	var ends [2][slots]int
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
			start = ends[p-1][slots-1]
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

// boundary is the MIME boundary of message id: fixed, so that the message
// reads the same every time it is written (goldens, DKIM), and keyed with
// the secret, so that no clipped text can contain it and forge a part.
func (c *Composer) boundary(id string) string {
	h := hmac.New(sha256.New, c.opt.Secret)
	h.Write([]byte("digest mime boundary\x00"))
	h.Write([]byte(id))
	return boundaryPrefix + hex.EncodeToString(h.Sum(nil)[:16])
}

const boundaryPrefix = "digest-"

// MessageID is the Message-ID, with angle brackets, of the copy of issue
// issueID sent to email on list: the same on every run, so that a resend
// is recognisably the same message, different for every address and list,
// and keyed with secret, so that nobody who knows an address can predict
// (and pre-empt) it. The issue's id stays readable, for relay logs.
func MessageID(secret []byte, issueID, email, list, host string) string {
	return "<" + issueID + "." + mac(secret, "message-id", issueID, tokenAddr(email), list) + "@" + host + ">"
}

// mac is 32 hex digits of the HMAC-SHA256, under secret, of a label and
// fields, each length-prefixed so that no two lists of fields collide.
func mac(secret []byte, label string, fields ...string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("digest " + label + "\x00"))
	for _, f := range fields {
		h.Write(binary.AppendUvarint(nil, uint64(len(f))))
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// tokenAddr is the form of an address that Message-IDs are made of.
func tokenAddr(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
