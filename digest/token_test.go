package digest

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	testSecret  = []byte("0123456789abcdef-test-secret")
	otherSecret = []byte("0123456789abcdef-other-secret")
	tokenNow    = time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC)
)

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func TestCheckSecret(t *testing.T) {
	tests := []struct {
		secret []byte
		ok     bool
	}{
		{nil, false},
		{[]byte{}, false},
		{[]byte("short"), false},
		{make([]byte, MinSecretLen-1), false},
		{make([]byte, MinSecretLen), true},
		{testSecret, true},
	}
	for _, tt := range tests {
		err := CheckSecret(tt.secret)
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrNoSecret) {
			t.Errorf("CheckSecret(%d bytes) = %v, want ok %v", len(tt.secret), err, tt.ok)
		}
	}
}

func TestTokenRefusesShortSecret(t *testing.T) {
	if _, err := VerifyUnsubscribeToken(nil, "AXU", "weekly"); !errors.Is(err, ErrNoSecret) {
		t.Errorf("VerifyUnsubscribeToken with no secret: got %v, want ErrNoSecret", err)
	}
	if _, err := VerifyConfirmToken([]byte("short"), "AXU", "weekly", tokenNow); !errors.Is(err, ErrNoSecret) {
		t.Errorf("VerifyConfirmToken with a short secret: got %v, want ErrNoSecret", err)
	}
	for name, mk := range map[string]func(){
		"UnsubscribeToken": func() { UnsubscribeToken(nil, "a@example.com", "weekly") },
		"ConfirmToken":     func() { ConfirmToken([]byte("short"), "a@example.com", "weekly", tokenNow) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with a bad secret did not panic", name)
				}
			}()
			mk()
		}()
	}
}

func TestUnsubscribeTokenRoundTrip(t *testing.T) {
	tests := []struct {
		email, list, want string
	}{
		{"a@example.com", "weekly", "a@example.com"},
		{"  Ann.Lee+news@Example.COM ", "weekly", "ann.lee+news@example.com"},
		{"用户@例子.中国", "未来趋势", "用户@例子.中国"},
		{"a@example.com", "", "a@example.com"},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", "weekly", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com"},
	}
	for _, tt := range tests {
		tok := UnsubscribeToken(testSecret, tt.email, tt.list)
		if strings.Trim(tok, tokenAlphabet) != "" {
			t.Errorf("token %q is not URL-safe base64", tok)
		}
		if got, err := VerifyUnsubscribeToken(testSecret, tok, tt.list); err != nil || got != tt.want {
			t.Errorf("VerifyUnsubscribeToken(UnsubscribeToken(%q, %q)) = %q, %v, want %q", tt.email, tt.list, got, err, tt.want)
		}
		if got := UnsubscribeToken(testSecret, tt.want, tt.list); got != tok {
			t.Errorf("token of %q = %q, token of %q = %q, want the same", tt.email, tok, tt.want, got)
		}
		if _, err := VerifyUnsubscribeToken(otherSecret, tok, tt.list); err != ErrBadToken {
			t.Errorf("verify with another secret: got %v, want ErrBadToken", err)
		}
		for _, list := range []string{tt.list + "x", strings.ToUpper(tt.list) + " ", "other"} {
			if list == tt.list {
				continue
			}
			if _, err := VerifyUnsubscribeToken(testSecret, tok, list); err != ErrBadToken {
				t.Errorf("verify for list %q of a token for %q: got %v, want ErrBadToken", list, tt.list, err)
			}
		}
	}
}

