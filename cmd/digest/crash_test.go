package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/email"
	"github.com/digest-newsletter/digest/digest/mailer/mailertest"
	"github.com/digest-newsletter/digest/digest/sqlite"
)

// buildBinary builds the real digest command into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to build the binary with")
		}
	}
	bin := filepath.Join(t.TempDir(), "digest")
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSendBinary builds the real binary and stops it mid-send.
//
// testSendCrash kills it with SIGKILL at random points of a
// send to 500 subscribers, and runs it again each time. However it dies,
// every recipient ends with exactly one copy, except those reported unknown
// (at most one per connection per kill), and a pending row was never sent.
func TestSendBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := buildBinary(t)
	t.Run("SIGKILL", func(t *testing.T) { testSendCrash(t, bin) })
	t.Run("SIGTERM", func(t *testing.T) { testSendTerm(t, bin) })
	t.Run("two first builds", func(t *testing.T) { testFirstBuilds(t, bin) })
}

// testFirstBuilds runs two first builds at once (issue 11: one failed with
// UNIQUE constraint failed: issues.number): both succeed, one waiting for
// the other, and there is one issue. The test holds the build lease while
// both start, so that they meet.
func testFirstBuilds(t *testing.T, bin string) {
	dir := sendDir(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, ".digest", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lease, err := st.Acquire(ctx, "build", "the test", time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		stdout, stderr string
		err            error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			cmd := exec.Command(bin, "--config", filepath.Join(dir, "digest.yaml"), "--now", sendNow, "build", "--json")
			cmd.Env = append(os.Environ(), "DIGEST_SECRET="+sendSecret)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			results <- result{out.String(), errb.String(), err}
		}()
	}
	time.Sleep(time.Second) // both are waiting for the lease
	if err := lease.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Errorf("build: %v\n%s", r.err, r.stderr)
		}
		if !bytes.Contains([]byte(r.stderr), []byte("another digest build is running on this state")) {
			t.Errorf("the build did not say it waited:\n%s", r.stderr)
		}
		if !bytes.Contains([]byte(r.stdout), []byte(sendIssue)) {
			t.Errorf("build printed %s", r.stdout)
		}
	}
	issues, err := st.Issues(ctx, 0)
	if err != nil || len(issues) != 1 || issues[0].Number != 1 {
		t.Errorf("issues %v, %v; want one, number 1", issues, err)
	}
}

