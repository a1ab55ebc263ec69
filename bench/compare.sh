#!/usr/bin/env bash
# compare.sh: sioloop against the official Node socket.io 4.8.4 server, on
# the same contract (bench/contract, bench/node/contract.mjs), driven by
# cmd/sio-bench. Each server is pinned to one core (SERVER_CPU, default 0),
# the load generator to another (CLIENT_CPU, default 1), and every scenario
# gets a fresh server process on a fresh port.
#
#   bench/compare.sh            # full run (tens of minutes)
#   QUICK=1 bench/compare.sh    # everything shrunk: under 3 minutes
#
# It prints one markdown table (rows: metrics; columns: sioloop | Node |
# ratio, with server and load-generator CPU % beside each figure) and saves
# it with the raw JSON line of every run under bench/results/<date>/.
# A run that fails shows "n/a" and the script goes on.
#
# Environment: QUICK, SERVER_CPU, CLIENT_CPU, BASE_PORT (3950), OUT (the
# results directory), DURATION / WARMUP / HOLD (measuring window, warm-up,
# idle hold), IDLE_A / IDLE_B / RECEIVERS / ECHO_RATE / ECHO_CONNS /
# POLL_IDLE / POLL_RECEIVERS (the long-polling sizes) /
# PEAK_CONNS / PEAK_INFLIGHT (the sizes below), RUN_TIMEOUT (seconds per
# run), SIO_BENCH (a prebuilt load generator instead of building
# ./cmd/sio-bench), ONLY (a regexp on the scenario names below: run only
# those, e.g. ONLY='^echo'), IMPLS (the servers to run: "sioloop node",
# the default, or one of them — IMPLS=sioloop ONLY='^idle-b$' is the quick
# check of the memory row while working on it), SYSCALLS=1 (count each
# server's system calls per message over the measured window with perf
# stat: sio-bench -syscalls; adds rows).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

die() { echo "compare.sh: $*" >&2; exit 1; }

QUICK=${QUICK:-0}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
BASE_PORT=${BASE_PORT:-3950}
STAMP=$(date +%Y-%m-%dT%H%M%S)
OUT=${OUT:-bench/results/$STAMP}
ONLY=${ONLY:-.}
IMPLS=${IMPLS:-sioloop node}
SYSCALLS=${SYSCALLS:-0}

if [ "$QUICK" = 1 ]; then
	IDLE_A=${IDLE_A:-1000} IDLE_B=${IDLE_B:-2000} RECEIVERS=${RECEIVERS:-1000}
	POLL_IDLE=${POLL_IDLE:-1000} POLL_RECEIVERS=${POLL_RECEIVERS:-500}
	DURATION=${DURATION:-3s} WARMUP=${WARMUP:-1s} HOLD=${HOLD:-2s}
	RUN_TIMEOUT=${RUN_TIMEOUT:-60}
else
	IDLE_A=${IDLE_A:-10000} IDLE_B=${IDLE_B:-18000} RECEIVERS=${RECEIVERS:-10000}
	POLL_IDLE=${POLL_IDLE:-8000} POLL_RECEIVERS=${POLL_RECEIVERS:-4000}
	DURATION=${DURATION:-15s} WARMUP=${WARMUP:-3s} HOLD=${HOLD:-10s}
	RUN_TIMEOUT=${RUN_TIMEOUT:-600}
fi
ECHO_RATE=${ECHO_RATE:-10000} ECHO_CONNS=${ECHO_CONNS:-1000}
PEAK_CONNS=${PEAK_CONNS:-100} PEAK_INFLIGHT=${PEAK_INFLIGHT:-16}

# One process may hold ~19,000 open files: two above 10,000 connections.
# A long-polling session holds two (its GET and its POST connection), so
# the polling sizes stay at or under 8,000 sessions.
procs() { if [ "$1" -ge 10000 ]; then echo 2; else echo 1; fi; }

for tool in go node npm python3 taskset timeout; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[ "$(nproc)" -ge 2 ] || echo "compare.sh: warning: $(nproc) CPU(s); server and load generator will share a core" >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 19000 ] || echo "compare.sh: warning: ulimit -n is $(ulimit -n): the large idle runs may fail" >&2