func TestConfirmTokenExpiry(t *testing.T) {
	expires := tokenNow.Add(48 * time.Hour)
	tok := ConfirmToken(testSecret, "A@Example.com", "weekly", expires)
	tests := []struct {
		now     time.Time
		list    string
		want    string
		wantErr error
	}{
		{tokenNow, "weekly", "a@example.com", nil},
		{expires.Add(-time.Second), "weekly", "a@example.com", nil},
		{expires, "weekly", "", ErrExpiredToken},
		{expires.Add(time.Hour), "weekly", "", ErrExpiredToken},
		{expires.Add(time.Hour), "daily", "", ErrBadToken}, // forged first, expired second
		{tokenNow, "daily", "", ErrBadToken},
		{time.Time{}, "weekly", "a@example.com", nil},
	}
	for _, tt := range tests {
		got, err := VerifyConfirmToken(testSecret, tok, tt.list, tt.now)
		if got != tt.want || err != tt.wantErr {
			t.Errorf("VerifyConfirmToken(list %q, now %v) = %q, %v, want %q, %v", tt.list, tt.now, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestTokenKindsAreSeparate(t *testing.T) {
	unsub := UnsubscribeToken(testSecret, "a@example.com", "weekly")
	confirm := ConfirmToken(testSecret, "a@example.com", "weekly", tokenNow.Add(time.Hour))
	if _, err := VerifyConfirmToken(testSecret, unsub, "weekly", tokenNow); err != ErrBadToken {
		t.Errorf("unsubscribe token as confirm token: got %v, want ErrBadToken", err)
	}
	if _, err := VerifyUnsubscribeToken(testSecret, confirm, "weekly"); err != ErrBadToken {
		t.Errorf("confirm token as unsubscribe token: got %v, want ErrBadToken", err)
	}

	// Relabelling the kind byte does not help either.
	for _, tc := range []struct {
		tok    string
		verify func(string) error
	}{
		{unsub, func(tok string) error {
			_, err := VerifyConfirmToken(testSecret, tok, "weekly", tokenNow)
			return err
		}},
		{confirm, func(tok string) error {
			_, err := VerifyUnsubscribeToken(testSecret, tok, "weekly")
			return err
		}},
	} {
		b, _ := base64.RawURLEncoding.DecodeString(tc.tok)
		for _, kind := range []byte{tokenUnsubscribe, tokenConfirm} {
			b[1] = kind
			if err := tc.verify(base64.RawURLEncoding.EncodeToString(b)); err != ErrBadToken {
				t.Errorf("kind relabelled %q: got %v, want ErrBadToken", kind, err)
			}
		}
	}
}

func TestTokenTampering(t *testing.T) {
	tokens := []struct {
		name   string
		tok    string
		verify func(string) (string, error)
	}{
		{"unsubscribe", UnsubscribeToken(testSecret, "a@example.com", "weekly"), func(tok string) (string, error) {
			return VerifyUnsubscribeToken(testSecret, tok, "weekly")
		}},
		{"confirm", ConfirmToken(testSecret, "a@example.com", "weekly", tokenNow.Add(time.Hour)), func(tok string) (string, error) {
			return VerifyConfirmToken(testSecret, tok, "weekly", tokenNow)
		}},
	}
	for _, tc := range tokens {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.verify(tc.tok); err != nil {
				t.Fatalf("untampered token: %v", err)
			}
			check := func(what, tok string) {
				t.Helper()
				if got, err := tc.verify(tok); err != ErrBadToken {
					t.Errorf("%s: got %q, %v, want ErrBadToken", what, got, err)
				}
			}
			for i := range len(tc.tok) {
				for _, c := range []byte(tokenAlphabet + "=+/.\n\r \x00\xff") {
					if c != tc.tok[i] {
						check(fmt.Sprintf("byte %d changed to %q", i, c), tc.tok[:i]+string(c)+tc.tok[i+1:])
					}
				}
				check("cut", tc.tok[:i])
				check("byte dropped", tc.tok[:i]+tc.tok[i+1:])
				check("newline inserted", tc.tok[:i]+"\n"+tc.tok[i:])
			}
			check("padded", tc.tok+"=")
			check("extended", tc.tok+"A")
			check("standard base64", base64.RawStdEncoding.EncodeToString(mustDecodeToken(t, tc.tok)))

			// The address does not show, and a flipped bit of it (CTR
			// lets one aim) is caught.
			b := mustDecodeToken(t, tc.tok)
			if strings.Contains(string(b), "example") {
				t.Errorf("token %q shows the address: %q", tc.tok, b)
			}
			for i := len(b) - tokenMACLen - len("a@example.com"); i < len(b)-tokenMACLen; i++ {
				forged := append([]byte{}, b...)
				forged[i] ^= 'a' ^ 'b'
				check(fmt.Sprintf("address byte %d flipped", i), base64.RawURLEncoding.EncodeToString(forged))
			}
			// Another version.
			for _, v := range []byte{0, tokenV1, tokenVersion + 1} {
				b[0] = v
				check(fmt.Sprintf("version %d", v), base64.RawURLEncoding.EncodeToString(b))
			}
		})
	}
}

// v1Token is a token as version 1 made it, the address in the clear.
func v1Token(secret []byte, kind byte, email, list string, exp []byte) string {
	b := append([]byte{tokenV1, kind}, exp...)
	b = append(b, email...)
	return base64.RawURLEncoding.EncodeToString(append(b, tokenMAC(secret, kind, list, b)...))
}

// TestTokenV1StillVerifies: links mailed before tokens were sealed keep
// working.
func TestTokenV1StillVerifies(t *testing.T) {
	unsub := v1Token(testSecret, tokenUnsubscribe, "a@example.com", "weekly", nil)
	if got, err := VerifyUnsubscribeToken(testSecret, unsub, "weekly"); err != nil || got != "a@example.com" {
		t.Errorf("v1 unsubscribe token: got %q, %v", got, err)
	}
	if _, err := VerifyUnsubscribeToken(otherSecret, unsub, "weekly"); err != ErrBadToken {
		t.Errorf("v1 token, other secret: got %v, want ErrBadToken", err)
	}
	if _, err := VerifyUnsubscribeToken(testSecret, unsub, "daily"); err != ErrBadToken {
		t.Errorf("v1 token, other list: got %v, want ErrBadToken", err)
	}
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], uint64(tokenNow.Add(time.Hour).Unix()))
	confirm := v1Token(testSecret, tokenConfirm, "a@example.com", "weekly", exp[:])
	if got, err := VerifyConfirmToken(testSecret, confirm, "weekly", tokenNow); err != nil || got != "a@example.com" {
		t.Errorf("v1 confirm token: got %q, %v", got, err)
	}
	if tok := UnsubscribeToken(testSecret, "a@example.com", "weekly"); tok == unsub || mustDecodeToken(t, tok)[0] != tokenVersion {
		t.Errorf("new token %q is not of version %d", tok, tokenVersion)
	}
}

