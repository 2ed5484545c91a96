package bounces_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/bounces"
	"github.com/digest-newsletter/digest/digest/bounces/bouncetest"
)

const (
	returnPath = "bounces@news.example.net"
	list       = "news.example.net"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func parser() *bounces.Parser {
	return &bounces.Parser{ReturnPath: returnPath, Token: func(tok string) (string, bool) {
		e, err := digest.VerifyUnsubscribeToken(secret, tok, list)
		return e, err == nil
	}}
}

func unsubURL(email string) string {
	return "https://news.example.net/unsubscribe?t=" + digest.UnsubscribeToken(secret, email, list)
}

func TestParse(t *testing.T) {
	forged := digest.UnsubscribeToken([]byte("another secret, not the list's one"), "eve@example.org", list)
	tests := []struct {
		name   string
		msg    []byte
		kind   bounces.Kind
		email  string
		status string
	}{
		{"hard bounce", bouncetest.DSN(returnPath, "alice@example.org", "failed", "5.1.1", "d1"), bounces.HardBounce, "alice@example.org", "5.1.1"},
		{"soft bounce, failed 4xx", bouncetest.DSN(returnPath, "bob@example.org", "failed", "4.2.2", "d2"), bounces.SoftBounce, "bob@example.org", "4.2.2"},
		{"soft bounce, delayed", bouncetest.DSN(returnPath, "bob@example.org", "delayed", "4.4.1", "d3"), bounces.SoftBounce, "bob@example.org", "4.4.1"},
		{"delivered is no bounce", bouncetest.DSN(returnPath, "bob@example.org", "delivered", "2.0.0", "d4"), bounces.None, "", ""},
		{"complaint", bouncetest.ARF(returnPath, "carol@example.org", unsubURL("carol@example.org"), "a1"), bounces.Complaint, "carol@example.org", ""},
		{"complaint, token forged: VERP of the original", bouncetest.ARF(returnPath, "carol@example.org", "https://news.example.net/unsubscribe?t="+forged, "a2"), bounces.Complaint, "carol@example.org", ""},
		{"mailed unsubscribe", bouncetest.Unsubscribe(returnPath, "Dave <dave.other@example.org>", digest.UnsubscribeToken(secret, "dave@example.org", list), "u1"), bounces.Unsubscribe, "dave@example.org", ""},
		{"mailed unsubscribe, forged token", bouncetest.Unsubscribe(returnPath, "eve@example.org", forged, "u2"), bounces.None, "", ""},
		{"mailed unsubscribe from the VERP-named reader", bouncetest.Unsubscribe(digest.VERP(returnPath, "erin@example.org"), "Erin <erin@example.org>", "", "u3"), bounces.Unsubscribe, "erin@example.org", ""},
		{"mailed unsubscribe to a VERP address of another", bouncetest.Unsubscribe(digest.VERP(returnPath, "erin@example.org"), "eve@example.org", "", "u4"), bounces.None, "", ""},
		{"reply quoting the link", bouncetest.Reply(digest.VERP(returnPath, "frank@example.org"), "frank@example.org", unsubURL("frank@example.org"), "r1"), bounces.None, "", ""},
		{"not mail", []byte("\x00\x01 garbage"), bounces.None, "", ""},
		{"empty", nil, bounces.None, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := parser().Parse(bytes.NewReader(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Kind != tc.kind || rep.Email != tc.email || rep.Status != tc.status {
				t.Errorf("got %+v, want %s %q %q", rep, tc.kind, tc.email, tc.status)
			}
		})
	}
}

// TestParseFinalRecipient: without a VERP address (a relay that rewrote the
// envelope sender), the DSN's Final-Recipient names the reader.
func TestParseFinalRecipient(t *testing.T) {
	msg := bouncetest.DSN("other@news.example.net", "alice@example.org", "failed", "5.1.1", "d1")
	rep, err := parser().Parse(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != bounces.HardBounce || rep.Email != "alice@example.org" || !strings.Contains(rep.Detail, "Recipient address rejected") {
		t.Errorf("got %+v", rep)
	}
	if rep.MessageID != "<d1@mx.example.org>" {
		t.Errorf("message id = %q", rep.MessageID)
	}
}

// TestParseCut: a DSN cut after its report (MaxSize) still reads.
func TestParseCut(t *testing.T) {
	msg := bouncetest.DSN(returnPath, "alice@example.org", "failed", "5.1.1", "d1")
	cut := msg[:bytes.Index(msg, []byte("Undelivered Message Headers"))]
	rep, err := parser().Parse(bytes.NewReader(cut))
	if err != nil || rep.Kind != bounces.HardBounce || rep.Email != "alice@example.org" {
		t.Errorf("got %+v, %v", rep, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(bouncetest.DSN(returnPath, "alice@example.org", "failed", "5.1.1", "d1"))
	f.Add(bouncetest.ARF(returnPath, "carol@example.org", unsubURL("carol@example.org"), "a1"))
	f.Add(bouncetest.Unsubscribe(returnPath, "dave@example.org", digest.UnsubscribeToken(secret, "dave@example.org", list), "u1"))
	f.Add(bouncetest.Reply(returnPath, "frank@example.org", "", "r1"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		rep, err := parser().Parse(bytes.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Kind != bounces.None && rep.Kind != bounces.Unsubscribe && rep.Email != "" && !strings.Contains(rep.Email, "@") {
			t.Errorf("email %q is no address", rep.Email)
		}
	})
}
