package main

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
)

// The life of an issue (DESIGN §3a) where a real relay takes part; the
// rest is in testdata/script/lifecycle.txtar, secret.txtar and note.txtar.

// TestOutboxThenSMTP: copies written into the default outbox are a
// rehearsal; configuring a relay afterwards mails every subscriber once.
func TestOutboxThenSMTP(t *testing.T) {
	dir := sendDir(t)
	if _, stderr, err := digestIn(t, dir, "send"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if n := len(outbox(t, dir)); n != 4 {
		t.Fatalf("%d messages in the outbox, want 4", n)
	}
	srv := mailertest.Start(t)
	useRelay(t, dir, srv.Host, srv.Port, "")
	stdout, stderr, err := digestIn(t, dir, "send", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if r := decodeReport(t, stdout); r.Issue != sendIssue || r.Sent != 4 || r.Already != 0 {
		t.Errorf("the send over the relay: %+v", r)
	}
	for _, e := range []string{"alice@example.com", "wang.fang@example.cn", "tanaka@example.jp", "bob@example.org"} {
		if n := srv.Count()[e]; n != 1 {
			t.Errorf("%s got %d copies over SMTP, want 1", e, n)
		}
	}
	stdout, _, err = digestIn(t, dir, "send", "--json")
	if r := decodeReport(t, stdout); err != nil || r.Sent != 0 || r.Already != 4 || len(srv.Received()) != 4 {
		t.Errorf("a second send over the relay: %+v, %v; %d received", r, err, len(srv.Received()))
	}
	stdout, _, _ = digestIn(t, dir, "status")
	if !strings.Contains(stdout, "4 sent (outbox: 4 sent)") {
		t.Errorf("status does not tell the relay's copies from the outbox's:\n%s", stdout)
	}
}

// TestRealSendRefusesPlaceholders: settings that would mail broken links or
// a placeholder sender to real people stop a relay send, naming the key,
// before anything is recorded; the outbox and test copies stay allowed.
func TestRealSendRefusesPlaceholders(t *testing.T) {
	for _, tc := range []struct{ name, site, from, key string }{
		{"localhost", "http://localhost:8080", "news@digest-weekly.net", "site.url"},
		{"http", "http://news.digest-weekly.net", "news@digest-weekly.net", "site.url"},
		{"example site", "https://news.example.com", "news@digest-weekly.net", "site.url"},
		{"example from", "https://news.digest-weekly.net", "Digest <digest@example.com>", "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := sendDir(t)
			cfg := filepath.Join(dir, "digest.yaml")
			data, _ := os.ReadFile(cfg)
			s := strings.Replace(string(data), "url: https://news.digest-weekly.net", "url: "+tc.site, 1)
			s = strings.Replace(s, `from: "剪藏周报 <news@digest-weekly.net>"`, fmt.Sprintf("from: %q", tc.from), 1)
			os.WriteFile(cfg, []byte(s), 0o644)
			srv := mailertest.Start(t)
			useRelay(t, dir, srv.Host, srv.Port, "")
			_, _, err := digestIn(t, dir, "send")
			if err == nil || !strings.HasPrefix(err.Error(), tc.key+":") {
				t.Fatalf("send: %v, want an error naming %s", err, tc.key)
			}
			if n := len(srv.Received()); n != 0 || len(ledger(t, dir)) != 0 {
				t.Errorf("%d messages sent, %d ledger rows", n, len(ledger(t, dir)))
			}
			if _, stderr, err := digestIn(t, dir, "send", "--to", "me@digest-weekly.net"); err != nil {
				t.Errorf("a test copy was refused: %v\n%s", err, stderr)
			}
		})
	}
}

// TestTestCopyThenSend: a test copy records and publishes nothing and has a
// Message-ID of its own; the real copy, mailed after, keeps the
// deterministic one.
func TestTestCopyThenSend(t *testing.T) {
	dir := sendDir(t)
	if _, stderr, err := digestIn(t, dir, "send", "--to", "bob@example.org"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	test := outbox(t, dir)["bob@example.org"]
	if test == nil {
		t.Fatal("no test copy in the outbox")
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("a test send published the site")
	}
	if stdout, _, _ := digestIn(t, dir, "status", "--json"); !strings.Contains(stdout, `"issues": []`) {
		t.Errorf("a test send recorded an issue:\n%s", stdout)
	}
	os.RemoveAll(filepath.Join(dir, "outbox"))
	if _, stderr, err := digestIn(t, dir, "send"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	real := outbox(t, dir)["bob@example.org"]
	want := email.MessageID([]byte(sendSecret), sendIssue, "bob@example.org", "news.digest-weekly.net", "news.digest-weekly.net")
	if got := real.Header.Get("Message-Id"); got != want {
		t.Errorf("real copy's Message-ID %s, want %s", got, want)
	}
	if id := test.Header.Get("Message-Id"); id == want || id == "" {
		t.Errorf("the test copy's Message-ID %q is the real copy's", id)
	}
}

// TestBigWeek: 200 clippings in a week make a mail of at most
// email.max_items items and under 100 KB as sent, linking the rest on the
// web; the page carries every item.
func TestBigWeek(t *testing.T) {
	dir := sendDir(t)
	long := strings.Repeat("这一段很长的摘录说明了为什么邮件不能无限增长。", 12)
	for i := range 200 {
		body := fmt.Sprintf("---\ntitle: \"第 %d 篇：一个很长的标题，用来占满邮件的空间\"\nsource: https://example.com/p/%d\ncreated: 2026-11-28T10:%02d:00+08:00\ntags: [AI]\ndescription: \"%s\"\n---\n%s\n", i, i, i%60, long, long)
		if err := os.WriteFile(filepath.Join(dir, "vault", fmt.Sprintf("big%03d.md", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, stderr, err := digestIn(t, dir, "send"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	files, _ := os.ReadDir(filepath.Join(dir, "outbox", "new"))
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, "outbox", "new", f.Name()))
		if len(data) >= 100<<10 {
			t.Errorf("%s is %d bytes, want under 100 KB", f.Name(), len(data))
		}
		text := mailertest.TextPart(t, data)
		if !strings.Contains(text, "篇，在网页上阅读") || !strings.Contains(text, "https://news.digest-weekly.net/issues/"+sendIssue+"/") {
			t.Errorf("%s does not link the rest on the web", f.Name())
		}
		if n := strings.Count(text, "一个很长的标题"); n > 30 || n == 0 {
			t.Errorf("%s carries %d of the big items, want 1 to 30", f.Name(), n)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "public", "issues", sendIssue, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), "一个很长的标题"); n != 200 {
		t.Errorf("the issue page carries %d of the 200 items", n)
	}
}

// TestEditorsNoteInMail: the editor's note is the subject and the
// introduction of the mail.
func TestEditorsNoteInMail(t *testing.T) {
	dir := sendDir(t)
	note := "---\nsubject: 本周：智能体正在改写软件\ndigest: " + sendIssue + "\n---\n这周的剪藏都在讲同一件事：**智能体**。\n"
	if err := os.WriteFile(filepath.Join(dir, "vault", "note.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := digestIn(t, dir, "send"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	m := outbox(t, dir)["alice@example.com"]
	if m == nil {
		t.Fatal("no message for alice")
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "本周：智能体正在改写软件" {
		t.Errorf("subject %q", subject)
	}
	data, _ := io.ReadAll(m.Body)
	if text := mailertest.TextPart(t, append([]byte(headerBlock(m)), data...)); !strings.Contains(text, "这周的剪藏都在讲同一件事") || strings.Contains(text, "digest: ") {
		t.Errorf("the note is not the mail's introduction:\n%s", text)
	}
}

// headerBlock writes m's headers back, for textPartOf.
func headerBlock(m *mail.Message) string {
	var b strings.Builder
	for k, vs := range m.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	return b.String() + "\r\n"
}

// TestStatusReadOnlyState: status reads a state its user may not write
// (another user's, or on a read-only mount), changing nothing. As root,
// which writes anything, it runs the real binary as nobody.
func TestStatusReadOnlyState(t *testing.T) {
	dir := sendDir(t)
	if _, stderr, err := digestIn(t, dir, "send"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	state := filepath.Join(dir, ".digest")
	before, _ := os.ReadDir(state)
	for _, e := range before {
		os.Chmod(filepath.Join(state, e.Name()), 0o444)
	}
	os.Chmod(state, 0o555)
	t.Cleanup(func() { os.Chmod(state, 0o755) })

	var out []byte
	var err error
	if os.Geteuid() == 0 {
		setpriv, lerr := exec.LookPath("setpriv")
		if lerr != nil {
			t.Skip("running as root without setpriv: cannot read the state as another user")
		}
		bin := buildBinary(t)
		for _, p := range []string{filepath.Dir(dir), filepath.Dir(bin), dir} {
			os.Chmod(p, 0o755) // nobody may enter the folders, not write them
		}
		cmd := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin,
			"--config", filepath.Join(dir, "digest.yaml"), "--now", sendNow, "status", "--json")
		cmd.Env = append(os.Environ(), "DIGEST_SECRET="+sendSecret)
		out, err = cmd.CombinedOutput()
	} else {
		var stdout, stderr string
		stdout, stderr, err = digestIn(t, dir, "status", "--json")
		out = []byte(stdout + stderr)
	}
	if err != nil || !strings.Contains(string(out), `"id": "`+sendIssue+`"`) {
		t.Fatalf("status on a read-only state: %v\n%s", err, out)
	}
	after, _ := os.ReadDir(state)
	if len(after) != len(before) {
		t.Errorf("status changed the state's folder: %d files, then %d", len(before), len(after))
	}
}
