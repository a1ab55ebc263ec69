package main

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
// 100 on every Linux build this runs on.
const clockTicks = 100

// procSample is a process's memory and CPU at one moment.
type procSample struct {
	at     time.Time
	rssKiB int64
	cpu    time.Duration // user + system
	ok     bool
}

// sampleProc reads VmRSS from /proc/PID/status and utime+stime from
// /proc/PID/stat. A process that is gone gives ok false.
func sampleProc(pid int) procSample {
	s := procSample{at: time.Now()}
	if pid <= 0 {
		return s
	}
	dir := "/proc/" + strconv.Itoa(pid)
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return s
	}
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return s
	}
	rss, err1 := parseVmRSS(status)
	cpu, err2 := parseStatCPU(stat)
	if err1 != nil || err2 != nil {
		return s
	}
	s.rssKiB, s.cpu, s.ok = rss, cpu, true
	return s
}

var errProcFormat = errors.New("sio-bench: unexpected /proc format")

// parseVmRSS returns the "VmRSS:   1234 kB" line's value in KiB.
func parseVmRSS(status []byte) (int64, error) {
	i := bytes.Index(status, []byte("VmRSS:"))
	if i < 0 {
		return 0, errProcFormat
	}
	line := status[i+len("VmRSS:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) == 0 {
		return 0, errProcFormat
	}
	return strconv.ParseInt(string(f[0]), 10, 64)
}

// parseStatCPU returns utime + stime (fields 14 and 15 of
// /proc/PID/stat; the command name in field 2 may hold spaces and
// parentheses, so fields are counted after its last ')').
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errProcFormat
	}
	f := bytes.Fields(stat[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, errProcFormat
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errProcFormat
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// selfCPU is this process's user + system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFileLimit lifts the soft open-files limit to the hard one and
// returns the result.
func raiseFileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
	return rl.Cur
}