TMP=$(mktemp -d)
SPID= BPID=
cleanup() {
	if [ -n "$BPID" ]; then
		kill -TERM "$BPID" 2>/dev/null # timeout passes it on to sio-bench's process group
		wait "$BPID" 2>/dev/null
	fi
	[ -n "$SPID" ] && stop_server
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=lib.sh
. bench/lib.sh # listening, alive, prepare
prepare

# start_server IMPL PORT LOG: start a contract server pinned to SERVER_CPU,
# set SPID, wait until it accepts connections.
start_server() {
	case $1 in
	sioloop) HOST=127.0.0.1 PORT=$2 taskset -c "$SERVER_CPU" "$TMP/contract" >"$3" 2>&1 & ;;
	node) HOST=127.0.0.1 PORT=$2 taskset -c "$SERVER_CPU" node bench/node/contract.mjs >"$3" 2>&1 & ;;
	esac
	SPID=$!
	for _ in $(seq 150); do
		if ! alive "$SPID"; then
			wait "$SPID" 2>/dev/null
			SPID=
			return 1
		fi
		listening "$2" && return 0
		sleep 0.1
	done
	stop_server
	return 1
}

# stop_server: SIGTERM, then SIGKILL after 10s.
stop_server() {
	kill -TERM "$SPID" 2>/dev/null
	for _ in $(seq 100); do
		alive "$SPID" || break
		sleep 0.1
	done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}

PORT_NEXT=$BASE_PORT
# run NAME IMPL ARGS...: one sio-bench run against a fresh IMPL server; its
# last stdout line (a JSON object) goes to runs.jsonl with impl, name, args.
run() {
	local name=$1 impl=$2
	shift 2
	local tag=$name.$impl port rc alive=true
	while listening "$PORT_NEXT"; do PORT_NEXT=$((PORT_NEXT + 1)); done
	port=$PORT_NEXT
	PORT_NEXT=$((PORT_NEXT + 1))
	printf '%-16s %-8s sio-bench %s\n' "$name" "$impl" "$*" >&2
	if ! start_server "$impl" "$port" "$OUT/$tag.server.log"; then
		echo "    the $impl server did not start (see $OUT/$tag.server.log)" >&2
		record "$name" "$impl" 0 server_start "$*" /dev/null
		return 0
	fi
	# In the background, so that a trapped ^C is handled at once.
	local extra=()
	[ "$SYSCALLS" = 1 ] && extra=(-syscalls)
	timeout --kill-after=10 "$RUN_TIMEOUT" \
		taskset -c "$CLIENT_CPU" "$SIO_BENCH" -url "http://127.0.0.1:$port" -pid "$SPID" "${extra[@]}" "$@" \
		>"$OUT/$tag.out" 2>"$OUT/$tag.err" &
	BPID=$!
	wait "$BPID"
	rc=$?
	BPID=
	alive "$SPID" || alive=false
	stop_server
	record "$name" "$impl" "$rc" "$alive" "$*" "$OUT/$tag.out"
	sleep 1 # let the closed connections drain
}

# record NAME IMPL RC ALIVE ARGS OUTFILE: append one line to RUNS.
record() {
	python3 - "$@" >>"$RUNS" <<'PY'
import json, sys
name, impl, rc, alive, args, out = sys.argv[1:7]
res = None
for line in reversed(open(out, errors="replace").read().splitlines()):
    line = line.strip()
    if line:
        try:
            v = json.loads(line)
            res = v if isinstance(v, dict) else None
        except ValueError:
            pass
        break
ok = res is not None and alive == "true"
why = "" if ok else ("server did not start" if alive == "server_start" else
                     "server died" if alive == "false" else
                     "timeout" if rc in ("124", "137") else "no JSON (exit %s)" % rc)
if not ok:
    print("    failed: " + why, file=sys.stderr)
print(json.dumps({"name": name, "impl": impl, "args": args, "exit": int(rc), "ok": ok,
                  "why": why, "result": res}, separators=(",", ":")))
PY
}

# scenario NAME ARGS...: run it against sioloop, then against Node.
scenario() {
	[[ $1 =~ $ONLY ]] || return 0
	local impl
	for impl in $IMPLS; do
		run "$1" "$impl" "${@:2}"
	done
}

