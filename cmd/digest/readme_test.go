package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadmeWalkthrough runs the README's "Use it on your vault" steps,
// as written, in a copy of the repository's files: they must work from a
// clean clone, so the README cannot drift from the code.
func TestReadmeWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command with make: not in -short")
	}
	for _, tool := range []string{"make", "bash", "git", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the README's steps need it", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	steps := readmeSteps(t, filepath.Join(root, "README.md"), "## Use it on your vault")
	if len(steps) < 5 {
		t.Fatalf("found %d steps in the README", len(steps))
	}
	dir := t.TempDir()
	copyRepo(t, root, dir)
	// "Set vault: to your vault": the bundled example vault stands in for
	// it, with a clipping of this week, as a vault in use has.
	fresh := "---\ntitle: 本周的剪藏\nsource: https://example.org/this-week\ncreated: " + time.Now().Format(time.RFC3339) +
		"\ntags: [AI]\n---\n这是本周剪藏的第一段。\n"
	if err := os.WriteFile(filepath.Join(dir, "examples", "vault", "Clippings", "this week.md"), []byte(fresh), 0o644); err != nil {
		t.Fatal(err)
	}
	// A fresh HOME, as on a new machine; Go's caches stay where they are.
	env := os.Environ()
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}
	env = append(env, "HOME="+dir)
	script := ""
	for _, step := range steps {
		if strings.HasPrefix(step, "bin/digest serve") {
			runServe(t, dir, script, step, env)
			continue
		}
		script += step + "\n"
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README step %q failed: %v\n%s", step, err, out)
		}
		script = exportsOf(script)
	}
	for _, want := range []string{"public/index.html", "outbox/new", ".digest/state.db", "bin/digest"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("after the README's steps: %v", err)
		}
	}
}

// readmeSteps returns the command lines of the first indented block after
// heading, without their comments.
func readmeSteps(t *testing.T, name, heading string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	var steps []string
	started := false
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "    ") {
			if started && strings.TrimSpace(line) != "" {
				break
			}
			continue
		}
		started = true
		cmd, _, _ := strings.Cut(line[4:], " # ")
		if cmd = strings.TrimSpace(cmd); cmd != "" {
			steps = append(steps, cmd)
		}
	}
	return steps
}

// exportsOf keeps the export lines of a script, for the steps after it.
func exportsOf(script string) string {
	var keep strings.Builder
	for _, l := range strings.Split(script, "\n") {
		if strings.HasPrefix(l, "export ") {
			keep.WriteString(l + "\n")
		}
	}
	return keep.String()
}

// copyRepo copies the files git tracks (and those not ignored) from root
// into dir: what a clean clone holds, with the work in progress.
func copyRepo(t *testing.T, root, dir string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, f)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// runServe starts the serve step, waits until it serves, and stops it with
// SIGTERM, as a person would with Ctrl-C.
func runServe(t *testing.T, dir, exports, step string, env []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", exports+"exec "+step)
	cmd.Dir, cmd.Env = dir, env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	serving := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !found && strings.Contains(sc.Text(), "msg=serving") {
				found = true
				serving <- true
			}
		}
		if !found {
			serving <- false
		}
	}()
	if !<-serving {
		cmd.Wait()
		if strings.Contains(log.String(), "address already in use") {
			t.Logf("README step %q: its port is taken on this machine; not tested", step)
			return
		}
		t.Fatalf("README step %q did not serve:\n%s", step, log.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("README step %q did not stop cleanly on SIGTERM: %v\n%s", step, err, log.String())
	}
}
