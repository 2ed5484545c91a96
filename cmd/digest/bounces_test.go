package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/bounces/bouncetest"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/weekly"
)

const returnPath = "bounces@news.digest-weekly.net"

// A week of mail that comes back: a hard bounce, soft bounces (one report
// delivered twice), a spam complaint, a mailed unsubscribe and a reply.
// `digest bounces` suppresses the right readers once, leaves the reader
// with soft bounces under the limit on the list, handles each message
// once; the next send skips the suppressed; a third soft bounce suppresses
// that reader too. Once with a Maildir, once with a real IMAP server.
func TestBounces(t *testing.T) {
	for _, kind := range []string{"maildir", "imap"} {
		t.Run(kind, func(t *testing.T) {
			dir := sendDir(t)
			relay := mailertest.Start(t)
			var deliver func(msg []byte)
			switch kind {
			case "maildir":
				box := filepath.Join(dir, "bounces")
				for _, sub := range []string{"new", "cur", "tmp"} {
					os.MkdirAll(filepath.Join(box, sub), 0o700)
				}
				k := 0
				deliver = func(msg []byte) {
					k++
					if err := os.WriteFile(filepath.Join(box, "new", fmt.Sprintf("1764576000.M%dP1.mx", k)), msg, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				useRelay(t, dir, relay.Host, relay.Port, "return_path: "+returnPath+"\nbounces: {maildir: ./bounces}\n")
			case "imap":
				srv := bouncetest.StartIMAP(t)
				imapTLS = srv.TLSConfig
				t.Cleanup(func() { imapTLS = nil })
				t.Setenv(imapPasswordEnv, srv.Password)
				deliver = func(msg []byte) { srv.Deliver(t, "INBOX", msg) }
				useRelay(t, dir, relay.Host, relay.Port, "return_path: "+returnPath+"\nbounces: {imap: '"+srv.URL+"', move: Handled}\n")
			}

			// The first issue: mailed from VERP addresses, with a mailto:
			// into the bounce mailbox.
			if _, stderr, err := digestIn(t, dir, "send"); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr)
			}
			unsub := map[string]string{} // the reader's List-Unsubscribe header
			for _, m := range relay.Received() {
				if want := digest.VERP(returnPath, m.To[0]); m.From != want {
					t.Errorf("MAIL FROM %q, want %q", m.From, want)
				}
				msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
				if err != nil {
					t.Fatal(err)
				}
				unsub[m.To[0]] = msg.Header.Get("List-Unsubscribe")
			}
			wantFirst := []string{"alice@example.com", "bob@example.org", "tanaka@example.jp", "wang.fang@example.cn"}
			if got := received(relay, 0); fmt.Sprint(got) != fmt.Sprint(wantFirst) {
				t.Fatalf("first issue to %v, want %v", got, wantFirst)
			}
			link, mailto := unsubscribeTargets(t, unsub["wang.fang@example.cn"])
			if !strings.HasPrefix(mailto, returnPath) {
				t.Fatalf("List-Unsubscribe mailto: %q, want one to %s", mailto, returnPath)
			}
			tanakaLink, _ := unsubscribeTargets(t, unsub["tanaka@example.jp"])

			soft1 := bouncetest.DSN(returnPath, "bob@example.org", "delayed", "4.4.1", "soft1")
			deliver(bouncetest.DSN(returnPath, "alice@example.com", "failed", "5.1.1", "hard1"))
			deliver(soft1)
			deliver(soft1) // the same report, twice
			deliver(bouncetest.DSN(returnPath, "bob@example.org", "failed", "4.2.2", "soft2"))
			deliver(bouncetest.ARF(returnPath, "tanaka@example.jp", tanakaLink, "arf1"))
			deliver(mailedUnsubscribe(t, mailto, "wang.fang@example.cn"))
			deliver(bouncetest.Reply(returnPath, "alice@example.com", link, "reply1"))

			rep := readBounces(t, dir)
			if rep.Read != 7 || rep.HardBounces != 1 || rep.SoftBounces != 3 || rep.Complaints != 1 || rep.Unsubscribes != 1 || rep.Other != 1 || rep.Suppressed != 3 {
				t.Errorf("bounces: %+v", rep)
			}
			wantCauses := map[string]string{
				"alice@example.com":    digest.CauseBounced,
				"tanaka@example.jp":    digest.CauseComplained,
				"wang.fang@example.cn": digest.CauseUnsubscribed,
			}
			checkSuppressed(t, dir, wantCauses)
			if again := readBounces(t, dir); again.Read != 0 {
				t.Errorf("a second reading read %d messages, want none: each is handled once", again.Read)
			}

			// The next week's issue goes to the reader with soft bounces
			// under the limit, and to nobody suppressed.
			addClipping(t, dir)
			if _, stderr, err := digestAt(t, dir, "2026-12-07T08:00:00+08:00", "send"); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr)
			}
			if got := received(relay, 4); fmt.Sprint(got) != "[bob@example.org]" {
				t.Errorf("the next issue went to %v, want only bob@example.org", got)
			}

			// A third soft bounce suppresses bob.
			deliver(bouncetest.DSN(returnPath, "bob@example.org", "delayed", "4.4.1", "soft3"))
			if rep := readBounces(t, dir); rep.Read != 1 || rep.Suppressed != 1 {
				t.Errorf("third soft bounce: %+v", rep)
			}
			wantCauses["bob@example.org"] = digest.CauseSoftBounced
			checkSuppressed(t, dir, wantCauses)

			stdout, stderr, err := digestIn(t, dir, "status")
			if err != nil {
				t.Fatalf("status: %v\n%s", err, stderr)
			}
			if !strings.Contains(stdout, "4: 1 unsubscribed, 1 bounced, 1 soft-bounced, 1 complained") {
				t.Errorf("status does not count the suppressions by cause:\n%s", stdout)
			}
		})
	}
}

