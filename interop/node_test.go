package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testdataDir is the npm project holding the client drivers.
const testdataDir = "testdata"

// scenarioTimeout bounds one `node <script> <scenario>` run. The drivers have
// their own per-scenario timeout (EIO_SCENARIO_TIMEOUT_MS, default 10 s); this
// one only catches a hung node process.
const scenarioTimeout = 60 * time.Second

// The heartbeat of the server under test. eio-client.mjs (and
// eio-reference-server.mjs) get it through EIO_PING_INTERVAL / EIO_PING_TIMEOUT,
// so configure the sioloop server under test with these same values. A short
// interval keeps the ping-timeout scenario fast; the 1 s timeout tolerates the
// stalls a loaded 2-core machine causes in the node client (with 200 ms, 2 of
// 65 runs timed a healthy session out under `go test ./...` load).
var (
	eioPingInterval = 300 * time.Millisecond
	eioPingTimeout  = 1000 * time.Millisecond
)

// eioMaxPayload is the maxHttpBufferSize (and handshake maxPayload) that
// eio-client.mjs expects.
const eioMaxPayload = 1_000_000

// eioEnv is the environment telling the node scripts the heartbeat in use.
func eioEnv() []string {
	return []string{
		"EIO_PING_INTERVAL=" + strconv.FormatInt(eioPingInterval.Milliseconds(), 10),
		"EIO_PING_TIMEOUT=" + strconv.FormatInt(eioPingTimeout.Milliseconds(), 10),
	}
}

// eioScenarios lists every scenario of testdata/eio-client.mjs, in a sensible
// run order. Each one needs a server implementing the contract documented in
// testdata/eio-reference-server.mjs: engine.io path "/engine.io/" on the
// baseURL's host:port, heartbeat eioPingInterval/eioPingTimeout,
// maxHttpBufferSize eioMaxPayload (advertised as maxPayload in the handshake),
// CORS origin "*", echo every message unchanged, and close the session when
// it receives the text message "close-me".
var eioScenarios = []string{
	"handshake",
	"websocket",
	"polling",
	"payloads",
	"upgrade",
	"many",
	"limit",
	"polling-split",
	"ping-timeout",
	"server-close-ws",
	"server-close-polling",
	"server-close-upgraded",
	"protocol",
}

func TestMain(m *testing.M) {
	if err := ensureNodeModules(); err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		fmt.Fprintln(os.Stderr, "interop: these tests drive the official npm clients and need Node.js (node, npm) on PATH; they are never skipped.")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// ensureNodeModules runs `npm ci` in testdata when node_modules is missing or
// older than package.json / package-lock.json.
func ensureNodeModules() error {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found on PATH: %w", tool, err)
		}
	}
	lock := filepath.Join(testdataDir, "package-lock.json")
	lockInfo, err := os.Stat(lock)
	if err != nil {
		return fmt.Errorf("missing %s: %w", lock, err)
	}
	want := lockInfo.ModTime()
	if pj, err := os.Stat(filepath.Join(testdataDir, "package.json")); err == nil && pj.ModTime().After(want) {
		want = pj.ModTime()
	}
	// npm writes node_modules/.package-lock.json on every install.
	if got, err := os.Stat(filepath.Join(testdataDir, "node_modules", ".package-lock.json")); err == nil && !want.After(got.ModTime()) {
		return nil
	}
	fmt.Fprintln(os.Stderr, "interop: running `npm ci` in", testdataDir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = testdataDir
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w", testdataDir, err)
	}
	return nil
}

// scriptPath resolves a driver script name relative to testdata.
func scriptPath(script string) string {
	if filepath.IsAbs(script) {
		return script
	}
	return filepath.Join(testdataDir, script)
}

// runScenario runs `node <script> <scenario> <baseURL>` (script relative to
// testdata, e.g. "eio-client.mjs") and returns the driver's JSON result. The
// test fails (with node's stdout and stderr) unless node exits 0 and prints
// {"ok":true,...} as its last stdout line.
func runScenario(t *testing.T, script, scenario, baseURL string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", scriptPath(script), scenario, baseURL)
	cmd.Env = append(os.Environ(), eioEnv()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)

	report := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("node %s %s %s: %s (after %v)\n--- stdout ---\n%s\n--- stderr ---\n%s",
			script, scenario, baseURL, fmt.Sprintf(format, args...), elapsed.Round(time.Millisecond),
			stdout.String(), stderr.String())
	}

	var result map[string]any
	line := lastLine(stdout.String())
	if line == "" {
		if runErr != nil {
			report("no output, %v", runErr)
		}
		report("no output")
	}
	if err := json.Unmarshal([]byte(line), &result); err != nil {
		report("last stdout line is not JSON: %v", err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		report("killed after %v", scenarioTimeout)
	}
	if runErr != nil {
		report("exit: %v; error: %v", runErr, result["error"])
	}
	if ok, _ := result["ok"].(bool); !ok {
		report("ok != true; error: %v", result["error"])
	}
	t.Logf("%s %s: %s", script, scenario, line)
	return result
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("freePort: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNodeServer starts `node <script>` (relative to testdata) with PORT=port
// (and the EIO_PING_* heartbeat) and waits until it prints "listening". It is stopped when the test ends.
// It returns the base URL, e.g. "http://127.0.0.1:PORT".
func startNodeServer(t *testing.T, script string, port int) string {
	t.Helper()
	cmd := exec.Command("node", scriptPath(script))
	cmd.Env = append(append(os.Environ(), eioEnv()...), "PORT="+strconv.Itoa(port))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node %s: %v", script, err)
	}
	exited := make(chan struct{})
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "listening" {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		ready <- errors.New("exited without printing \"listening\"")
	}()
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("node %s: %v\n--- stderr ---\n%s", script, err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("node %s: not listening after 15s\n--- stderr ---\n%s", script, stderr.String())
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}
