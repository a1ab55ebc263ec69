#!/usr/bin/env bash
# cluster.sh: broadcasts across a two-node Redis cluster, sioloop and the
# official Node server (@socket.io/redis-adapter 8.3) in every pairing,
# measured in one run: the sender's node io.emit()s, Redis carries it, the
# other node writes it to its receivers (cmd/sio-bench -scenario fanout
# -sender-url). Each pairing gets a fresh redis-server and fresh servers.
#
#   make bench-cluster            # or bench/cluster.sh
#   QUICK=1 bench/cluster.sh      # smaller, about a minute
#
# Two rows per pairing: latency (paced, RATE broadcasts/s: p50 and p99
# from the send to each receiver) and throughput (BURST broadcasts back to
# back: deliveries per second). Both nodes run on NODE_CPU (default 0),
# Redis and sio-bench on CLIENT_CPU (default 1): with 2 cores Redis cannot
# have its own. Environment: QUICK, RECEIVERS, RATE, BURST, DURATION,
# WARMUP, NODE_CPU, CLIENT_CPU, BASE_PORT (3990), PAIRS (default
# "sioloop:sioloop sioloop:node node:sioloop node:node", sender:receiver),
# OUT (bench/results/<date>-cluster). It prints a markdown table and saves
# it with every run's JSON line and logs under OUT.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. bench/lib.sh # listening, alive, prepare

die() { echo "cluster.sh: $*" >&2; exit 1; }

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
	RECEIVERS=${RECEIVERS:-200} BURST=${BURST:-200} DURATION=${DURATION:-3s} WARMUP=${WARMUP:-1s}
else
	RECEIVERS=${RECEIVERS:-1000} BURST=${BURST:-1000} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-2s}
fi
RATE=${RATE:-20}
NODE_CPU=${NODE_CPU:-0} CLIENT_CPU=${CLIENT_CPU:-1} BASE_PORT=${BASE_PORT:-3990}
PAIRS=${PAIRS:-"sioloop:sioloop sioloop:node node:sioloop node:node"}
STAMP=$(date +%Y-%m-%dT%H%M%S)
OUT=${OUT:-bench/results/$STAMP-cluster}

for tool in go node npm python3 taskset timeout redis-server; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
TMP=$(mktemp -d)
PIDS=()
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
}
trap 'stop_all; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

prepare

PORT_NEXT=$BASE_PORT
# free_port: set FREE to the next port nobody listens on.
free_port() {
	while listening "$PORT_NEXT"; do PORT_NEXT=$((PORT_NEXT + 1)); done
	FREE=$PORT_NEXT
	PORT_NEXT=$((PORT_NEXT + 1))
}

# start CPU LOG PORT CMD...: start a process pinned to CPU, wait until PORT
# accepts connections (15 s at most).
start() {
	local cpu=$1 log=$2 port=$3
	shift 3
	taskset -c "$cpu" "$@" >"$log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 150); do
		alive "$!" || return 1
		listening "$port" && return 0
		sleep 0.1
	done
	return 1
}

# node_cmd IMPL: the contract server's command.
node_cmd() {
	case $1 in
	sioloop) echo "$TMP/contract" ;;
	node) echo "node bench/node/contract.mjs" ;;
	esac
}

# measure NAME SENDER RECEIVER ARGS...: one sio-bench run on a fresh cluster.
measure() {
	local name=$1 snd=$2 rcv=$3 tag rp sp np rc
	shift 3
	tag=$name.$snd-$rcv
	free_port && rp=$FREE
	free_port && sp=$FREE
	free_port && np=$FREE
	printf '%-10s %-8s -> %-8s sio-bench %s\n' "$name" "$snd" "$rcv" "$*" >&2
	if start "$CLIENT_CPU" "$OUT/$tag.redis.log" "$rp" redis-server --port "$rp" --bind 127.0.0.1 --save '' --appendonly no &&
		REDIS_URL=redis://127.0.0.1:$rp HOST=127.0.0.1 PORT=$sp start "$NODE_CPU" "$OUT/$tag.sender.log" "$sp" $(node_cmd "$snd") &&
		REDIS_URL=redis://127.0.0.1:$rp HOST=127.0.0.1 PORT=$np start "$NODE_CPU" "$OUT/$tag.receiver.log" "$np" $(node_cmd "$rcv"); then
		sleep 1 # both nodes subscribed
		timeout --kill-after=10 300 taskset -c "$CLIENT_CPU" "$SIO_BENCH" -url "http://127.0.0.1:$np" \
			-sender-url "http://127.0.0.1:$sp" -scenario fanout -receivers "$RECEIVERS" -pid "${PIDS[2]}" "$@" \
			>"$OUT/$tag.out" 2>"$OUT/$tag.err"
		rc=$?
	else
		echo "    a process did not start (see $OUT/$tag.*.log)" >&2
		rc=255
		: >"$OUT/$tag.out"
	fi
	stop_all
	python3 - "$name" "$snd" "$rcv" "$rc" "$OUT/$tag.out" >>"$RUNS" <<'PY'
import json, sys
name, snd, rcv, rc, out = sys.argv[1:6]
res = None
for line in reversed(open(out, errors="replace").read().splitlines()):
    if line.strip():
        try:
            res = json.loads(line)
        except ValueError:
            pass
        break
if res is None:
    print("    failed (exit %s)" % rc, file=sys.stderr)
print(json.dumps({"name": name, "sender": snd, "receiver": rcv, "exit": int(rc), "result": res}))
PY
}

for pair in $PAIRS; do
	measure paced "${pair%%:*}" "${pair##*:}" -rate "$RATE" -duration "$DURATION" -warmup "$WARMUP"
	measure burst "${pair%%:*}" "${pair##*:}" -burst "$BURST" -duration "$DURATION" -warmup "$WARMUP"
done

{
	echo "# Broadcasts across a Redis cluster — $STAMP"
	echo
	echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(go env GOVERSION), node $(node --version), $(redis-server --version | cut -d' ' -f3), $(nproc) CPUs$([ "$QUICK" = 1 ] && echo ', QUICK=1')."
	echo "Both nodes on CPU $NODE_CPU, Redis and sio-bench on CPU $CLIENT_CPU; $RECEIVERS receivers on the receiving node."
	echo
	RATE=$RATE BURST=$BURST python3 - "$RUNS" <<'PY'
import json, os, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r["name"], r["sender"], r["receiver"])] = r.get("result") or {}
pairs = sorted({(s, r) for (_, s, r) in runs}, key=lambda p: (p[0] != "sioloop", p[1] != "sioloop"))
def f(v):
    return "n/a" if v is None else "{:,}".format(int(v))
print("| sender → receiver | p50 (µs), %s bcast/s | p99 (µs), %s bcast/s | delivered/s, bursts of %s | receiver CPU per msg (µs), burst |" % (os.environ["RATE"], os.environ["RATE"], os.environ["BURST"]))
print("|---|---:|---:|---:|---:|")
for s, r in pairs:
    p, b = runs.get(("paced", s, r), {}), runs.get(("burst", s, r), {})
    cpu = b.get("server_cpu_us_per_msg")
    print("| %s → %s | %s | %s | %s | %s |" % (s, r, f(p.get("p50_us")), f(p.get("p99_us")), f(b.get("delivered_per_sec")), "n/a" if cpu is None else "%.2f" % cpu))
PY
} | tee "$OUT/table.md"
