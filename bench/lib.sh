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