func testSendCrash(t *testing.T, bin string) {
	const (
		subscribers = 500
		concurrency = 4
		kills       = 6
	)
	srv := mailertest.Start(t)
	dir := sendDir(t)
	emails := writeSubscribers(t, dir, subscribers)
	useRelay(t, dir, srv.Host, srv.Port, "send: {concurrency: "+strconv.Itoa(concurrency)+", retries: 3}\n")
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (CRASH_SEED=%d reruns this one)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	// The server kills the running process when it has accepted its
	// killAt-th message, before answering it, and answers only once the
	// process is dead: that message was received and its sender never
	// heard so.
	var mu sync.Mutex
	var proc *os.Process
	var exited chan struct{}
	killAt := 0
	srv.OnMessage(func(n int) {
		mu.Lock()
		p, ex, k := proc, exited, killAt
		if p != nil && k > 0 && n >= k {
			killAt = 0
		} else {
			p = nil
		}
		mu.Unlock()
		if p != nil {
			p.Kill()
			select {
			case <-ex:
			case <-time.After(10 * time.Second):
			}
		}
	})

	// runSend runs `digest send` once; it is killed when the server has
	// received killAtMsg messages in all, or after killAfter, if set.
	runSend := func(killAtMsg int, killAfter time.Duration, extra ...string) (rep sendReport, killed bool, stderr string) {
		t.Helper()
		args := append([]string{"--config", filepath.Join(dir, "digest.yaml"), "--now", sendNow, "send", "--json"}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "DIGEST_SECRET="+sendSecret)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		ex := make(chan struct{})
		mu.Lock()
		if err := cmd.Start(); err != nil {
			mu.Unlock()
			t.Fatal(err)
		}
		proc, exited, killAt = cmd.Process, ex, killAtMsg
		mu.Unlock()
		go func() { cmd.Wait(); close(ex) }()
		if killAfter > 0 {
			timer := time.AfterFunc(killAfter, func() { cmd.Process.Kill() })
			defer timer.Stop()
		}
		<-ex
		mu.Lock()
		proc, killAt = nil, 0
		mu.Unlock()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return sendReport{}, true, errb.String()
		}
		if !cmd.ProcessState.Success() {
			t.Fatalf("digest send: %v\n%s", cmd.ProcessState, errb.String())
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v in %q", err, out.String())
		}
		return rep, false, errb.String()
	}

	// check looks at the ledger of a stopped process against what the
	// server received, and returns the rows left sending.
	check := func(when string) (sending []string) {
		t.Helper()
		count := srv.Count()
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, ".digest", "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		st.Deliveries(context.Background(), sendIssue, "", func(d digest.Delivery) error {
			n := count[d.Email]
			switch d.State {
			case digest.Sent:
				if n != 1 {
					t.Errorf("%s: %s is sent, and the server has %d copies", when, d.Email, n)
				}
			case digest.Pending:
				if n != 0 {
					t.Errorf("%s: %s is pending, and the server has %d copies", when, d.Email, n)
				}
			case digest.Sending, digest.Unknown:
				if n > 1 {
					t.Errorf("%s: %s is %s, and the server has %d copies", when, d.Email, d.State, n)
				}
				if d.State == digest.Sending {
					sending = append(sending, d.Email)
				}
			default:
				t.Errorf("%s: %s is %s", when, d.Email, d.State)
			}
			return nil
		})
		return sending
	}

	killed := 0
	inDoubt := map[string]bool{} // rows the kills left sending
	for i := 0; killed < kills && i < 3*kills; i++ {
		var atMsg int
		var after time.Duration
		atMsg = len(srv.Received()) + 1 + rng.IntN(subscribers/(kills+2))
		if i%3 == 2 {
			// Now and then at a random time: during the build, the reading
			// of the subscribers, the recovery or the sending. A run
			// faster than the timer is killed at its last message
			// allowed all the same: every run is killed, and each
			// leaves messages for the next.
			after = time.Duration(20+rng.IntN(200)) * time.Millisecond
			atMsg = len(srv.Received()) + subscribers/(kills+2)
		}
		start := time.Now()
		_, wasKilled, stderr := runSend(atMsg, after)
		took := time.Since(start).Round(time.Millisecond)
		if !wasKilled {
			// It finished before the kill point: the issue is sent.
			t.Logf("run %d finished before its kill point\n%s", i+1, stderr)
			break
		}
		killed++
		// Rows still sending from an earlier kill (this one came before
		// the recovery) are not new.
		var fresh []string
		for _, e := range check("after kill " + strconv.Itoa(killed)) {
			if !inDoubt[e] {
				inDoubt[e] = true
				fresh = append(fresh, e)
			}
		}
		how := "at message " + strconv.Itoa(atMsg)
		if after > 0 {
			how = "after " + after.String() + " or " + how
		}
		t.Logf("kill %d (%s, run took %v): the server has %d messages; %d more rows left in doubt: %v",
			killed, how, took, len(srv.Received()), len(fresh), fresh)
		if len(fresh) > concurrency {
			t.Errorf("kill %d left %d rows in doubt, more than the %d connections", killed, len(fresh), concurrency)
		}
	}
	if killed < 3 {
		t.Errorf("only %d kills landed", killed)
	}

	rep, wasKilled, stderr := runSend(0, 0)
	if wasKilled {
		t.Fatal("the last run was killed")
	}
	check("at the end")
	t.Logf("last run: %+v", rep)
	if rep.Unknown != len(inDoubt) || len(rep.UnknownAddresses) != len(inDoubt) {
		t.Errorf("last run reports %d unknown (%v), the kills left %d", rep.Unknown, rep.UnknownAddresses, len(inDoubt))
	}
	if rep.Unknown > 0 && !bytes.Contains([]byte(stderr), []byte("may or may not have it")) {
		t.Errorf("unknown recipients not reported on stderr:\n%s", stderr)
	}
	unknown := map[string]bool{}
	for _, e := range rep.UnknownAddresses {
		unknown[e] = true
	}
	count := srv.Count()
	for _, e := range emails {
		if n := count[e]; n != 1 && !(unknown[e] && n == 0) {
			t.Errorf("%s got %d copies (unknown: %v)", e, n, unknown[e])
		}
	}
	received := len(srv.Received())

	// Asked to, the unknown are sent again, with the same Message-ID: those
	// that had it now have two copies of one message.
	rep, _, _ = runSend(0, 0, "--resend-unknown")
	if rep.Sent != len(inDoubt) || rep.Unknown != 0 {
		t.Errorf("--resend-unknown: %+v", rep)
	}
	if got := len(srv.Received()) - received; got != len(inDoubt) {
		t.Errorf("--resend-unknown sent %d, want %d", got, len(inDoubt))
	}
	ids := map[string]map[string]bool{}
	for _, m := range srv.Received() {
		e := m.To[0]
		msg := parseMail(t, e, m.Data)
		if ids[e] == nil {
			ids[e] = map[string]bool{}
		}
		ids[e][msg.Header.Get("Message-Id")] = true
	}
	for _, e := range emails {
		if len(ids[e]) != 1 || !ids[e][email.MessageID([]byte(sendSecret), sendIssue, e, "news.digest-weekly.net", "news.digest-weekly.net")] {
			t.Errorf("%s: Message-IDs %v", e, ids[e])
		}
	}
	// And then there is nothing left to send.
	if rep, _, _ := runSend(0, 0); rep.Sent != 0 || rep.Pending != 0 || rep.Already != subscribers {
		t.Errorf("after everything: %+v", rep)
	}
	t.Logf("%d kills, %d recipients left unknown in all (at most %d per kill)", killed, len(inDoubt), concurrency)
}

