package email

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// Tests with independent programs, Debian's python3-dkim and spamassassin
// (installed by .ci/run); each skips, saying so, where its program is
// missing.

// dkimpy returns a Python interpreter that has dkimpy, or skips the test.
func dkimpy(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(py, "-c", "import dkim, nacl").Run(); err == nil {
			return py
		}
	}
	t.Skip("no python3 with dkimpy and PyNaCl (Debian: apt-get install python3-dkim python3-nacl): skipping the independent DKIM verifier")
	return ""
}

// runDKIMPy verifies the messages with dkimpy against s's keys; it returns
// the verifier's output, one line per signature, and whether all passed.
func runDKIMPy(t *testing.T, py string, s *DKIMSigner, msgs map[string][]byte) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	table := make(map[string]string)
	for _, r := range s.Records() {
		table[r.Name] = r.Value
	}
	keys, _ := json.Marshal(table)
	args := []string{filepath.Join("testdata", "dkimverify.py"), filepath.Join(dir, "keys.json")}
	if err := os.WriteFile(args[1], keys, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range msgs {
			if !yield(k) {
				return
			}
		}
	}) {
		path := filepath.Join(dir, name+".eml")
		if err := os.WriteFile(path, msgs[name], 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	out, err := exec.Command(py, args...).CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(out), dir+string(filepath.Separator), ""), err == nil
}

// TestDKIMPyVerifies: every kind of mail (issue, test copy, confirmation,
// welcome), signed with RSA and Ed25519, passes dkimpy, both signatures;
// a tampered one fails it.
func TestDKIMPyVerifies(t *testing.T) {
	py := dkimpy(t)
	s := dkimSigner(t, "rsa+ed25519")
	msgs := everyKind(t, s)
	out, ok := runDKIMPy(t, py, s, msgs)
	if !ok {
		t.Fatalf("dkimpy refuses a signature:\n%s", out)
	}
	if n := strings.Count(out, " ok\n"); n != 2*len(msgs) {
		t.Errorf("dkimpy verified %d signatures, want %d:\n%s", n, 2*len(msgs), out)
	}
	t.Logf("dkimpy:\n%s", out)

	tampered := make(map[string][]byte)
	names := make(map[string]string)
	for name, bad := range tamperings(string(msgs["issue-en"])) {
		file := fmt.Sprintf("tampered%02d", len(tampered))
		tampered[file], names[file] = []byte(bad), name
	}
	out, _ = runDKIMPy(t, py, s, tampered)
	for file, name := range names {
		if strings.Contains(out, file+".eml 0 ok\n") || strings.Contains(out, file+".eml 1 ok\n") {
			t.Errorf("%s: dkimpy still verifies a signature:\n%s", name, out)
		}
		if !strings.Contains(out, file+".eml 0 FAIL") {
			t.Errorf("%s: dkimpy did not report on it:\n%s", name, out)
		}
	}
}

// spamIssue is an issue as a week of clippings makes it: the default
// title, no hostile item.
func spamIssue(lang string) *digest.Issue {
	is := testIssue()
	site := testSites[lang]
	is.Title = digest.IssueTitle(site, is.Number, is.Cutoff)
	is.Items = slices.DeleteFunc(is.Items, func(it digest.Item) bool { return strings.HasPrefix(it.Title, "Evil") })
	return is
}

var saScore = regexp.MustCompile(`(?m)^Content analysis details:\s+\(([-0-9.]+) points`)

// TestSpamAssassin scores a Chinese and an English issue, signed, with
// SpamAssassin's local rules (-L: no network tests): each under 1.0. The
// rules that fired are logged (go test -v), and kept with the browser
// screenshots when DIGEST_ARTIFACTS names a folder.
func TestSpamAssassin(t *testing.T) {
	sa, err := exec.LookPath("spamassassin")
	if err != nil {
		t.Skip("no spamassassin (Debian: apt-get install spamassassin): skipping the spam score test")
	}
	s := dkimSigner(t, "rsa+ed25519")
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			opt := testOptions(lang)
			opt.DKIM = s
			opt.Site.PostalAddress = "Digest Press, 1 Example Street, Springfield"
			c, err := NewComposer(spamIssue(lang), opt)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := compose(t, c, testSubscribers[lang])
			// As a receiver sees it: a Return-Path and one Received field,
			// a minute after the Date (a copy is dated as it is sent).
			raw = append([]byte(fmt.Sprintf("Return-Path: <bounces@example.com>\r\nReceived: from mail.example.com\r\n\tby mx.example.net with ESMTPS id 4Xz; %s\r\n",
				testDate.Add(time.Minute).Format(time.RFC1123Z))), raw...)
			cmd := exec.Command(sa, "-t", "-L")
			cmd.Stdin = bytes.NewReader(raw)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no user preferences
			out, err := cmd.Output()
			if _, exit := err.(*exec.ExitError); err != nil && !exit {
				t.Fatal(err)
			}
			report := string(out)
			if i := strings.Index(report, "Content analysis details:"); i >= 0 {
				report = report[i:]
			}
			t.Logf("spamassassin -t -L, %s issue:\n%s", lang, report)
			if dir := os.Getenv("DIGEST_ARTIFACTS"); dir != "" {
				os.WriteFile(filepath.Join(dir, "spamassassin-"+lang+".txt"), []byte(report), 0o644)
			}
			m := saScore.FindStringSubmatch(report)
			if m == nil {
				t.Fatalf("no score in spamassassin's report:\n%s", out)
			}
			if strings.Contains(report, "SUBJ_ALL_CAPS") {
				t.Errorf("the subject %q reads as shouting", spamIssue(lang).Title)
			}
			score, _ := strconv.ParseFloat(m[1], 64)
			if score >= 1.0 {
				t.Errorf("%s issue scores %.1f, want under 1.0:\n%s", lang, score, report)
			}
		})
	}
}
