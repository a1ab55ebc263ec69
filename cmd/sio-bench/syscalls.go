package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// With -syscalls, the server's system calls over the measured window are
// counted by `perf stat` attached to it (-pid) and reported per message,
// next to server_cpu_us_per_msg: counts that do not move with the load
// other processes put on the machine, unlike CPU time. Needs perf and the
// right to trace the server (root, or perf_event_paranoid ≤ 1).

// syscallGroups names the counted tracepoints by the result key they add
// to; server_syscalls_per_msg counts every system call, and the rest
// (other than the groups) is server_other_syscalls_per_msg.
var syscallGroups = []struct {
	key    string
	events []string
}{
	{"server_reads_per_msg", []string{"read", "readv", "recvfrom", "recvmsg"}},
	{"server_writes_per_msg", []string{"write", "writev", "sendto", "sendmsg"}},
	{"server_epoll_waits_per_msg", []string{"epoll_wait", "epoll_pwait", "epoll_pwait2"}},
	{"server_epoll_ctls_per_msg", []string{"epoll_ctl"}},
	{"server_futex_per_msg", []string{"futex"}},
}

const allSyscalls = "raw_syscalls:sys_enter"

// syscallCounter is one perf stat process attached to the server.
type syscallCounter struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

// startSyscallCounter attaches perf stat to pid and waits until it
// counts (perf prints nothing before; a short pause covers the attach).
func startSyscallCounter(pid int) (*syscallCounter, error) {
	events := []string{allSyscalls}
	for _, g := range syscallGroups {
		for _, e := range g.events {
			events = append(events, "syscalls:sys_enter_"+e)
		}
	}
	sc := &syscallCounter{}
	sc.cmd = exec.Command("perf", "stat", "-x", ",", "--no-big-num", "-e", strings.Join(events, ","), "-p", strconv.Itoa(pid))
	sc.cmd.Stderr = &sc.out // perf stat writes its counts on stderr
	if err := sc.cmd.Start(); err != nil {
		return nil, fmt.Errorf("sio-bench: -syscalls: %w", err)
	}
	time.Sleep(200 * time.Millisecond)
	return sc, nil
}

// stop ends the count and returns it (parsePerfStat).
func (sc *syscallCounter) stop() (map[string]int64, error) {
	_ = sc.cmd.Process.Signal(syscall.SIGINT)
	err := sc.cmd.Wait()
	counts := parsePerfStat(sc.out.Bytes())
	if _, ok := counts[allSyscalls]; !ok {
		return nil, fmt.Errorf("sio-bench: -syscalls: perf stat counted nothing (%v): %s", err, strings.TrimSpace(sc.out.String()))
	}
	return counts, nil
}

// parsePerfStat reads perf stat's CSV output (-x ,: value,unit,event,...)
// into counts by event name: the part after "sys_enter_", or allSyscalls.
// Events perf did not count are left out.
func parsePerfStat(out []byte) map[string]int64 {
	counts := map[string]int64{}
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		f := strings.Split(s.Text(), ",")
		if len(f) < 3 {
			continue
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue // "<not counted>", "<not supported>", a comment
		}
		name := f[2]
		if i := strings.Index(name, "sys_enter_"); i >= 0 && name != allSyscalls {
			name = name[i+len("sys_enter_"):]
		}
		counts[name] = v
	}
	return counts
}

// setSyscalls reports the window's system calls per message.
func (c *coordinator) setSyscalls(w *window, per int64) {
	if w.sysErr != nil {
		fmt.Fprintln(c.stderr, w.sysErr)
	}
	counts := w.syscalls
	if counts == nil {
		return
	}
	perMsg := func(n int64) float64 {
		if per <= 0 {
			return math.NaN()
		}
		return float64(n) / float64(per)
	}
	all := counts[allSyscalls]
	c.res.set("server_syscalls_per_msg", perMsg(all))
	rest := all
	for _, g := range syscallGroups {
		var n int64
		for _, e := range g.events {
			n += counts[e]
		}
		rest -= n
		c.res.set(g.key, perMsg(n))
	}
	c.res.set("server_other_syscalls_per_msg", perMsg(rest))
}

// checkPerf fails early when -syscalls cannot work here.
func checkPerf() error {
	if _, err := exec.LookPath("perf"); err != nil {
		return fmt.Errorf("-syscalls needs perf: %w", err)
	}
	if _, err := os.Stat("/sys/kernel/tracing/events/raw_syscalls"); err != nil {
		if _, err2 := os.Stat("/sys/kernel/debug/tracing/events/raw_syscalls"); err2 != nil {
			return fmt.Errorf("-syscalls needs the syscall tracepoints (tracefs): %w", err)
		}
	}
	return nil
}
