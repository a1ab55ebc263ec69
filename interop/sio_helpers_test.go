package interop

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// The Socket.IO interop contract. testdata/sio-client.mjs (socket.io-client
// 4.8) and testdata/sio_client.py (Debian's python3-socketio 5.7.2) drive a
// server implementing the contract written at the top of
// testdata/sio-reference-server.mjs (the official socket.io 4.8 server,
// see sio_reference_test.go). Configure the sioloop server under test with:
//
//	path "/socket.io/", pingInterval sioPingInterval, pingTimeout sioPingTimeout,
//	connectTimeout sioConnectTimeout, maxHttpBufferSize sioMaxPayload, CORS origin "*",
//
// and the namespace handlers listed in that file ("/", "/custom", "/private"
// with its token middleware, dynamic /^\/dyn-\d+$/).
var (
	sioPingInterval   = 1000 * time.Millisecond
	sioPingTimeout    = 2000 * time.Millisecond
	sioConnectTimeout = 1000 * time.Millisecond
)

// sioMaxPayload is the maxHttpBufferSize of the Socket.IO contract.
const sioMaxPayload = 1_000_000

// Size of sio-client.mjs's "many" scenario: sioManyClients clients
// (connected sioManyBatch at a time) spread over sioManyRooms rooms. The
// scenario ends by disconnecting all but one client and waiting for the
// "left" of every other one. Since the contract io.emit()s "left" on every
// disconnect, that teardown costs O(N²) packet writes: ~3 s for 1000 clients
// on the reference server; 3000 clients stall it into ping timeouts.
var (
	sioManyClients = 1000
	sioManyRooms   = 10
	sioManyBatch   = 50
)

// sioScenarios lists every scenario of testdata/sio-client.mjs, in run order.
// Run them one after the other against one server (not in parallel): "ask-all"
// and "volatile" address every socket of "/" (io.emit), and "ask-all" times
// out if a foreign client that does not answer "poll" is connected.
var sioScenarios = []string{
	"connect-default",
	"connect-websocket",
	"connect-polling",
	"auth",
	"custom-namespace",
	"dynamic-namespace",
	"middleware",
	"binary",
	"acks",
	"rooms-except",
	"broadcast",
	"emit-all",
	"ask-all",
	"volatile",
	"disconnect-me",
	"close-transport",
	"polling-only",
	"upgrade",
	"client-disconnect",
	"fetch",
	"rooms-list",
	"many",
}

// sioPythonScenarios lists every scenario of testdata/sio_client.py.
var sioPythonScenarios = []string{
	"connect-auth",
	"echo",
	"custom-namespace",
	"middleware",
	"rooms",
	"websocket",
	"polling",
}

// sioScenarioTimeout bounds one driver process ("many" gets more). The
// drivers have their own, shorter, per-scenario timeout
// (SIO_SCENARIO_TIMEOUT_MS: 30 s, "many" 50 s, python 40 s; SIO_WAIT_MS, 8 s,
// bounds each awaited event).
func sioScenarioTimeout(scenario string) time.Duration {
	if scenario == "many" || strings.HasPrefix(scenario, "many:") {
		return 3 * time.Minute
	}
	return 60 * time.Second
}

// sioEnv is the environment of the Socket.IO drivers and reference server.
func sioEnv() []string {
	return []string{
		"SIO_PING_INTERVAL=" + strconv.FormatInt(sioPingInterval.Milliseconds(), 10),
		"SIO_PING_TIMEOUT=" + strconv.FormatInt(sioPingTimeout.Milliseconds(), 10),
		"SIO_MANY_CLIENTS=" + strconv.Itoa(sioManyClients),
		"SIO_MANY_ROOMS=" + strconv.Itoa(sioManyRooms),
		"SIO_MANY_BATCH=" + strconv.Itoa(sioManyBatch),
	}
}

// runSIO runs `node sio-client.mjs <scenario> <baseURL>` in testdata with
// sioEnv (the "many" counts) and returns its JSON result; like runScenario,
// the test fails unless node exits 0 with {"ok":true,...} as its last stdout
// line.
// (runScenario(t, "sio-client.mjs", sc, baseURL) works too, with the
// defaults: 1000 clients in 10 rooms, but only 60 s for the whole run.)
// env is added to sioEnv.
func runSIO(t *testing.T, scenario, baseURL string, env ...string) map[string]any {
	t.Helper()
	return nodetest.Run(t, sioScenarioTimeout(scenario), testdataDir, append(sioEnv(), env...), "node", "sio-client.mjs", scenario, baseURL)
}

