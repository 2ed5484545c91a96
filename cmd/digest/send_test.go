package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

// sendNow is inside the window of the first issue of testdata/send/vault.
const (
	sendNow    = "2026-11-30T08:00:00+08:00"
	sendIssue  = "2026-W49"
	sendSecret = "send-test-secret-0123456789abcdef"
)

// sendDir copies testdata/send into a fresh folder and returns it.
func sendDir(t *testing.T) string {
	t.Helper()
	t.Setenv("DIGEST_SECRET", sendSecret)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/send")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// useRelay points the configuration in dir at an SMTP server, waiting long
// for the reply to the final dot (a busy machine is slow).
func useRelay(t *testing.T, dir, host string, port int, extra string) {
	t.Helper()
	useRelayFinal(t, dir, host, port, 10*time.Second, extra)
}

// useRelayFinal is useRelay waiting final for the reply to the final dot.
func useRelayFinal(t *testing.T, dir, host string, port int, final time.Duration, extra string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "digest.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "smtp: {host: %s, port: %d, tls: none, timeout: 500ms, final_timeout: %v}\n%s", host, port, final, extra)
}

// writeSubscribers replaces the subscribers file with n generated ones.
func writeSubscribers(t *testing.T, dir string, n int) []string {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,name\n")
	var emails []string
	for i := range n {
		e := fmt.Sprintf("reader%03d@example.com", i)
		emails = append(emails, e)
		fmt.Fprintf(&b, "%s,Reader %d\n", e, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "subscribers.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return emails
}

// digestIn runs the command in process against the configuration in dir.
func digestIn(t *testing.T, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	args = append([]string{"--config", filepath.Join(dir, "digest.yaml"), "--now", sendNow}, args...)
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

// sendReport is what send --json prints: a weekly.SendReport, or a
// weekly.TrialReport for --to and --dry-run.
type sendReport struct {
	Issue            string   `json:"issue"`
	Sent             int      `json:"sent"`
	Failed           int      `json:"failed"`
	Skipped          int      `json:"skipped"`
	Unknown          int      `json:"unknown"`
	Invalid          int      `json:"invalid"`
	Suppressed       int      `json:"suppressed"`
	Unsubscribed     int      `json:"unsubscribed"`
	Already          int      `json:"already_sent"`
	Pending          int      `json:"pending"`
	Outbox           string   `json:"outbox"`
	Unmailed         []string `json:"unmailed"`
	UnknownAddresses []string `json:"unknown_addresses"`
	Note             string   `json:"note"`
	// A trial's
	To        string `json:"to"`
	DryRun    bool   `json:"dry_run"`
	Written   int    `json:"written"`
	Delivered int    `json:"delivered"`
}

func decodeReport(t *testing.T, stdout string) sendReport {
	t.Helper()
	var r sendReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	return r
}

func ledger(t *testing.T, dir string) map[string]digest.Delivery {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, ".digest", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := map[string]digest.Delivery{}
	// Over the relay, or (recorded apart) into the outbox.
	for _, key := range []string{sendIssue + "/outbox", sendIssue} {
		st.Deliveries(context.Background(), key, "", func(d digest.Delivery) error { m[d.Email] = d; return nil })
	}
	return m
}

// parseMail checks that data is a complete newsletter message and returns it.
func parseMail(t *testing.T, name string, data []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if lu := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(lu, "<https://news.digest-weekly.net/unsubscribe?t=") {
		t.Errorf("%s: List-Unsubscribe = %q", name, lu)
	}
	if p := m.Header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Errorf("%s: List-Unsubscribe-Post = %q", name, p)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("%s: Content-Type %q", name, m.Header.Get("Content-Type"))
	}
	body, _ := io.ReadAll(m.Body)
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, ct)
	}
	if fmt.Sprint(parts) != "[text/plain text/html]" {
		t.Errorf("%s: parts %v", name, parts)
	}
	m.Body = bytes.NewReader(body)
	return m
}

// outbox reads the messages of the Maildir in dir, by recipient.
func outbox(t *testing.T, dir string) map[string]*mail.Message {
	t.Helper()
	files, err := os.ReadDir(filepath.Join(dir, "outbox", "new"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	m := map[string]*mail.Message{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, "outbox", "new", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		msg := parseMail(t, f.Name(), data)
		to, err := mail.ParseAddress(msg.Header.Get("To"))
		if err != nil {
			t.Fatal(err)
		}
		if m[to.Address] != nil {
			t.Errorf("%s has two messages in the outbox", to.Address)
		}
		m[to.Address] = msg
	}
	return m
}

func TestSendOutbox(t *testing.T) {
	dir := sendDir(t)
	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	r := decodeReport(t, stdout)
	want := sendReport{Issue: sendIssue, Sent: 4, Skipped: 1, Invalid: 2, Unsubscribed: 1, Outbox: "outbox"}
	if r.Issue != want.Issue || r.Sent != want.Sent || r.Skipped != want.Skipped || r.Invalid != want.Invalid ||
		r.Unsubscribed != want.Unsubscribed || r.Failed != 0 || r.Unknown != 0 || r.DryRun {
		t.Errorf("report %+v", r)
	}
	for _, line := range []string{"subscribers.csv:8: invalid address", "subscribers.csv:9: duplicate address ALICE@example.com (first on line 2)"} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}
	msgs := outbox(t, dir)
	for _, e := range []string{"alice@example.com", "wang.fang@example.cn", "tanaka@example.jp", "bob@example.org"} {
		m := msgs[e]
		if m == nil {
			t.Errorf("no message for %s", e)
			continue
		}
		if id := m.Header.Get("Message-Id"); id != email.MessageID([]byte(sendSecret), sendIssue, e, "news.digest-weekly.net", "news.digest-weekly.net") {
			t.Errorf("%s: Message-ID %s", e, id)
		}
	}
	if len(msgs) != 4 {
		t.Errorf("%d messages in the outbox, want 4", len(msgs))
	}
	for e, d := range ledger(t, dir) {
		if d.State != digest.Sent {
			t.Errorf("%s is %s", e, d.State)
		}
	}

	// Again: the issue is finished, nothing is sent.
	stdout, _, err = digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeReport(t, stdout); r.Sent != 0 || r.Already != 4 || !strings.Contains(r.Note, "nothing more to send") {
		t.Errorf("second run: %+v", r)
	}
	if n := len(outbox(t, dir)); n != 4 {
		t.Errorf("%d messages after the second run", n)
	}
	// A newcomer gets it only when asked with --issue.
	f, _ := os.OpenFile(filepath.Join(dir, "subscribers.csv"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("late@example.com,Late\n")
	f.Close()
	stdout, _, _ = digestIn(t, dir, "send", "--json")
	if r := decodeReport(t, stdout); r.Sent != 0 {
		t.Errorf("a finished issue was sent to a newcomer: %+v", r)
	}
	stdout, _, err = digestIn(t, dir, "send", "--issue", sendIssue, "--json")
	if r := decodeReport(t, stdout); err != nil || r.Sent != 1 || r.Already != 4 {
		t.Errorf("--issue: %+v, %v", r, err)
	}
	if msgs := outbox(t, dir); len(msgs) != 5 || msgs["late@example.com"] == nil {
		t.Errorf("outbox has %d messages", len(msgs))
	}

	stdout, _, err = digestIn(t, dir, "status", "--json")
	if err != nil || !strings.Contains(stdout, `"sent": 5`) {
		t.Errorf("status: %v\n%s", err, stdout)
	}
}

func TestSendDryRun(t *testing.T) {
	dir := sendDir(t)
	stdout, stderr, err := digestIn(t, dir, "send", "--dry-run", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if r := decodeReport(t, stdout); !r.DryRun || r.Written != 4 || r.Sent != 0 || r.Skipped != 1 {
		t.Errorf("report %+v", r)
	}
	if n := len(outbox(t, dir)); n != 4 {
		t.Errorf("%d messages in the outbox, want 4", n)
	}
	// No state: no issue saved, no ledger, no site.
	stdout, _, _ = digestIn(t, dir, "status", "--json")
	if !strings.Contains(stdout, `"issues": []`) {
		t.Errorf("a dry run changed the state:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("a dry run published the site")
	}
}

func TestSendTo(t *testing.T) {
	dir := sendDir(t)
	stdout, stderr, err := digestIn(t, dir, "send", "--to", "Me@Example.NET", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if r := decodeReport(t, stdout); r.Delivered != 1 || r.Sent != 0 || r.To != "Me@example.net" {
		t.Errorf("report %+v", r)
	}
	msgs := outbox(t, dir)
	if len(msgs) != 1 || msgs["Me@example.net"] == nil {
		t.Errorf("outbox: %v", msgs)
	}
	if l := ledger(t, dir); len(l) != 0 {
		t.Errorf("--to touched the ledger: %v", l)
	}
	if _, _, err := digestIn(t, dir, "send", "--to", "nope"); err == nil || !strings.Contains(err.Error(), "--to") {
		t.Errorf("bad --to: %v", err)
	}
	if _, _, err := digestIn(t, dir, "send", "--to", "me@example.net", "--resend-unknown"); err == nil {
		t.Error("--to with --resend-unknown accepted")
	}
}

func TestSendNothingNew(t *testing.T) {
	dir := sendDir(t)
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"--config", filepath.Join(dir, "digest.yaml"), "--now", "2027-03-01T08:00:00+08:00", "send"}, &o, &e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.String(), "no issue: no new clippings tagged #AI or #未来趋势 between") || !strings.Contains(e.String(), "nothing sent") {
		t.Errorf("stderr: %s", e.String())
	}
	if n := len(outbox(t, dir)); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

func TestSendErrors(t *testing.T) {
	dir := sendDir(t)
	os.Remove(filepath.Join(dir, "subscribers.csv"))
	if _, _, err := digestIn(t, dir, "send"); err == nil || !strings.Contains(err.Error(), "subscribers.csv does not exist") {
		t.Errorf("missing subscribers: %v", err)
	}
	t.Setenv("DIGEST_SECRET", "")
	if _, _, err := digestIn(t, dir, "send"); err == nil || !strings.Contains(err.Error(), "DIGEST_SECRET") {
		t.Errorf("no secret: %v", err)
	}
	t.Setenv("DIGEST_SECRET", sendSecret)
	if _, _, err := digestIn(t, dir, "send", "--issue", "1999-W01"); err == nil || !strings.Contains(err.Error(), "no such issue") {
		t.Errorf("unknown issue: %v", err)
	}
}

func TestSendSMTP(t *testing.T) {
	srv := mailertest.Start(t)
	dir := sendDir(t)
	emails := writeSubscribers(t, dir, 40)
	useRelayFinal(t, dir, srv.Host, srv.Port, 1500*time.Millisecond, "send: {concurrency: 3, retries: 3}\n")
	temp, reject, drop, hang := emails[4], emails[9], emails[17], emails[30]
	srv.Set(temp, mailertest.TempOnce)
	srv.Set(reject, mailertest.Reject)
	srv.Set(drop, mailertest.DropOnce)
	srv.Set(hang, mailertest.HangOnce)

	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	r := decodeReport(t, stdout)
	if r.Sent != 38 || r.Failed != 1 || r.Pending != 0 || r.Unknown != 1 || fmt.Sprint(r.UnknownAddresses) != "["+hang+"]" {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(stderr, reject+": failed") || !strings.Contains(stderr, "550") {
		t.Errorf("the failure is not reported:\n%s", stderr)
	}
	count := srv.Count()
	for _, m := range srv.Received() {
		parseMail(t, m.To[0], m.Data)
	}
	rows := ledger(t, dir)
	for _, e := range emails {
		want, state := 1, digest.Sent
		switch e {
		case reject:
			want, state = 0, digest.Failed
		case hang: // no answer to the final dot: in doubt, not retried
			want, state = 0, digest.Unknown
		}
		if count[e] != want || rows[e].State != state {
			t.Errorf("%s: %d copies, %s; want %d, %s", e, count[e], rows[e].State, want, state)
		}
	}
	// 451 after the data: tried again; dropped before the data: sent at
	// once on a new connection; no answer after the dot: left alone.
	for e, want := range map[string]int{temp: 2, drop: 1, hang: 1} {
		if rows[e].Attempts != want {
			t.Errorf("%s: %d tries, want %d", e, rows[e].Attempts, want)
		}
	}
	if rows[reject].Code != 550 {
		t.Errorf("failed row %+v", rows[reject])
	}
}

// TestSendAfterTheDot plays relays that take the message, then answer the
// final dot too late, close the connection, or never answer (§9): nobody
// gets two copies, the three are reported unknown by send and status, a
// plain send leaves them alone, and --resend-unknown sends exactly those.
func TestSendAfterTheDot(t *testing.T) {
	srv := mailertest.Start(t)
	srv.Late = 4 * time.Second
	dir := sendDir(t)
	emails := writeSubscribers(t, dir, 12)
	useRelayFinal(t, dir, srv.Host, srv.Port, 1500*time.Millisecond, "send: {concurrency: 3}\n")
	late, closed, silent := emails[1], emails[6], emails[10]
	srv.Set(late, mailertest.StoreLateOnce)
	srv.Set(closed, mailertest.StoreCloseOnce)
	srv.Set(silent, mailertest.StoreHangOnce)
	inDoubt := []string{late, closed, silent}

	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	r := decodeReport(t, stdout)
	if r.Sent != 9 || r.Unknown != 3 || r.Pending != 0 || r.Failed != 0 || fmt.Sprint(r.UnknownAddresses) != fmt.Sprint(inDoubt) {
		t.Errorf("report %+v", r)
	}
	for _, want := range append([]string{"3 recipients of " + sendIssue + " may or may not have it",
		"--issue " + sendIssue + " --resend-unknown"}, inDoubt...) {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	for _, e := range emails {
		if n := srv.Count()[e]; n != 1 {
			t.Errorf("%s: %d copies, want 1", e, n)
		}
	}
	stdout, _, err = digestIn(t, dir, "status", "--json")
	if err != nil || !strings.Contains(stdout, `"unknown": 3`) {
		t.Errorf("status: %v\n%s", err, stdout)
	}

	stdout, _, err = digestIn(t, dir, "send", "--json")
	if r := decodeReport(t, stdout); err != nil || r.Sent != 0 || r.Unknown != 3 {
		t.Errorf("plain send after: %+v, %v", r, err)
	}
	stdout, _, err = digestIn(t, dir, "send", "--issue", sendIssue, "--resend-unknown", "--json")
	if r := decodeReport(t, stdout); err != nil || r.Sent != 3 || r.Unknown != 0 {
		t.Errorf("--resend-unknown: %+v, %v", r, err)
	}
	count := srv.Count()
	for _, e := range emails {
		want := 1
		if slices.Contains(inDoubt, e) {
			want = 2
		}
		if count[e] != want {
			t.Errorf("%s: %d copies after the resend, want %d", e, count[e], want)
		}
	}
}

// TestSendUnknown plays a run that died with two messages in flight, then
// the runs after it: the two are reported, not resent, until asked.
func TestSendUnknown(t *testing.T) {
	srv := mailertest.Start(t)
	dir := sendDir(t)
	emails := writeSubscribers(t, dir, 6)
	useRelay(t, dir, srv.Host, srv.Port, "")
	ctx := context.Background()

	// The dead run: built the issue, added everyone, marked two sending.
	if _, _, err := digestIn(t, dir, "build"); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, ".digest", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	var rs []digest.Recipient
	for _, e := range emails {
		rs = append(rs, digest.Recipient{Email: e})
	}
	st.StartSend(ctx, sendIssue, false, time.Now())
	st.AddRecipients(ctx, sendIssue, 1, rs, time.Now())
	id := func(e string) string {
		return email.MessageID([]byte(sendSecret), sendIssue, e, "news.digest-weekly.net", "news.digest-weekly.net")
	}
	st.Apply(ctx, sendIssue, []digest.Change{
		{Email: emails[1], From: digest.Pending, To: digest.Sending, MessageID: id(emails[1]), Attempts: 1},
		{Email: emails[2], From: digest.Pending, To: digest.Sending, MessageID: id(emails[2]), Attempts: 1},
	}, time.Now())
	st.Close()

	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	r := decodeReport(t, stdout)
	if r.Sent != 4 || r.Unknown != 2 || fmt.Sprint(r.UnknownAddresses) != fmt.Sprint(emails[1:3]) {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(stderr, "2 recipients of "+sendIssue+" may or may not have it") || !strings.Contains(stderr, emails[1]) {
		t.Errorf("stderr:\n%s", stderr)
	}
	if c := srv.Count(); c[emails[1]] != 0 || c[emails[0]] != 1 {
		t.Errorf("copies %v", c)
	}
	// Not resent by a plain run, which still reports them.
	stdout, _, _ = digestIn(t, dir, "send", "--json")
	if r := decodeReport(t, stdout); r.Sent != 0 || r.Unknown != 2 {
		t.Errorf("second run %+v", r)
	}
	stdout, _, err = digestIn(t, dir, "send", "--resend-unknown", "--json")
	if r := decodeReport(t, stdout); err != nil || r.Sent != 2 || r.Unknown != 0 {
		t.Errorf("--resend-unknown: %+v, %v", r, err)
	}
	for _, m := range srv.Received() {
		e := m.To[0]
		msg := parseMail(t, e, m.Data)
		if got := msg.Header.Get("Message-Id"); got != id(e) {
			t.Errorf("%s: Message-ID %s, want %s", e, got, id(e))
		}
	}
	for e, n := range srv.Count() {
		if n != 1 {
			t.Errorf("%s got %d copies", e, n)
		}
	}
}

// TestSendSMTPSink sends through Postfix's smtp-sink, a real MTA front end
// that dumps what it receives.
func TestSendSMTPSink(t *testing.T) {
	sink, err := exec.LookPath("smtp-sink")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/smtp-sink"); err2 != nil {
			t.Skip("smtp-sink not installed (apt-get install postfix; .ci/run does)")
		}
		sink = "/usr/sbin/smtp-sink"
	}
	dump, err := os.MkdirTemp("", "smtp-sink-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dump)
	os.Chmod(dump, 0o777)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := []string{"-d", dump + "/%M.", fmt.Sprintf("127.0.0.1:%d", port), "64"}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "nobody"}, args...)
	}
	cmd := exec.Command(sink, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatalf("smtp-sink does not listen: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	dir := sendDir(t)
	emails := writeSubscribers(t, dir, 100)
	useRelay(t, dir, "127.0.0.1", port, "send: {concurrency: 4}\n")
	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if r := decodeReport(t, stdout); r.Sent != len(emails) || r.Failed != 0 {
		t.Errorf("report %+v", r)
	}
	got := map[string]int{}
	filepath.WalkDir(dump, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m := parseMail(t, p, data)
		to, err := mail.ParseAddress(m.Header.Get("To"))
		if err != nil {
			t.Fatal(err)
		}
		if rcpt := m.Header.Get("X-Rcpt-Args"); !strings.Contains(rcpt, to.Address) {
			t.Errorf("%s: envelope %q, To %s", p, rcpt, to.Address)
		}
		got[to.Address]++
		return nil
	})
	for _, e := range emails {
		if got[e] != 1 {
			t.Errorf("%s: %d copies at the sink", e, got[e])
		}
	}
}

// TestOutboxMutt reads the outbox with mutt, when it is installed, as a
// user of `make run` would.
func TestOutboxMutt(t *testing.T) {
	mutt, err := exec.LookPath("mutt")
	if err != nil {
		t.Skip("mutt not installed")
	}
	dir := sendDir(t)
	if _, stderr, err := digestIn(t, dir, "send"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// mutt wants a terminal: script(1) gives it one. It opens the Maildir,
	// draws its index and quits; the index shows how many messages it read,
	// with their subjects decoded.
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed: no terminal for mutt")
	}
	rc := filepath.Join(dir, "muttrc")
	os.WriteFile(rc, []byte("set folder="+dir+" quit=yes wait_key=no\npush \"<exit>\"\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", mutt+" -n -F "+rc+" -R -f "+filepath.Join(dir, "outbox"), "/dev/null")
	cmd.Env = append(os.Environ(), "TERM=vt100", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mutt: %v\n%q", err, out)
	}
	for _, want := range []string{"Msgs:4", "剪藏周报 Test Digest 第 1 期"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("mutt's screen lacks %q:\n%q", want, out)
		}
	}
}

// TestSendStrayQuote is issue 11's list with one stray quote at line 12 of
// 1,000: that row alone is lost, reported as file:line, and everyone else
// is mailed.
func TestSendStrayQuote(t *testing.T) {
	dir := sendDir(t)
	var b strings.Builder
	b.WriteString("email,name,status\n")
	for i := range 1000 {
		if i == 10 {
			b.WriteString(`u0010@example.com,"O'Brien, the ""boss,,active` + "\n")
			continue
		}
		fmt.Fprintf(&b, "u%04d@example.com,Reader %d,active\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "subscribers.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if r := decodeReport(t, stdout); r.Sent != 999 || r.Invalid != 1 {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(stderr, `subscribers.csv:12: malformed CSV: extraneous or missing " in quoted-field`) {
		t.Errorf("the bad row is not named:\n%s", stderr)
	}
}

// A subscribers file that cannot be read whole stops the send before
// anything is mailed or marked done; once it can be read, the send goes on.
func TestSendUnreadableSubscribers(t *testing.T) {
	dir := sendDir(t)
	list := filepath.Join(dir, "subscribers.csv")
	saved, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(list)
	if err := os.Mkdir(list, 0o755); err != nil { // read(2) fails on it
		t.Fatal(err)
	}
	if _, stderr, err := digestIn(t, dir, "send"); err == nil {
		t.Fatalf("send with an unreadable list succeeded:\n%s", stderr)
	}
	if n := len(outbox(t, dir)); n != 0 {
		t.Errorf("%d messages mailed", n)
	}
	os.Remove(list)
	if err := os.WriteFile(list, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if r := decodeReport(t, stdout); err != nil || r.Sent == 0 {
		t.Errorf("after the fix: %+v, %v\n%s", r, err, stderr)
	}
}

// TestSendIDN is issue 11's list with müller@example.de and zz@例え.jp on a
// relay without SMTPUTF8: the domain goes out as punycode, and the local
// part that is not ASCII fails for that recipient alone, reported; the
// issue is finished, not left pending run after run.
func TestSendIDN(t *testing.T) {
	srv := mailertest.Start(t)
	dir := sendDir(t)
	emails := writeSubscribers(t, dir, 3)
	f, err := os.OpenFile(filepath.Join(dir, "subscribers.csv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("müller@example.de,Müller\nzz@例え.jp,ZZ\n")
	f.Close()
	useRelay(t, dir, srv.Host, srv.Port, "")

	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if r := decodeReport(t, stdout); r.Sent != 4 || r.Failed != 1 || r.Pending != 0 {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(stderr, "müller@example.de: failed") || !strings.Contains(stderr, "SMTPUTF8") {
		t.Errorf("the failure is not reported:\n%s", stderr)
	}
	count := srv.Count()
	for _, e := range append(emails, "zz@xn--r8jz45g.jp") {
		if count[e] != 1 {
			t.Errorf("%s: %d copies", e, count[e])
		}
	}
	stdout, _, err = digestIn(t, dir, "send", "--json")
	if r := decodeReport(t, stdout); err != nil || !strings.Contains(r.Note, "nothing more to send") {
		t.Errorf("the issue is not finished: %+v, %v", r, err)
	}
}

// A send cleans what a killed one left half-written in outbox/tmp/.
func TestSendCleansOutboxTmp(t *testing.T) {
	dir := sendDir(t)
	tmp := filepath.Join(dir, "outbox", "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		p := filepath.Join(tmp, fmt.Sprintf("1764489600.M%dP4242Q%d.host", i, i))
		os.WriteFile(p, []byte("To: someone\n\nhalf"), 0o600)
		at := time.Now().Add(-10 * time.Minute)
		os.Chtimes(p, at, at)
	}
	_, stderr, err := digestIn(t, dir, "send")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if es, _ := os.ReadDir(tmp); len(es) != 0 {
		t.Errorf("%d files left in outbox/tmp", len(es))
	}
	if !strings.Contains(stderr, "removed 3 half-written messages") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if n := len(outbox(t, dir)); n == 0 {
		t.Error("nothing sent")
	}
}
