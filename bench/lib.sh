# lib.sh: shell helpers shared by bench/compare.sh and bench/cluster.sh
# (sourced, not run).

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# alive PID: the process runs (a zombie, dead but not yet waited for, does not).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

# prepare: build the contract server ($TMP/contract) and the load generator
# (SIO_BENCH, unless it names a prebuilt one), install the Node contract
# server's packages when their lock changed, create OUT and an empty
# RUNS=$OUT/runs.jsonl. Needs TMP, OUT and a die function.
prepare() {
	echo "building the servers and the load generator..." >&2
	go build -o "$TMP/contract" ./bench/contract || die "cannot build ./bench/contract"
	if [ -n "${SIO_BENCH:-}" ]; then
		[ -x "$SIO_BENCH" ] || die "SIO_BENCH=$SIO_BENCH is not executable"
	else
		SIO_BENCH=$TMP/sio-bench
		go build -o "$SIO_BENCH" ./cmd/sio-bench || die "cannot build ./cmd/sio-bench (or set SIO_BENCH)"
	fi
	if ! [ bench/node/node_modules/.package-lock.json -nt bench/node/package-lock.json ]; then
		(cd bench/node && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in bench/node failed"
	fi
	mkdir -p "$OUT" || die "cannot create $OUT"
	# Results stay out of git without touching the repository's .gitignore.
	[ -e bench/results/.gitignore ] || printf '*\n' >bench/results/.gitignore 2>/dev/null
	RUNS=$OUT/runs.jsonl
	: >"$RUNS"
}