// testSendTerm stops a send with SIGTERM: it takes no more messages,
// records those in flight, says how to go on, and exits 1; the next run
// finishes the job with nobody getting two copies and nobody left unknown.
func testSendTerm(t *testing.T, bin string) {
	srv := mailertest.Start(t)
	dir := sendDir(t)
	emails := writeSubscribers(t, dir, 200)
	useRelay(t, dir, srv.Host, srv.Port, "send: {concurrency: 4}\n")
	args := []string{"--config", filepath.Join(dir, "digest.yaml"), "--now", sendNow, "send", "--json"}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DIGEST_SECRET="+sendSecret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The process is handed to the server's goroutine through a channel,
	// once started: cmd.Process is written by Start.
	started := make(chan *os.Process, 1)
	var once sync.Once
	srv.OnMessage(func(n int) {
		if n >= 50 {
			once.Do(func() { p := <-started; p.Signal(syscall.SIGTERM) })
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started <- cmd.Process
	if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("SIGTERM: %v, want exit status 1\n%s", err, stderr.String())
	}
	srv.OnMessage(nil)
	if !bytes.Contains(stderr.Bytes(), []byte("send interrupted")) || !bytes.Contains(stderr.Bytes(), []byte("digest send goes on where this stopped")) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	var rep sendReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %q", err, stdout.String())
	}
	received := len(srv.Received())
	if rep.Sent != received || rep.Pending != len(emails)-received || rep.Unknown != 0 {
		t.Errorf("report %+v; the server has %d", rep, received)
	}
	for e, d := range ledger(t, dir) {
		if d.State == digest.Sending || (d.State == digest.Sent) != (srv.Count()[e] == 1) {
			t.Errorf("%s is %s, the server has %d", e, d.State, srv.Count()[e])
		}
	}

	cmd = exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DIGEST_SECRET="+sendSecret)
	stdout.Reset()
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(stdout.Bytes(), &rep)
	if rep.Sent != len(emails)-received || rep.Unknown != 0 || rep.Already != received {
		t.Errorf("the run after: %+v", rep)
	}
	count := srv.Count()
	for _, e := range emails {
		if count[e] != 1 {
			t.Errorf("%s got %d copies", e, count[e])
		}
	}
	t.Logf("SIGTERM after 50 messages: %d sent before it, %d after", received, rep.Sent)
}
