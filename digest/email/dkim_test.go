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
	"github.com/digest-newsletter/digest/digest"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

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

func dkimSigner(t *testing.T, kind string) *DKIMSigner {
	t.Helper()
	s, err := LoadDKIMSigner("example.com", "digest2026", dkimTestKeys()[kind])
	if err != nil {
		t.Fatalf("LoadDKIMSigner(%s): %v", kind, err)
	}
	return s
}

// dkimVerify verifies raw against the signer's published key and returns
// the error of its one signature.
func dkimVerify(t *testing.T, s *DKIMSigner, raw []byte) (*dkim.Verification, error) {
	t.Helper()
	name, value := s.TXT()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != name {
				return nil, errors.New("no such record: " + domain)
			}
			return []string{value}, nil
		},
	})
	if err != nil {
		t.Fatalf("dkim.Verify: %v", err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d signatures, want 1", len(vs))
	}
	return vs[0], vs[0].Err
}

func TestDKIMSignature(t *testing.T) {
	for _, kind := range []string{"rsa-pkcs1", "rsa-pkcs8", "ed25519-pkcs8"} {
		t.Run(kind, func(t *testing.T) {
			s := dkimSigner(t, kind)
			opt := testOptions("en")
			opt.DKIM = s
			c, err := NewComposer(testIssue(), opt)
			if err != nil {
				t.Fatal(err)
			}
			raw, m := compose(t, c, testSubscribers["en"])
			if n := bytes.Count(raw, []byte("DKIM-Signature:")); n != 1 || !bytes.HasPrefix(raw, []byte("DKIM-Signature:")) {
				t.Fatalf("%d DKIM-Signature fields, want 1:\n%s", n, raw)
			}
			v, err := dkimVerify(t, s, raw)
			if err != nil {
				t.Fatalf("signature does not verify: %v\n%s", err, raw)
			}
			if v.Domain != "example.com" {
				t.Errorf("d= %q", v.Domain)
			}
			signed := strings.ToLower(strings.Join(v.HeaderKeys, ":"))
			for _, h := range []string{"from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post", "mime-version", "content-type"} {
				if !strings.Contains(":"+signed+":", ":"+h+":") {
					t.Errorf("h= %s lacks %s", signed, h)
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
			if n := bytes.Count(again.Bytes(), []byte("DKIM-Signature:")); n != 1 {
				t.Errorf("signing twice left %d signatures", n)
			}
			if _, err := dkimVerify(t, s, again.Bytes()); err != nil {
				t.Errorf("signed twice, does not verify: %v", err)
			}

			tampered := []struct {
				name   string
				change func(string) string
			}{
				{"List-Unsubscribe changed", func(s string) string {
					return strings.Replace(s, "/unsubscribe?t=", "/unsubscribe?x=", 1)
				}},
				{"List-Unsubscribe added", func(s string) string {
					// On top, where a verifier that signed only one would not look.
					return "List-Unsubscribe: <https://evil.example/>\r\n" + s
				}},
				{"List-Unsubscribe-Post removed", func(s string) string {
					return strings.Replace(s, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click", "", 1)
				}},
				{"Subject changed", func(s string) string {
					return strings.Replace(s, "Subject: =?UTF-8?q?Weekly", "Subject: =?UTF-8?q?Weakly", 1)
				}},
				{"body changed", func(s string) string {
					return strings.Replace(s, "Tokenizers split", "Tokenizers spilt", 1)
				}},
			}
			for _, tt := range tampered {
				bad := tt.change(string(raw))
				if bad == string(raw) {
					t.Fatalf("%s: tampering changed nothing", tt.name)
				}
				if _, err := dkimVerify(t, s, []byte(bad)); err == nil {
					t.Errorf("%s: signature still verifies", tt.name)
				}
			}
		})
	}
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
	good := dkimTestKeys()["ed25519-pkcs8"]
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
			if name, value := s.TXT(); name != "s1._domainkey.example.com" || !strings.HasPrefix(value, "v=DKIM1; k=ed25519; p=") {
				t.Errorf("%s: TXT() = %q, %q", tt.name, name, value)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

// BenchmarkComposeDKIM is BenchmarkCompose with signing; ns/op is per message.
func BenchmarkComposeDKIM(b *testing.B) {
	for _, kind := range []string{"rsa-pkcs1", "ed25519-pkcs8"} {
		b.Run(kind, func(b *testing.B) {
			s, err := LoadDKIMSigner("example.com", "digest2026", dkimTestKeys()[kind])
			if err != nil {
				b.Fatal(err)
			}
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
