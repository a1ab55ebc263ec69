package interop

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/loop"
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
	"upgrade-noop",
	"http-compression",
	"per-message-deflate",
}

func TestMain(m *testing.M) {
	if err := nodetest.EnsureModules(testdataDir); err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		fmt.Fprintln(os.Stderr, "interop: these tests drive the official npm clients and need Node.js (node, npm) on PATH; they are never skipped.")
		os.Exit(2)
	}
	testwait.VerifyMain(m)
}

// runScenario runs `node <script> <scenario> <baseURL>` in testdata (script
// e.g. "eio-client.mjs") with eioEnv and returns the driver's JSON result. The
// test fails (with node's stdout and stderr) unless node exits 0 and prints
// {"ok":true,...} as its last stdout line.
func runScenario(t *testing.T, script, scenario, baseURL string) map[string]any {
	t.Helper()
	return nodetest.Run(t, scenarioTimeout, testdataDir, eioEnv(), "node", script, scenario, baseURL)
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

// startNodeServer starts `node <script>` in testdata with PORT=port and env
// (the heartbeat of the contract, eioEnv or sioEnv) and waits until it prints
// "listening". It is stopped when the test ends. It returns the base URL,
// e.g. "http://127.0.0.1:PORT".
func startNodeServer(t *testing.T, script string, port int, env []string) string {
	t.Helper()
	listening := func(line string) (string, bool) { return "", line == "listening" }
	nodetest.StartServer(t, testdataDir, slices.Concat(env, []string{"PORT=" + strconv.Itoa(port)}), listening, "node", script)
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// serveEngine serves engine at path (CORS origin "*") with sioloop on a free
// loopback port until the test ends and returns its base URL.
func serveEngine(t *testing.T, path string, engine *eio.Server) string {
	t.Helper()
	srv := loop.New(nil)
	srv.Handle(path, engine, &loop.CORSOptions{Origin: []string{"*"}})
	return "http://" + testserver.Start(t, srv)
}

// testEIOClients runs every eio-client.mjs scenario against the server at
// baseURL.
func testEIOClients(t *testing.T, baseURL string) {
	for _, sc := range eioScenarios {
		t.Run(sc, func(t *testing.T) { runScenario(t, "eio-client.mjs", sc, baseURL) })
	}
}
