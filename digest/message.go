package digest

import (
	"github.com/wneessen/go-mail"
)

// Message is one recipient's copy of an issue (or a confirmation mail),
// ready to hand to an SMTP relay or to write into a Maildir.
type Message struct {
	To        string    // the recipient's bare address
	MessageID string    // with angle brackets, deterministic: <issue.hash(email)@site-host>
	Msg       *mail.Msg // headers, text and HTML parts, DKIM-Signature when configured
}
