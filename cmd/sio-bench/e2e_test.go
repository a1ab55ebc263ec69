package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"

	"github.com/sioloop/sioloop/internal/contract"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// TestMain doubles as a -procs child: run re-executes this test binary
// with "-worker i/n", which must behave as the command does.
func TestMain(m *testing.M) {
	for _, a := range os.Args[1:] {
		if a == "-worker" {
			os.Exit(mainArgs(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		}
	}
	testwait.VerifyMain(m)
}

// contractServer is the benchmark contract on sioloop, as bench/contract
// serves it.
func contractServer(t *testing.T) string {
	t.Helper()
	return testserver.Start(t, contract.NewServer(2, nil))
}

// bench runs the command line against addr and returns its JSON result.
func bench(t *testing.T, addr string, args ...string) map[string]float64 {
	t.Helper()
	args = append([]string{"-url", "http://" + addr, "-pid", strconv.Itoa(os.Getpid()),
		"-warmup", "200ms", "-duration", "1s", "-progress", "500ms", "-timeout", "10s"}, args...)
	var out, errw bytes.Buffer
	if code := mainArgs(args, nil, &out, &errw); code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	raw := map[string]any{}
	if err := json.Unmarshal([]byte(last), &raw); err != nil {
		t.Fatalf("last line %q: %v", last, err)
	}
	res := map[string]float64{}
	for k, v := range raw {
		if f, ok := v.(float64); ok {
			res[k] = f
		}
	}
	t.Logf("%s", last)
	if res["errors"] != 0 {
		t.Errorf("errors = %v; stderr:\n%s", res["errors"], errw.String())
	}
	if !strings.Contains(errw.String(), "] ") {
		t.Errorf("no progress line on stderr: %q", errw.String())
	}
	return res
}

func requireKeys(t *testing.T, res map[string]float64, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := res[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
}

func TestEchoClosedLoopGetsEveryAck(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "echo", "-conns", "50", "-inflight", "4", "-batch", "2")
	if res["acks"] < 100 || res["connected"] != 50 {
		t.Fatalf("acks %v connected %v", res["acks"], res["connected"])
	}
	requireKeys(t, res, "acks_per_sec", "p50_us", "p99_us", "p999_us", "server_cpu_us_per_msg",
		"server_cpu_pct", "client_cpu_pct", "server_rss_kib", "connect_rate", "handshake_p50_us", "handshake_p99_us")
}

func TestEchoOpenLoopHoldsTheRate(t *testing.T) {
	addr := contractServer(t)
	const rate = 500
	start := time.Now()
	res := bench(t, addr, "-scenario", "echo", "-conns", "20", "-rate", "500", "-nsp", "/")
	elapsed := time.Since(start)
	// The open loop never runs ahead of its schedule: it cannot have sent,
	// so had acked, more than one emit at its start plus rate a second for
	// as long as the run lasted. The measured window alone is no bound:
	// emits a stall held back in the warm-up are sent, on catching up,
	// inside it (605 acks in a 1 s window at 500/s). How close it gets to
	// the rate on a loaded 2-core machine is a benchmark's question, not a
	// test's (a 126 ms stall in a 1 s window gave 357/s on a fresh-clone CI
	// run).
	if limit := 1 + rate*elapsed.Seconds(); res["acks"] > limit {
		t.Fatalf("acks %v in %v at -rate %d: ahead of the schedule (at most %.0f)", res["acks"], elapsed, rate, limit)
	}
	if res["acks"] == 0 || res["errors"] != 0 || res["dropped"] != 0 {
		t.Fatalf("acks %v, errors %v, dropped %v", res["acks"], res["errors"], res["dropped"])
	}
}

func TestPollingEchoesOverLongPolling(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "polling", "-conns", "20")
	if res["acks"] < 50 {
		t.Fatalf("acks %v", res["acks"])
	}
}

func TestFanoutDeliversEveryBurstToEveryone(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "fanout", "-receivers", "50", "-burst", "10")
	// Mode all: the 50 receivers and the sender get all 10.
	if res["delivered"] != 510 || res["expected"] != 510 {
		t.Fatalf("delivered %v of %v", res["delivered"], res["expected"])
	}
	requireKeys(t, res, "delivered_per_sec", "p50_us", "p99_us", "server_cpu_us_per_msg")
}

