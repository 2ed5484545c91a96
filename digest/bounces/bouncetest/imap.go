package bouncetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAPServer is a real IMAP server (go-imap's imapmemserver) on 127.0.0.1,
// over TLS, with one user whose INBOX is the bounce mailbox.
type IMAPServer struct {
	URL       string      // imaps://user@127.0.0.1:port/INBOX
	Password  string      // the user's
	TLSConfig *tls.Config // trusts the server's certificate
	user      *imapmemserver.User
}

// StartIMAP starts a server, stopped when the test ends.
func StartIMAP(t testing.TB) *IMAPServer {
	t.Helper()
	cert, pool := selfSigned(t)
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("bounces", "imap-password")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
	})
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return &IMAPServer{
		URL:       "imaps://bounces@" + l.Addr().String() + "/INBOX",
		Password:  "imap-password",
		TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
		user:      user,
	}
}

// Deliver appends a message to mailbox, as the mail server would.
func (s *IMAPServer) Deliver(t testing.TB, mailbox string, msg []byte) {
	t.Helper()
	if _, err := s.user.Append(mailbox, bytes.NewReader(msg), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Seen returns how many messages mailbox holds, and how many of them are
// \Seen.
func (s *IMAPServer) Seen(t testing.TB, mailbox string) (all, seen int) {
	t.Helper()
	st, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatal(err)
	}
	return int(*st.NumMessages), int(*st.NumMessages) - int(*st.NumUnseen)
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bouncetest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
