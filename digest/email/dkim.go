package email

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// DKIMSigner signs outgoing mail for a domain (the dkim: setting).
//
// go-mail's own DKIM support refolds headers after signing, which breaks the
// signature once List-Unsubscribe is among the signed headers; Sign instead
// signs the message's bytes, exactly as they are sent, with go-msgauth, and
// puts the signature field in front of them.
type DKIMSigner struct {
	Domain   string // d=, where the key is published
	Selector string // s=, the key's name under Domain
	key      crypto.Signer
}

// signedHeaders are the header fields a signature covers. Those a
// forger would most like to change or add (From, Subject, the unsubscribe
// pair) are listed twice: signing the absence of a second instance keeps
// one from being added in transit.
var signedHeaders = []string{
	"From", "From", "To", "Subject", "Subject", "Date", "Message-ID",
	"List-Unsubscribe", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Unsubscribe-Post",
	"List-Id", "MIME-Version", "Content-Type",
}

// LoadDKIMSigner returns a signer for domain and selector with the private
// key in pemBytes: RSA (PKCS #1 or PKCS #8, at least 1024 bits) or Ed25519
// (PKCS #8).
func LoadDKIMSigner(domain, selector string, pemBytes []byte) (*DKIMSigner, error) {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	selector = strings.TrimSpace(selector)
	if !isDotAtom(domain) || !strings.Contains(domain, ".") {
		return nil, fmt.Errorf("dkim: domain %q is not a domain name", domain)
	}
	if !isDotAtom(selector) {
		return nil, fmt.Errorf("dkim: selector %q is not a DNS label", selector)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("dkim: key: no PEM block found (want a key made by `openssl genpkey -algorithm RSA` or `-algorithm ed25519`)")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("dkim: key: PEM block %q is not an RSA or Ed25519 private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("dkim: key: %w", err)
	}
	s := &DKIMSigner{Domain: domain, Selector: selector}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 1024 {
			return nil, fmt.Errorf("dkim: key: RSA key of %d bits is too short, want at least 1024 (2048 is usual)", k.N.BitLen())
		}
		s.key = k
	case ed25519.PrivateKey:
		s.key = k
	default:
		return nil, fmt.Errorf("dkim: key: %T is not an RSA or Ed25519 key", key)
	}
	return s, nil
}

// TXT returns the DNS record that publishes the signer's public key: its
// name (selector._domainkey.domain) and its TXT value.
func (s *DKIMSigner) TXT() (name, value string) {
	name = s.Selector + "._domainkey." + s.Domain
	switch pub := s.key.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			panic("dkim: " + err.Error()) // cannot fail for an RSA key
		}
		value = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		value = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	return name, value
}

// Sign adds a DKIM-Signature to m covering its body and main headers (From,
// To, Subject, Date, Message-ID, the List-* headers, MIME-Version and
// Content-Type), with relaxed/relaxed canonicalization. Signing again
// replaces the signature.
func (s *DKIMSigner) Sign(m *Message) error {
	signer, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 s.Domain,
		Selector:               s.Selector,
		Signer:                 s.key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	})
	if err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	m.dkim = nil
	if _, err := signer.Write(m.AppendTo(make([]byte, 0, m.Len()))); err != nil {
		signer.Close()
		return fmt.Errorf("dkim: %w", err)
	}
	if err := signer.Close(); err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	// Signature is the whole field, "DKIM-Signature: v=1; …\r\n", folded
	// with CRLF and a space.
	m.dkim = []byte(signer.Signature())
	return nil
}
