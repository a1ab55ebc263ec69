// Package nodetest is the test harness shared by the packages whose tests
// drive Node.js (and other) processes: the interop tests and the
// examples. It installs an npm project's packages (EnsureModules) and
// Debian's Chromium (EnsureChromium), runs a driver process that reports
// one JSON line (Run) and starts a server process for the length of a
// test (StartServer).
//
// Nothing here skips a test: what is missing fails it.
package nodetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// npmTimeout bounds one `npm ci`.
const npmTimeout = 10 * time.Minute

// EnsureModules runs `npm ci` in dir (an npm project) when its node_modules
// is missing or older than package.json / package-lock.json, or when one of
// mustExist (paths relative to dir) is missing; after `npm ci` each of them
// must exist. It fails when node or npm is not on PATH.
func EnsureModules(dir string, mustExist ...string) error {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found on PATH: %w", tool, err)
		}
	}
	lock := filepath.Join(dir, "package-lock.json")
	lockInfo, err := os.Stat(lock)
	if err != nil {
		return fmt.Errorf("missing %s: %w", lock, err)
	}
	want := lockInfo.ModTime()
	if pj, err := os.Stat(filepath.Join(dir, "package.json")); err == nil && pj.ModTime().After(want) {
		want = pj.ModTime()
	}
	// npm writes node_modules/.package-lock.json on every install.
	if got, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !want.After(got.ModTime()) {
		if missing(dir, mustExist) == nil {
			return nil
		}
	}
	where := dir
	if abs, err := filepath.Abs(dir); err == nil {
		where = abs
	}
	fmt.Fprintln(os.Stderr, "nodetest: running `npm ci` in", where)
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w", where, err)
	}
	if err := missing(dir, mustExist); err != nil {
		return fmt.Errorf("npm ci in %s left no %w", where, err)
	}
	return nil
}

// missing reports the first of paths (relative to dir) that does not exist.
func missing(dir string, paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// Run runs argv in dir ("" is the current directory) with env added to the
// environment, killing it after timeout, and returns the JSON object it
// printed as its last stdout line. The test fails (with the process's stdout
// and stderr) unless the process exits 0 and that object has "ok": true.
// The line is logged.
func Run(t testing.TB, timeout time.Duration, dir string, env []string, argv ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)

	name := strings.Join(argv, " ")
	report := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s (after %v)\n--- stdout ---\n%s\n--- stderr ---\n%s",
			name, fmt.Sprintf(format, args...), elapsed.Round(time.Millisecond), stdout.String(), stderr.String())
	}
	line := LastLine(stdout.String())
	if line == "" {
		if runErr != nil {
			report("no output, %v", runErr)
		}
		report("no output")
	}
	var result map[string]any
	if err := json.Unmarshal([]byte(line), &result); err != nil {
		report("last stdout line is not JSON: %v", err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		report("killed after %v", timeout)
	}
	if runErr != nil {
		report("exit: %v; error: %v", runErr, result["error"])
	}
	if ok, _ := result["ok"].(bool); !ok {
		report("ok != true; error: %v", result["error"])
	}
	t.Logf("%s: %s", name, line)
	return result
}

// LastLine returns the last line of s, trimmed ("" when s is blank).
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// Server timings of StartServer.
const (
	readyTimeout = 15 * time.Second // until the ready line
	stopTimeout  = 3 * time.Second  // from SIGINT to SIGKILL
)

// StartServer starts argv in dir ("" is the current directory) with env
// added to the environment and waits until ready accepts one of its stdout
// lines (trimmed), at most 15 s; it returns what ready returned with that
// line. The test fails when the process exits before or is not ready in
// time. When the test ends the process gets SIGINT, and SIGKILL 3 s later.
func StartServer(t testing.TB, dir string, env []string, ready func(line string) (string, bool), argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	// A grandchild holding stderr open must not keep Wait from returning.
	cmd.WaitDelay = stopTimeout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Join(argv, " ")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	readyc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := ready(strings.TrimSpace(sc.Text())); ok {
				readyc <- v
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		close(readyc)
	}()
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case v, ok := <-readyc:
		if !ok {
			t.Fatalf("%s: exited before it was ready\n--- stderr ---\n%s", name, stderr.String())
		}
		return v
	case <-time.After(readyTimeout):
		t.Fatalf("%s: not ready after %v\n--- stderr ---\n%s", name, readyTimeout, stderr.String())
	}
	return ""
}

// ChromiumPath is the browser the Playwright drivers launch: $CHROMIUM,
// or Debian's /usr/bin/chromium.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// EnsureChromium installs Debian's chromium package when the browser is
// missing and we are root.
func EnsureChromium() error {
	path := ChromiumPath()
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if path != "/usr/bin/chromium" {
		return fmt.Errorf("CHROMIUM=%s does not exist", path)
	}
	if os.Geteuid() != 0 {
		return errors.New("/usr/bin/chromium is missing and we are not root: run `apt-get install -y chromium`")
	}
	fmt.Fprintln(os.Stderr, "nodetest: installing Debian's chromium with apt-get")
	install := func() error {
		return aptGet(15*time.Minute, "install", "-y", "chromium")
	}
	if err := install(); err != nil {
		// A machine fresh from its image may have no package lists yet.
		if err := aptGet(5*time.Minute, "update"); err != nil {
			return fmt.Errorf("apt-get update: %w", err)
		}
		if err := install(); err != nil {
			return fmt.Errorf("apt-get install -y chromium: %w", err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("apt-get installed chromium but %s is missing: %w", path, err)
	}
	return nil
}

// aptGet runs apt-get with its output on stderr.
func aptGet(timeout time.Duration, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
