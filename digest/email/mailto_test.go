package email

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest"
)

// With a bounce mailbox, List-Unsubscribe offers a mailto: to it whose
// subject carries the reader's own token, so a mailed request lands where
// digest bounces reads it and names its reader.
func TestUnsubscribeMailto(t *testing.T) {
	opt := testOptions("en")
	opt.UnsubscribeMailto = "bounces@digest.example.com"
	c, err := NewComposer(testIssue(), opt)
	if err != nil {
		t.Fatal(err)
	}
	sub := digest.Subscriber{Email: "ann@example.com", Status: digest.StatusActive}
	raw, _ := compose(t, c, sub)
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	lu := msg.Header.Get("List-Unsubscribe")
	want := "<mailto:bounces@digest.example.com?subject=unsubscribe%20" + digest.UnsubscribeToken(testSecret, sub.Email, opt.List) + ">"
	if !strings.Contains(lu, want) || strings.Count(lu, "mailto:") != 1 {
		t.Errorf("List-Unsubscribe = %q, want it to hold %q once", lu, want)
	}

	opt.UnsubscribeMailto = "Bounces <b@x.example>"
	if _, err := NewComposer(testIssue(), opt); err == nil {
		t.Error("an unsubscribe mailto with a display name was accepted")
	}
}
