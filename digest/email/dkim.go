package email

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/digest-newsletter/digest/digest"
	"github.com/emersion/go-msgauth/dkim"
)

// DKIMSigner signs outgoing mail for a domain (the dkim: setting): with an
// RSA key, and with an Ed25519 key beside it when one is added (RFC 8463),
// so that receivers that know only RSA still find a signature they verify.
//
// go-mail's own DKIM support refolds headers after signing, which breaks the
// signature once List-Unsubscribe is among the signed headers; Sign instead
// signs the message's bytes, exactly as they are sent, with go-msgauth, and
// puts the signature fields in front of them.
type DKIMSigner struct {
	Domain string // d=, where the keys are published
	keys   []dkimKey
}

type dkimKey struct {
	selector string // s=, the key's name under Domain
	key      crypto.Signer
}

// oversigned are the header fields a forger would most like to change or
// add. Each is signed once more than it occurs: signing the absence of a
// further instance keeps one from being added in transit, on top, where a
// reader would see it (RFC 6376 §8.15).
var oversigned = []string{
	"From", "Subject", "To", "Date", "Message-ID", "List-Id",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To", "Cc", "Sender",
}

// signedOnce are signed as they occur.
var signedOnce = []string{"Precedence", "MIME-Version", "Content-Type"}

// LoadDKIMSigner returns a signer for domain with the RSA private key in
// pemBytes (PKCS #1 or PKCS #8, at least 1024 bits), published under
// selector. An Ed25519 key goes beside it with AddKey: alone, it fails at
// receivers that know only RSA.
func LoadDKIMSigner(domain, selector string, pemBytes []byte) (*DKIMSigner, error) {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if !isDotAtom(domain) || !strings.Contains(domain, ".") {
		return nil, fmt.Errorf("dkim: domain %q is not a domain name", domain)
	}
	k, err := loadDKIMKey(selector, pemBytes)
	if err != nil {
		return nil, err
	}
	if _, ok := k.key.(*rsa.PrivateKey); !ok {
		return nil, errors.New("dkim: key: an Ed25519 key alone fails at receivers that know only RSA (RFC 8463 pairs them): give an RSA key, and this one beside it")
	}
	return &DKIMSigner{Domain: domain, keys: []dkimKey{k}}, nil
}

// AddKey adds a second key, in PEM, published under selector: an Ed25519
// key (PKCS #8) beside the RSA one. Every message is then signed with both.
func (s *DKIMSigner) AddKey(selector string, pemBytes []byte) error {
	k, err := loadDKIMKey(selector, pemBytes)
	if err != nil {
		return err
	}
	for _, o := range s.keys {
		if o.selector == k.selector {
			return fmt.Errorf("dkim: selector %q names two keys: give each key its own", k.selector)
		}
	}
	s.keys = append(s.keys, k)
	return nil
}

func loadDKIMKey(selector string, pemBytes []byte) (dkimKey, error) {
	selector = strings.TrimSpace(selector)
	if !isDotAtom(selector) {
		return dkimKey{}, fmt.Errorf("dkim: selector %q is not a DNS label", selector)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return dkimKey{}, errors.New("dkim: key: no PEM block found (want a key made by `openssl genpkey -algorithm RSA` or `-algorithm ed25519`)")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return dkimKey{}, fmt.Errorf("dkim: key: PEM block %q is not an RSA or Ed25519 private key", block.Type)
	}
	if err != nil {
		return dkimKey{}, fmt.Errorf("dkim: key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 1024 {
			return dkimKey{}, fmt.Errorf("dkim: key: RSA key of %d bits is too short, want at least 1024 (2048 is usual)", k.N.BitLen())
		}
		return dkimKey{selector, k}, nil
	case ed25519.PrivateKey:
		return dkimKey{selector, k}, nil
	}
	return dkimKey{}, fmt.Errorf("dkim: key: %T is not an RSA or Ed25519 key", key)
}

// TXTRecord is a DNS TXT record to publish.
type TXTRecord struct {
	Name    string // the owner name, without a final dot
	Value   string // the record's text, one string however long
	Comment string // what the record is for, and what to adjust
}

// Records returns the DNS records that publish the signer's public keys,
// one per key (selector._domainkey.domain), in signing order.
func (s *DKIMSigner) Records() []TXTRecord {
	var rs []TXTRecord
	for _, k := range s.keys {
		r := TXTRecord{Name: k.selector + "._domainkey." + s.Domain}
		switch pub := k.key.Public().(type) {
		case *rsa.PublicKey:
			der, err := x509.MarshalPKIXPublicKey(pub)
			if err != nil {
				panic("dkim: " + err.Error()) // cannot fail for an RSA key
			}
			r.Value = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
		case ed25519.PublicKey:
			r.Value = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
		}
		rs = append(rs, r)
	}
	return rs
}

// Sign adds a DKIM-Signature per key to m covering its body and its
// headers (see oversigned), with relaxed/relaxed canonicalization. Signing
// again replaces the signatures.
func (s *DKIMSigner) Sign(m *Message) error {
	m.dkim = nil
	raw := m.AppendTo(make([]byte, 0, m.Len()))
	keys := headerKeys(raw)
	var sigs []byte
	for _, k := range s.keys {
		signer, err := dkim.NewSigner(&dkim.SignOptions{
			Domain:                 s.Domain,
			Selector:               k.selector,
			Signer:                 k.key,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed,
			BodyCanonicalization:   dkim.CanonicalizationRelaxed,
			HeaderKeys:             keys,
		})
		if err != nil {
			return fmt.Errorf("dkim: %w", err)
		}
		if _, err := signer.Write(raw); err != nil {
			signer.Close()
			return fmt.Errorf("dkim: %w", err)
		}
		if err := signer.Close(); err != nil {
			return fmt.Errorf("dkim: %w", err)
		}
		// Signature is the whole field, "DKIM-Signature: v=1; …\r\n",
		// folded with CRLF and a space.
		sigs = append(sigs, signer.Signature()...)
	}
	m.dkim = sigs
	return nil
}

// headerKeys is the h= list for the message raw: every oversigned field
// once more than it occurs, the others as often as they occur.
func headerKeys(raw []byte) []string {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	count := make(map[string]int)
	for line := range bytes.SplitSeq(head, []byte("\r\n")) {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if name, _, ok := bytes.Cut(line, []byte(":")); ok {
			count[strings.ToLower(string(bytes.TrimSpace(name)))]++
		}
	}
	var keys []string
	for _, h := range oversigned {
		for range count[strings.ToLower(h)] + 1 {
			keys = append(keys, h)
		}
	}
	for _, h := range signedOnce {
		for range count[strings.ToLower(h)] {
			keys = append(keys, h)
		}
	}
	return keys
}

// LoadDKIM reads the keys the dkim setting names and returns their signer,
// or nil when d is nil (no signing).
func LoadDKIM(d *digest.DKIM) (*DKIMSigner, error) {
	if d == nil {
		return nil, nil
	}
	key, err := os.ReadFile(d.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("dkim.key_file: %w", err)
	}
	s, err := LoadDKIMSigner(d.Domain, d.Selector, key)
	if err != nil {
		return nil, err
	}
	if e := d.Ed25519; e != nil {
		key, err := os.ReadFile(e.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("dkim.ed25519.key_file: %w", err)
		}
		if err := s.AddKey(e.Selector, key); err != nil {
			return nil, fmt.Errorf("dkim.ed25519: %w", err)
		}
	}
	return s, nil
}
