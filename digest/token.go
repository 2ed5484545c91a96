package digest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token errors. Callers branch on them: ErrBadToken and ErrExpiredToken are
// the visitor's problem (a 4xx page), ErrNoSecret is the owner's (refuse to
// start).
var (
	ErrBadToken     = errors.New("invalid token")
	ErrExpiredToken = errors.New("expired token")
	ErrNoSecret     = errors.New("no secret configured")
)

// MinSecretLen is the shortest secret CheckSecret accepts.
const MinSecretLen = 16

// CheckSecret returns an error wrapping ErrNoSecret unless secret is at least
// MinSecretLen bytes. Check the configured secret once at start: the token
// constructors panic on a secret that fails it.
func CheckSecret(secret []byte) error {
	if len(secret) == 0 {
		return ErrNoSecret
	}
	if len(secret) < MinSecretLen {
		return fmt.Errorf("%w: secret is %d bytes, want at least %d", ErrNoSecret, len(secret), MinSecretLen)
	}
	return nil
}

// A token is base64url, without padding, of
//
//	version (1 byte) | kind (1 byte) | [expiry, unix seconds, 8 bytes] | sealed email | MAC (16 bytes)
//
// where MAC is HMAC-SHA256, truncated to 128 bits, keyed with the secret,
// over a label naming the kind, the length-prefixed list, and the token
// with the email in the clear in place of the sealed one. The email is
// sealed with AES-256-CTR under a key derived from the secret, the MAC as
// its IV (a synthetic IV, as in RFC 5297): the token names its address to
// the server without a lookup, and to nobody else, and the same address
// always gets the same token. The list is not in the token; the verifier
// supplies it.
//
// Version 1 tokens carried the email in the clear; those already mailed
// keep verifying, and no new ones are made.
const (
	tokenV1          = 1
	tokenVersion     = 2
	tokenUnsubscribe = 'u'
	tokenConfirm     = 'c'
	tokenPreferences = 'p'
	tokenMACLen      = 16
	tokenMaxLen      = 512 // encoded; an address is at most 254 bytes
)

var tokenEncoding = base64.RawURLEncoding.Strict()

// UnsubscribeToken returns the token of the unsubscribe link and
// List-Unsubscribe header for email on list. It panics if CheckSecret(secret)
// fails.
func UnsubscribeToken(secret []byte, email, list string) string {
	return makeToken(secret, tokenUnsubscribe, email, list, nil)
}

// VerifyUnsubscribeToken returns the address an unsubscribe token was made
// for, or ErrBadToken if it was not made with secret for list.
func VerifyUnsubscribeToken(secret []byte, token, list string) (email string, err error) {
	email, _, err = verifyToken(secret, tokenUnsubscribe, token, list)
	return email, err
}

// PreferencesToken returns the token of the preferences link in every
// mail to email on list. It panics if CheckSecret(secret) fails.
func PreferencesToken(secret []byte, email, list string) string {
	return makeToken(secret, tokenPreferences, email, list, nil)
}

// VerifyPreferencesToken returns the address a preferences token was made
// for, or ErrBadToken if it was not made with secret for list.
func VerifyPreferencesToken(secret []byte, token, list string) (email string, err error) {
	email, _, err = verifyToken(secret, tokenPreferences, token, list)
	return email, err
}

// ConfirmToken returns the token of the double opt-in link sent to email
// when it subscribes to list, valid until expires (to the second). It panics
// if CheckSecret(secret) fails. A confirm token is never an unsubscribe
// token, and the reverse.
func ConfirmToken(secret []byte, email, list string, expires time.Time) string {
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], uint64(expires.Unix()))
	return makeToken(secret, tokenConfirm, email, list, exp[:])
}

// VerifyConfirmToken returns the address a confirm token was made for,
// ErrBadToken if it was not made with secret for list, or ErrExpiredToken if
// it was but now is at or past its expiry.
func VerifyConfirmToken(secret []byte, token, list string, now time.Time) (email string, err error) {
	email, exp, err := verifyToken(secret, tokenConfirm, token, list)
	if err != nil {
		return "", err
	}
	if now.Unix() >= int64(binary.BigEndian.Uint64(exp)) {
		return "", ErrExpiredToken
	}
	return email, nil
}

// tokenEmail is the form of an address that tokens carry and compare.
func tokenEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func makeToken(secret []byte, kind byte, email, list string, exp []byte) string {
	if err := CheckSecret(secret); err != nil {
		panic("digest: token made with a bad secret: " + err.Error())
	}
	b := make([]byte, 0, 2+len(exp)+len(email)+tokenMACLen)
	b = append(b, tokenVersion, kind)
	b = append(b, exp...)
	head := len(b)
	b = append(b, tokenEmail(email)...)
	mac := tokenMAC(secret, kind, list, b)
	seal(secret, mac, b[head:])
	b = append(b, mac...)
	return tokenEncoding.EncodeToString(b)
}

// verifyToken checks token and returns the email and expiry bytes (nil for
// kinds without) it carries.
func verifyToken(secret []byte, kind byte, token, list string) (email string, exp []byte, err error) {
	if err := CheckSecret(secret); err != nil {
		return "", nil, err
	}
	if len(token) > tokenMaxLen {
		return "", nil, ErrBadToken
	}
	// Decoding skips CR and LF; a token has neither.
	if strings.ContainsAny(token, "\r\n") {
		return "", nil, ErrBadToken
	}
	b, err := tokenEncoding.DecodeString(token)
	if err != nil {
		return "", nil, ErrBadToken
	}
	expLen := 0
	if kind == tokenConfirm {
		expLen = 8
	}
	if len(b) < 2+expLen+tokenMACLen || (b[0] != tokenVersion && b[0] != tokenV1) || b[1] != kind {
		return "", nil, ErrBadToken
	}
	body, mac := b[:len(b)-tokenMACLen], b[len(b)-tokenMACLen:]
	if b[0] == tokenVersion {
		seal(secret, mac, body[2+expLen:]) // CTR: sealing again opens
	}
	if !hmac.Equal(mac, tokenMAC(secret, kind, list, body)) {
		return "", nil, ErrBadToken
	}
	return string(body[2+expLen:]), body[2 : 2+expLen], nil
}

// tokenMAC returns the truncated HMAC of a token body for list. The label
// and the kind keep the two kinds of token apart even if their layouts
// should one day coincide.
func tokenMAC(secret []byte, kind byte, list string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("digest token\x00"))
	m.Write([]byte{kind})
	m.Write(binary.AppendUvarint(nil, uint64(len(list))))
	m.Write([]byte(list))
	m.Write(body)
	return m.Sum(nil)[:tokenMACLen]
}

// seal encrypts (or decrypts) b in place with AES-256-CTR under a key
// derived from secret, iv being the token's MAC.
func seal(secret, iv, b []byte) {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("digest token sealing key\x00"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic("digest: " + err.Error()) // a 32-byte key is always valid
	}
	cipher.NewCTR(block, iv).XORKeyStream(b, b)
}