W=(-duration "$DURATION" -warmup "$WARMUP")
scenario idle-a -scenario idle -conns "$IDLE_A" -procs "$(procs "$IDLE_A")" -hold "$HOLD"
scenario idle-b -scenario idle -conns "$IDLE_B" -procs "$(procs "$IDLE_B")" -hold "$HOLD"
scenario echo-rate -scenario echo -rate "$ECHO_RATE" -conns "$ECHO_CONNS" "${W[@]}"
scenario echo-peak1 -scenario echo -rate 0 -batch 1 -inflight "$PEAK_INFLIGHT" -conns "$PEAK_CONNS" "${W[@]}"
scenario echo-peak16 -scenario echo -rate 0 -batch 16 -inflight "$PEAK_INFLIGHT" -conns "$PEAK_CONNS" "${W[@]}"
scenario fanout-paced -scenario fanout -receivers "$RECEIVERS" -procs "$(procs "$RECEIVERS")" -rate 2 "${W[@]}"
scenario fanout-burst -scenario fanout -receivers "$RECEIVERS" -procs "$(procs "$RECEIVERS")" -burst 50 "${W[@]}"
scenario storm -scenario storm "${W[@]}"
# Long-polling clients (polling only, no upgrade): sessions held open, echo
# with one emit in flight per session, broadcast to polling receivers.
scenario idle-poll -scenario idle -transport polling -conns "$POLL_IDLE" -hold "$HOLD"
scenario echo-poll -scenario polling -rate 0 -inflight 1 -conns "$PEAK_CONNS" "${W[@]}"
scenario fanout-poll -scenario fanout -transport polling -receivers "$POLL_RECEIVERS" -rate 2 "${W[@]}"

{
	echo "# sioloop vs Node socket.io 4.8.4 — $STAMP"
	echo
	echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty'), $(go env GOVERSION), node $(node --version), $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')$([ "$QUICK" = 1 ] && echo ', QUICK=1')."
	echo "Servers pinned to CPU $SERVER_CPU, sio-bench to CPU $CLIENT_CPU; a fresh server per run."
	echo
	SYSCALLS=$SYSCALLS IDLE_A=$IDLE_A IDLE_B=$IDLE_B RECEIVERS=$RECEIVERS ECHO_RATE=$ECHO_RATE POLL_IDLE=$POLL_IDLE POLL_RECEIVERS=$POLL_RECEIVERS PEAK_CONNS=$PEAK_CONNS python3 - "$RUNS" <<'PY'
import json, os, sys

runs = {}
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)
        runs[(r["name"], r["impl"])] = r

def n(v):
    return "{:,}".format(int(v))

A, B, R, ER, PI, PR, PC = (n(os.environ[k]) for k in ("IDLE_A", "IDLE_B", "RECEIVERS", "ECHO_RATE", "POLL_IDLE", "POLL_RECEIVERS", "PEAK_CONNS"))
HI, LO = True, False
# (label, scenario, key, higher is better, decimals)
rows = [
    ("RSS per idle connection, %s conns (KiB)" % A, "idle-a", "rss_per_conn_kib", LO, 2),
    ("RSS per idle connection, %s conns (KiB)" % B, "idle-b", "rss_per_conn_kib", LO, 2),
    ("connect rate, %s conns (conns/s)" % A, "idle-a", "connect_rate", HI, 0),
    ("connect rate, %s conns (conns/s)" % B, "idle-b", "connect_rate", HI, 0),
    ("echo p50 at %s emits/s (µs)" % ER, "echo-rate", "p50_us", LO, 0),
    ("echo p99 at %s emits/s (µs)" % ER, "echo-rate", "p99_us", LO, 0),
    ("echo peak, 1 emit/write (acks/s)", "echo-peak1", "acks_per_sec", HI, 0),
    ("server CPU per echo, 1 emit/write (µs)", "echo-peak1", "server_cpu_us_per_msg", LO, 2),
    ("echo peak, 16 emits/write (acks/s)", "echo-peak16", "acks_per_sec", HI, 0),
    ("server CPU per echo, 16 emits/write (µs)", "echo-peak16", "server_cpu_us_per_msg", LO, 2),
    ("fanout to %s, 2 bcast/s: delivered (msg/s)" % R, "fanout-paced", "delivered_per_sec", HI, 0),
    ("fanout to %s, 2 bcast/s: p50 (µs)" % R, "fanout-paced", "p50_us", LO, 0),
    ("fanout to %s, 2 bcast/s: p99 (µs)" % R, "fanout-paced", "p99_us", LO, 0),
    ("fanout to %s, 2 bcast/s: server CPU per msg (µs)" % R, "fanout-paced", "server_cpu_us_per_msg", LO, 3),
    ("fanout to %s, bursts of 50: delivered (msg/s)" % R, "fanout-burst", "delivered_per_sec", HI, 0),
    ("fanout to %s, bursts of 50: p50 (µs)" % R, "fanout-burst", "p50_us", LO, 0),
    ("fanout to %s, bursts of 50: p99 (µs)" % R, "fanout-burst", "p99_us", LO, 0),
    ("fanout to %s, bursts of 50: server CPU per msg (µs)" % R, "fanout-burst", "server_cpu_us_per_msg", LO, 3),
    ("churn (storm) sessions/s", "storm", "sessions_per_sec", HI, 0),
    ("polling: RSS per idle session, %s sessions (KiB)" % PI, "idle-poll", "rss_per_conn_kib", LO, 2),
    ("polling: echo peak, %s sessions (acks/s)" % PC, "echo-poll", "acks_per_sec", HI, 0),
    ("polling: server CPU per echo (µs)", "echo-poll", "server_cpu_us_per_msg", LO, 2),
    ("polling: echo p99 (µs)", "echo-poll", "p99_us", LO, 0),
    ("polling: fanout to %s, 2 bcast/s: server CPU per msg (µs)" % PR, "fanout-poll", "server_cpu_us_per_msg", LO, 3),
    ("polling: fanout to %s, 2 bcast/s: p99 (µs)" % PR, "fanout-poll", "p99_us", LO, 0),
]
if os.environ["SYSCALLS"] == "1":
    # sio-bench -syscalls: the server's system calls per message.
    for scn, what in (("echo-rate", "echo at %s emits/s" % ER), ("echo-peak1", "echo peak, 1 emit/write"),
                      ("echo-peak16", "echo peak, 16 emits/write"), ("fanout-paced", "fanout to %s, 2 bcast/s" % R),
                      ("echo-poll", "polling: echo"), ("fanout-poll", "polling: fanout to %s" % PR)):
        for key, sys in (("server_syscalls_per_msg", "all syscalls"), ("server_reads_per_msg", "reads"),
                         ("server_writes_per_msg", "writes"), ("server_epoll_waits_per_msg", "epoll_waits"),
                         ("server_futex_per_msg", "futex")):
            rows.append(("%s: %s per msg" % (what, sys), scn, key, LO, 3))