func mustDecodeToken(t *testing.T, tok string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzVerifyToken(f *testing.F) {
	f.Add(UnsubscribeToken(testSecret, "a@example.com", "weekly"), "weekly")
	f.Add(ConfirmToken(testSecret, "a@example.com", "weekly", tokenNow.Add(time.Hour)), "weekly")
	f.Add(ConfirmToken(testSecret, "用户@例子.中国", "", tokenNow.Add(-time.Hour)), "")
	f.Add("", "weekly")
	f.Add("AXU", "weekly")
	f.Add(v1Token(testSecret, tokenUnsubscribe, "a@example.com", "weekly", nil), "weekly")
	f.Add(strings.Repeat("A", 600), "x")
	f.Fuzz(func(t *testing.T, token, list string) {
		// Whatever verifies must be exactly a token the secret would issue:
		// random or mutated input never does.
		if email, err := VerifyUnsubscribeToken(testSecret, token, list); err == nil {
			if want := UnsubscribeToken(testSecret, email, list); token != want && token != v1Token(testSecret, tokenUnsubscribe, email, list, nil) {
				t.Errorf("unsubscribe token %q verified for %q, want only %q", token, email, want)
			}
		} else if err != ErrBadToken {
			t.Errorf("got error %v, want ErrBadToken", err)
		}
		email, err := VerifyConfirmToken(testSecret, token, list, tokenNow)
		switch err {
		case nil, ErrExpiredToken:
			b, _ := base64.RawURLEncoding.DecodeString(token)
			exp := time.Unix(int64(binary.BigEndian.Uint64(b[2:10])), 0)
			sealed := b[10 : len(b)-tokenMACLen]
			if b[0] == tokenVersion {
				seal(testSecret, b[len(b)-tokenMACLen:], sealed)
			}
			carried := string(sealed)
			if err == nil && email != carried {
				t.Errorf("confirm token carrying %q verified for %q", carried, email)
			}
			if want := ConfirmToken(testSecret, carried, list, exp); token != want && token != v1Token(testSecret, tokenConfirm, carried, list, b[2:10]) {
				t.Errorf("confirm token %q has a valid MAC, want only %q", token, want)
			}
			if expired := err != nil; expired != !exp.After(tokenNow) {
				t.Errorf("token expiring %v at %v: got %v", exp, tokenNow, err)
			}
		case ErrBadToken:
		default:
			t.Errorf("got error %v, want ErrBadToken or ErrExpiredToken", err)
		}
	})
}

func BenchmarkUnsubscribeToken(b *testing.B) {
	b.Run("make", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			UnsubscribeToken(testSecret, "ann.lee+news@example.com", "weekly")
		}
	})
	b.Run("verify", func(b *testing.B) {
		tok := UnsubscribeToken(testSecret, "ann.lee+news@example.com", "weekly")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := VerifyUnsubscribeToken(testSecret, tok, "weekly"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