// pythonBin is Debian's interpreter, which sees the apt packages (a pyenv
// python3 earlier on PATH would not).
const pythonBin = "/usr/bin/python3"

// pythonAptPackages are what testdata/sio_client.py needs.
var pythonAptPackages = []string{"python3-socketio", "python3-websocket", "python3-requests"}

var (
	pythonOnce sync.Once
	pythonErr  error
)

// requirePythonSocketIO makes sure pythonBin can import python-socketio and
// its transports. When they are missing and we run as root, it installs
// pythonAptPackages with `apt-get install -y` (like TestMain's `npm ci`);
// otherwise the test fails with instructions. It never skips.
func requirePythonSocketIO(t *testing.T) {
	t.Helper()
	pythonOnce.Do(func() { pythonErr = ensurePythonSocketIO() })
	if pythonErr != nil {
		t.Fatalf("interop: the Python Socket.IO client is not available: %v\n"+
			"install it with: apt-get install -y %s (Debian/Ubuntu; used via %s)",
			pythonErr, strings.Join(pythonAptPackages, " "), pythonBin)
	}
}

func pythonImportCheck() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, pythonBin, "-c", "import socketio, engineio, websocket, requests").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import socketio/engineio/websocket/requests: %v: %s", pythonBin, err, bytes.TrimSpace(out))
	}
	return nil
}

func ensurePythonSocketIO() error {
	if _, err := os.Stat(pythonBin); err != nil {
		return fmt.Errorf("%s: %w", pythonBin, err)
	}
	if err := pythonImportCheck(); err == nil {
		return nil
	} else if os.Geteuid() != 0 {
		return fmt.Errorf("%w (not root, so not installing %s)", err, strings.Join(pythonAptPackages, " "))
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("apt-get not found: %w", err)
	}
	aptGet := func(args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		// wait for a concurrent apt/dpkg run instead of failing on its lock
		cmd := exec.CommandContext(ctx, "apt-get", append([]string{"-o", "DPkg::Lock::Timeout=300"}, args...)...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout = os.Stderr
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	fmt.Fprintln(os.Stderr, "interop: running `apt-get install -y", strings.Join(pythonAptPackages, " ")+"`")
	install := append([]string{"install", "-y", "--no-install-recommends"}, pythonAptPackages...)
	if err := aptGet(install...); err != nil {
		// stale package lists: refresh once and retry
		if err := aptGet("update"); err != nil {
			return fmt.Errorf("apt-get update: %w", err)
		}
		if err := aptGet(install...); err != nil {
			return fmt.Errorf("apt-get install %s: %w", strings.Join(pythonAptPackages, " "), err)
		}
	}
	return pythonImportCheck()
}

// runPython runs `/usr/bin/python3 sio_client.py <scenario> <baseURL>` in
// testdata (installing the apt packages first if needed, see
// requirePythonSocketIO)
// and returns its JSON result; the test fails unless it exits 0 with
// {"ok": true, ...} as its last stdout line.
func runPython(t *testing.T, scenario, baseURL string) map[string]any {
	t.Helper()
	requirePythonSocketIO(t)
	return nodetest.Run(t, 60*time.Second, testdataDir, sioEnv(), pythonBin, "sio_client.py", scenario, baseURL)
}

// testSIOClients runs every sio-client.mjs scenario (socket.io-client 4.8),
// one after the other, against the server start starts.
func testSIOClients(t *testing.T, start func(*testing.T) string) {
	baseURL := start(t)
	for _, sc := range sioScenarios {
		t.Run(sc, func(t *testing.T) { runSIO(t, sc, baseURL) })
	}
}

// testPythonClients runs every sio_client.py scenario (Debian's
// python3-socketio), one after the other, against the server start starts
// (once the Python client is there, see requirePythonSocketIO).
func testPythonClients(t *testing.T, start func(*testing.T) string) {
	requirePythonSocketIO(t)
	baseURL := start(t)
	for _, sc := range sioPythonScenarios {
		t.Run(sc, func(t *testing.T) { runPython(t, sc, baseURL) })
	}
}