def value(scn, impl, key):
    r = runs.get((scn, impl))
    if not r or not r["ok"]:
        return None, None
    v = r["result"].get(key)
    return (v if isinstance(v, (int, float)) and not isinstance(v, bool) else None), r

def cell(v, r, dec):
    if r is None:
        return "n/a"
    if v is None:
        return "n/a"
    res = r["result"]
    notes = []
    for k, tag in (("server_cpu_pct", "srv"), ("client_cpu_pct", "lg")):
        p = res.get(k)
        if not isinstance(p, (int, float)):
            notes.append(tag + " ?")
        elif tag == "lg" and p >= 90:
            notes.append("**lg %.0f%%**" % p)  # the load generator is the bottleneck
        else:
            notes.append("%s %.0f%%" % (tag, p))
    if res.get("errors"):
        notes.append("**%s err**" % n(res["errors"]))
    if r["exit"] != 0:
        notes.append("exit %d" % r["exit"])
    s = ("{:,.%df}" % dec).format(v)
    return "%s (%s)" % (s, ", ".join(notes))

print("| metric | sioloop | Node | ratio |")
print("|---|---:|---:|---:|")
for label, scn, key, hi, dec in rows:
    if not any((scn, i) in runs for i in ("sioloop", "node")):
        continue
    sv, sr = value(scn, "sioloop", key)
    nv, nr = value(scn, "node", key)
    ratio = "n/a"
    if sv is not None and nv is not None:
        num, den = (sv, nv) if hi else (nv, sv)
        if den:
            ratio = "%.2f× " % (num / den)
            ratio += "(sioloop/Node, higher is better)" if hi else "(Node/sioloop, lower is better)"
    print("| %s | %s | %s | %s |" % (label, cell(sv, sr, dec), cell(nv, nr, dec), ratio))
print()
print("Ratio > 1 means sioloop is ahead. srv / lg: server / load-generator CPU % (100% = one core);")
print("lg in bold (≥ 90%): the load generator, not the server, may be the bottleneck.")
failed = [r for r in runs.values() if not r["ok"]]
if failed:
    print()
    print("Failed runs: " + "; ".join("%s on %s: %s" % (r["name"], r["impl"], r["why"]) for r in failed) + ".")
print()
print("Runs (sio-bench arguments):")
print()
seen = set()
for r in runs.values():
    if r["name"] not in seen:
        seen.add(r["name"])
        print("- %s: `%s`" % (r["name"], r["args"]))
PY
} >"$OUT/table.md"

echo >&2
cat "$OUT/table.md"
echo >&2
echo "results: $OUT (runs.jsonl, table.md, each run's stdout/stderr and server log)" >&2
