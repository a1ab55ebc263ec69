#!/usr/bin/env bash
# Builds and starts examples/conformance on 127.0.0.1:PORT, runs the
# official suite(s) from ../shared/conformance against it, stops it.
# usage: scripts/conformance.sh [engine|socket|all] [PORT] [gnet|nethttp]
# (nethttp: the servers mounted on net/http, examples/conformance's MODE)
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all} port=${2:-3917} mode=${3:-gnet}
runner=../shared/conformance/run.sh
if [ ! -x "$runner" ]; then
  cat >&2 <<EOF
conformance: the official engine.io and socket.io protocol suites are not
beside this checkout: $(cd .. && pwd)/shared/conformance/run.sh is missing. They are the
test-suite.js files of socketio/engine.io-protocol and
socketio/socket.io-protocol with a run.sh that runs one or both against a
URL, expected in ../shared/conformance/ (README, "Set-up on a fresh
machine"). Everything else: make vet unit fuzz-short.
EOF
  exit 2
fi
bin=$(mktemp -d)/conformance
go build -o "$bin" ./examples/conformance
MODE=$mode PORT=$port HOST=127.0.0.1 "$bin" >"$bin.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
if ! "$runner" "$which" "http://localhost:$port"; then
  echo "--- server log"; tail -50 "$bin.log"; exit 1
fi
