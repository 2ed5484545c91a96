package email

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// dkimTestKeys returns PEM private keys of each supported kind, made once.
var dkimTestKeys = sync.OnceValue(func() map[string][]byte {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	return map[string][]byte{
		"rsa-pkcs1":     pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}),
		"rsa-pkcs8":     pkcs8(rsaKey),
		"ed25519-pkcs8": pkcs8(edKey),
	}
})

// dkimSigner returns a signer with the keys of kind: "rsa-pkcs1",
// "rsa-pkcs8", or "rsa+ed25519" (both, side by side).
func dkimSigner(t testing.TB, kind string) *DKIMSigner {
	t.Helper()
	rsaKind, ed := kind, false
	if kind == "rsa+ed25519" {
		rsaKind, ed = "rsa-pkcs8", true
	}
	s, err := LoadDKIMSigner("example.com", "digest2026", dkimTestKeys()[rsaKind])
	if err != nil {
		t.Fatalf("LoadDKIMSigner(%s): %v", kind, err)
	}
	if ed {
		if err := s.AddKey("ed2026", dkimTestKeys()["ed25519-pkcs8"]); err != nil {
			t.Fatalf("AddKey: %v", err)
		}
	}
	return s
}

// dkimVerify verifies raw against the signer's published keys, with
// go-msgauth, and returns the verifications of its signatures: one per
// key, or the test fails. err is the first signature's error.
func dkimVerify(t *testing.T, s *DKIMSigner, raw []byte) ([]*dkim.Verification, error) {
	t.Helper()
	records := s.Records()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			for _, r := range records {
				if r.Name == domain {
					return []string{r.Value}, nil
				}
			}
			return nil, errors.New("no such record: " + domain)
		},
	})
	if err != nil {
		t.Fatalf("dkim.Verify: %v", err)
	}
	if len(vs) != len(records) {
		t.Fatalf("%d signatures, want %d", len(vs), len(records))
	}
	for _, v := range vs {
		if v.Err != nil {
			return vs, v.Err
		}
	}
	return vs, nil
}

// oversignedTamper changes raw by adding a field on top of the header, or
// changing the value of the one there.
func tamperings(raw string) map[string]string {
	out := make(map[string]string)
	for _, h := range oversigned {
		out[h+" added on top"] = h + ": <https://evil.example/>\r\n" + raw
		head, _, _ := strings.Cut(raw, "\r\n\r\n")
		if i := strings.Index("\r\n"+head, "\r\n"+h+": "); i >= 0 {
			out[h+" changed"] = raw[:i+len(h)+2] + "X" + raw[i+len(h)+2:]
		}
	}
	out["body changed"] = strings.Replace(raw, "Tokenizers split", "Tokenizers spilt", 1)
	out["List-Unsubscribe-Post removed"] = strings.Replace(raw, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click", "", 1)
	return out
}

func TestDKIMSignature(t *testing.T) {
	for _, kind := range []string{"rsa-pkcs1", "rsa-pkcs8", "rsa+ed25519"} {
		t.Run(kind, func(t *testing.T) {
			s := dkimSigner(t, kind)
			opt := testOptions("en")
			opt.DKIM = s
			c, err := NewComposer(testIssue(), opt)
			if err != nil {
				t.Fatal(err)
			}
			raw, m := compose(t, c, testSubscribers["en"])
			want := len(s.Records())
			if n := bytes.Count(raw, []byte("DKIM-Signature:")); n != want || !bytes.HasPrefix(raw, []byte("DKIM-Signature:")) {
				t.Fatalf("%d DKIM-Signature fields, want %d on top:\n%s", n, want, raw)
			}
			vs, err := dkimVerify(t, s, raw)
			if err != nil {
				t.Fatalf("signature does not verify: %v\n%s", err, raw)
			}
			for _, v := range vs {
				if v.Domain != "example.com" {
					t.Errorf("d= %q", v.Domain)
				}
				signed := ":" + strings.ToLower(strings.Join(v.HeaderKeys, ":")) + ":"
				for _, h := range []string{"from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post", "reply-to", "cc", "sender", "precedence", "mime-version", "content-type"} {
					if !strings.Contains(signed, ":"+h+":") {
						t.Errorf("h= %s lacks %s", signed, h)
					}
				}
				for _, h := range []string{"from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post"} {
					if strings.Count(signed, ":"+h+":") != 2 && strings.Count(signed, ":"+h+":"+h+":") != 1 {
						t.Errorf("h= %s does not oversign %s", signed, h)
					}
				}
			}

			// Writing again, and signing again, give a message that verifies.
			var again bytes.Buffer
			m.WriteTo(&again)
			if _, err := dkimVerify(t, s, again.Bytes()); err != nil {
				t.Errorf("second write does not verify: %v", err)
			}
			if err := s.Sign(m); err != nil {
				t.Fatal(err)
			}
			again.Reset()
			m.WriteTo(&again)
			if n := bytes.Count(again.Bytes(), []byte("DKIM-Signature:")); n != want {
				t.Errorf("signing twice left %d signatures", n)
			}
			if _, err := dkimVerify(t, s, again.Bytes()); err != nil {
				t.Errorf("signed twice, does not verify: %v", err)
			}

			for name, bad := range tamperings(string(raw)) {
				if bad == string(raw) {
					t.Fatalf("%s: tampering changed nothing", name)
				}
				vs, _ := dkimVerify(t, s, []byte(bad))
				for i, v := range vs {
					if v.Err == nil {
						t.Errorf("%s: signature %d still verifies", name, i+1)
					}
				}
			}
		})
	}
}

// TestDKIMEveryKind: issue copies, test copies, confirmations and welcome
// mails are signed alike.
func TestDKIMEveryKind(t *testing.T) {
	for name, raw := range everyKind(t, dkimSigner(t, "rsa+ed25519")) {
		if _, err := dkimVerify(t, dkimSigner(t, "rsa+ed25519"), raw); err != nil {
			t.Errorf("%s does not verify: %v", name, err)
		}
	}
}

// everyKind returns a message of each kind the product mails, signed by s.
func everyKind(t *testing.T, s *DKIMSigner) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte)
	write := func(name string, m *Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b bytes.Buffer
		m.WriteTo(&b)
		out[name] = b.Bytes()
	}
	for _, lang := range []string{"en", "zh"} {
		opt := testOptions(lang)
		opt.DKIM = s
		is := testIssue()
		is.Title = testTitles[lang]
		c, err := NewComposer(is, opt)
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.Compose(testSubscribers[lang])
		write("issue-"+lang, m, err)
		m, err = c.ComposeTest(testSubscribers[lang], testDate)
		write("test-"+lang, m, err)
		expires := testDate.Add(48 * time.Hour)
		m, err = ComposeConfirm(opt, digest.Subscriber{Email: "new@example.com"}, "https://digest.example.com/confirm?t="+digest.ConfirmToken(testSecret, "new@example.com", "digest.example.com", expires), expires)
		write("confirm-"+lang, m, err)
		m, err = ComposeWelcome(opt, testSubscribers[lang], Welcome{PreferencesURL: "https://digest.example.com/preferences?t=x", IssueTitle: testTitles[lang], IssueURL: "https://digest.example.com/issues/2026-W48/"})
		write("welcome-"+lang, m, err)
	}
	return out
}