func TestFanoutRoomReachesOnlyTheRoom(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "fanout", "-mode", "room", "-receivers", "30", "-burst", "5")
	if res["delivered"] != 150 {
		t.Fatalf("delivered %v, want 150", res["delivered"])
	}
	res = bench(t, addr, "-scenario", "fanout", "-mode", "room", "-receivers", "30", "-rate", "20")
	if res["delivered"] < 300 {
		t.Fatalf("paced: delivered %v", res["delivered"])
	}
}

func TestSlowLetsStalledReceiversGoAndTheOthersGetEverything(t *testing.T) {
	addr := testserver.Start(t, contract.New(2, &sio.Options{Engine: eio.Options{OutboundHighWaterMark: 256 << 10}}))
	// 100 broadcasts of 8 KiB: 800 KB for each stalled receiver, past the
	// server's 256 KiB high-water mark (the kernel's send queue included).
	res := bench(t, addr, "-scenario", "slow", "-receivers", "8", "-stalled", "3",
		"-broadcasts", "100", "-rate", "100", "-payload", "8192", "-hold", "10s", "-settle", "0s")
	if res["readers_complete"] != 5 || res["readers"] != 5 || res["out_of_order"] != 0 {
		t.Fatalf("readers complete %v of %v, out of order %v", res["readers_complete"], res["readers"], res["out_of_order"])
	}
	if res["stalled"] != 3 || res["stalled_released"] != 3 {
		t.Fatalf("stalled %v released %v", res["stalled"], res["stalled_released"])
	}
	requireKeys(t, res, "p99_us", "release_first_s", "release_last_s", "rss_baseline_kib", "rss_peak_kib", "rss_after_close_kib")
}

func TestStormCompletesSessions(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "storm", "-conns", "5", "-settle", "300ms")
	if res["sessions"] < 10 {
		t.Fatalf("sessions %v", res["sessions"])
	}
	requireKeys(t, res, "sessions_per_sec", "rss_baseline_kib", "rss_end_kib", "rss_after_kib", "handshake_p99_us")
}

func TestStormOverPolling(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "storm", "-conns", "3", "-transport", "polling", "-settle", "300ms")
	if res["sessions"] < 5 {
		t.Fatalf("sessions %v", res["sessions"])
	}
}

// shortPingServer pings every 200ms and drops a session 200ms after an
// unanswered ping.
func shortPingServer(t *testing.T) string {
	t.Helper()
	io := sio.NewServer(&sio.Options{Engine: eio.Options{PingInterval: 200 * time.Millisecond, PingTimeout: 200 * time.Millisecond}})
	srv := loop.New(&loop.Options{NumLoops: 1})
	srv.Handle("/socket.io/", io.Engine(), nil)
	return testserver.Start(t, srv)
}

func TestIdleAnswersPingsAcrossHeartbeats(t *testing.T) {
	addr := shortPingServer(t)
	// The default hold is 2×pingInterval + 5s; 1.5s is seven heartbeats here.
	res := bench(t, addr, "-scenario", "idle", "-conns", "40", "-hold", "1500ms")
	if res["connected"] != 40 || res["dropped"] != 0 {
		t.Fatalf("connected %v dropped %v", res["connected"], res["dropped"])
	}
	requireKeys(t, res, "rss_baseline_kib", "server_rss_kib", "rss_per_conn_kib", "connect_rate", "handshake_p50_us", "client_rss_kib")
}

func TestIdleOverPollingAnswersPingsToo(t *testing.T) {
	addr := shortPingServer(t)
	res := bench(t, addr, "-scenario", "idle", "-transport", "polling", "-conns", "20", "-hold", "1500ms")
	if res["connected"] != 20 || res["dropped"] != 0 {
		t.Fatalf("connected %v dropped %v", res["connected"], res["dropped"])
	}
}

func TestProcsSplitTheConnectionsOverChildren(t *testing.T) {
	addr := contractServer(t)
	res := bench(t, addr, "-scenario", "echo", "-conns", "30", "-procs", "2")
	if res["connected"] != 30 || res["acks"] < 100 || res["procs"] != 2 {
		t.Fatalf("connected %v acks %v", res["connected"], res["acks"])
	}
	requireKeys(t, res, "p99_us", "client_cpu_pct")
}