// received lists the recipients of the messages the relay got, from the
// from-th on, sorted.
func received(relay *mailertest.Server, from int) []string {
	var to []string
	for _, m := range relay.Received()[from:] {
		to = append(to, m.To...)
	}
	slices.Sort(to)
	return to
}

// unsubscribeTargets splits a List-Unsubscribe header into its https link
// and its mailto: (without the scheme).
func unsubscribeTargets(t *testing.T, header string) (link, mailto string) {
	t.Helper()
	for _, f := range strings.Split(header, ",") {
		f = strings.Trim(strings.TrimSpace(f), "<>")
		switch {
		case strings.HasPrefix(f, "https://"):
			link = f
		case strings.HasPrefix(f, "mailto:"):
			mailto = strings.TrimPrefix(f, "mailto:")
		}
	}
	if link == "" {
		t.Fatalf("List-Unsubscribe %q has no link", header)
	}
	return link, mailto
}

// mailedUnsubscribe is what a mail client sends for a mailto: URL.
func mailedUnsubscribe(t *testing.T, mailto, from string) []byte {
	t.Helper()
	u, err := url.Parse("mailto:" + mailto)
	if err != nil {
		t.Fatal(err)
	}
	subject := u.Query().Get("subject")
	return []byte("From: " + from + "\r\nTo: " + u.Opaque + "\r\nSubject: " + subject +
		"\r\nMessage-ID: <unsub." + from + ">\r\n\r\n")
}

func readBounces(t *testing.T, dir string) weekly.BounceReport {
	t.Helper()
	stdout, stderr, err := digestIn(t, dir, "bounces", "--json")
	if err != nil {
		t.Fatalf("bounces: %v\n%s", err, stderr)
	}
	var rep weekly.BounceReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	return rep
}

func checkSuppressed(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	stdout, stderr, err := digestIn(t, dir, "status", "--json")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, stderr)
	}
	var st weekly.Status
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range st.Suppressions {
		got[s.Email] = s.Reason
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
}

// addClipping adds a clipping of the next week to the vault.
func addClipping(t *testing.T, dir string) {
	t.Helper()
	note := "---\ntitle: Next week\nsource: https://example.org/next-week\ncreated: 2026-12-05T10:00:00Z\ntags: [AI]\n---\nWhat comes next, in one sentence.\n"
	if err := os.WriteFile(filepath.Join(dir, "vault", "Clippings", "Next week.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
}

// digestAt runs the command at another time than sendNow.
func digestAt(t *testing.T, dir, now string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	args = append([]string{"--config", filepath.Join(dir, "digest.yaml"), "--now", now}, args...)
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}