// TestDKIMOverSMTP sends a signed message through go-mail's client to a real
// SMTP server and verifies what the server received.
func TestDKIMOverSMTP(t *testing.T) {
	s := dkimSigner(t, "rsa-pkcs1")
	opt := testOptions("zh")
	opt.DKIM = s
	c, err := NewComposer(testIssue(), opt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Compose(testSubscribers["zh"])
	if err != nil {
		t.Fatal(err)
	}

	got := make(chan []byte, 1)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &dkimSession{got: got}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	var msg bytes.Buffer
	m.WriteTo(&msg)
	if err := gosmtp.SendMail(l.Addr().String(), nil, "bounce@example.com", []string{m.To}, msg.Bytes()); err != nil {
		t.Fatalf("send: %v", err)
	}
	raw := <-got
	if _, err := dkimVerify(t, s, raw); err != nil {
		t.Fatalf("received message does not verify: %v\n%s", err, raw)
	}
}

type dkimSession struct{ got chan<- []byte }

func (s *dkimSession) Reset()                                      {}
func (s *dkimSession) Logout() error                               { return nil }
func (s *dkimSession) Mail(from string, _ *smtp.MailOptions) error { return nil }
func (s *dkimSession) Rcpt(to string, _ *smtp.RcptOptions) error   { return nil }
func (s *dkimSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.got <- b
	return nil
}

func TestLoadDKIMSigner(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	ec8DER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	good := dkimTestKeys()["rsa-pkcs8"]
	tests := []struct {
		name, domain, selector string
		pem                    []byte
		want                   string
	}{
		{"ok", "example.com", "s1", good, ""},
		{"ok trailing dot", "example.com.", "s1", good, ""},
		{"no PEM", "example.com", "s1", []byte("not a key"), "no PEM block"},
		{"EC key", "example.com", "s1", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), "not an RSA or Ed25519"},
		{"EC PKCS8", "example.com", "s1", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ec8DER}), "not an RSA or Ed25519"},
		{"garbage DER", "example.com", "s1", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "dkim: key"},
		{"Ed25519 alone", "example.com", "s1", dkimTestKeys()["ed25519-pkcs8"], "Ed25519 key alone"},
		{"bad domain", "exa mple.com", "s1", good, "domain"},
		{"no dot", "localhost", "s1", good, "domain"},
		{"bad selector", "example.com", "s1;x", good, "selector"},
	}
	for _, tt := range tests {
		s, err := LoadDKIMSigner(tt.domain, tt.selector, tt.pem)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if rs := s.Records(); len(rs) != 1 || rs[0].Name != "s1._domainkey.example.com" || !strings.HasPrefix(rs[0].Value, "v=DKIM1; k=rsa; p=") {
				t.Errorf("%s: Records() = %q", tt.name, rs)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestDKIMAddKey(t *testing.T) {
	s := dkimSigner(t, "rsa-pkcs8")
	if err := s.AddKey("digest2026", dkimTestKeys()["ed25519-pkcs8"]); err == nil {
		t.Error("AddKey took a selector already in use")
	}
	if err := s.AddKey("ed 1", dkimTestKeys()["ed25519-pkcs8"]); err == nil {
		t.Error("AddKey took a bad selector")
	}
	if err := s.AddKey("ed1", dkimTestKeys()["ed25519-pkcs8"]); err != nil {
		t.Fatal(err)
	}
	rs := s.Records()
	if len(rs) != 2 || rs[1].Name != "ed1._domainkey.example.com" || !strings.HasPrefix(rs[1].Value, "v=DKIM1; k=ed25519; p=") {
		t.Errorf("Records() = %q", rs)
	}
}

// BenchmarkComposeDKIM is BenchmarkCompose with signing; ns/op is per message.
func BenchmarkComposeDKIM(b *testing.B) {
	for _, kind := range []string{"rsa-pkcs1", "rsa+ed25519"} {
		b.Run(kind, func(b *testing.B) {
			s := dkimSigner(b, kind)
			opt := testOptions("zh")
			opt.DKIM = s
			c, err := NewComposer(testIssue(), opt)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := c.Compose(digest.Subscriber{Email: fmt.Sprintf("reader%05d@example.com", i%10000)}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
