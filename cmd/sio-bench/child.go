package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// -procs N: the parent re-executes itself N times with its own arguments
// plus the hidden "-worker i/N"; each child holds its share of the
// connections. The parent writes one command a line on a child's stdin
// (setup, start, measure, progress, stop); the child answers each with
// one report as a JSON line on its stdout, and exits after "stop" or when
// its stdin closes. Histograms travel HDR-encoded and are merged by the
// parent.

// workerHandle is how the coordinator drives one worker.
//
// Ownership: call is used from one goroutine at a time per handle.
type workerHandle interface {
	// call sends cmd and waits at most timeout for the report.
	call(cmd string, timeout time.Duration) (*report, error)
	// close ends the worker (a child exits, killed if it lingers).
	close()
}

var errNoAnswer = errors.New("sio-bench: the worker did not answer in time")

// localHandle runs the worker in this process (-procs 1).
type localHandle struct{ w *worker }

func (h localHandle) call(cmd string, timeout time.Duration) (*report, error) {
	ch := make(chan *report, 1)
	go func() { ch <- h.w.handle(cmd) }()
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(timeout):
		return nil, errNoAnswer
	}
}

func (h localHandle) close() {}

// childHandle drives a child process.
type childHandle struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan []byte // the child's stdout, a line at a time
	exit  chan struct{}
}

// startChild starts worker index of count with the parent's arguments.
func startChild(args []string, index, count int) (*childHandle, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	argv := append(append([]string(nil), args...), "-worker", fmt.Sprintf("%d/%d", index, count))
	cmd := exec.Command(exe, argv...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	h := &childHandle{cmd: cmd, in: in, lines: make(chan []byte, 4), exit: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			h.lines <- append([]byte(nil), sc.Bytes()...)
		}
		close(h.exit)
	}()
	return h, nil
}

func (h *childHandle) call(cmd string, timeout time.Duration) (*report, error) {
	if _, err := io.WriteString(h.in, cmd+"\n"); err != nil {
		return nil, fmt.Errorf("worker %s: %w", cmd, err)
	}
	select {
	case line := <-h.lines:
		r := &report{}
		if err := json.Unmarshal(line, r); err != nil {
			return nil, fmt.Errorf("worker %s: bad report: %w", cmd, err)
		}
		return r, nil
	case <-h.exit:
		return nil, fmt.Errorf("worker %s: the worker exited", cmd)
	case <-time.After(timeout):
		return nil, errNoAnswer
	}
}

func (h *childHandle) close() {
	_ = h.in.Close()
	done := make(chan struct{})
	go func() {
		_ = h.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
	}
}

// runChild is a child's main loop: commands in on r, reports out on w.
// The report of "stop" carries the child's own CPU time since "measure".
func runChild(cfg *config, r io.Reader, w io.Writer) error {
	wk := newWorker(cfg)
	enc := json.NewEncoder(w)
	sc := bufio.NewScanner(r)
	cpu0 := selfCPU()
	for sc.Scan() {
		cmd := sc.Text()
		if cmd == "measure" {
			cpu0 = selfCPU()
		}
		rep := wk.handle(cmd)
		if cmd == "stop" {
			rep.CPUNs = int64(selfCPU() - cpu0)
		}
		if err := enc.Encode(rep); err != nil {
			wk.stop()
			return err
		}
		if cmd == "stop" {
			return nil
		}
	}
	wk.stop() // the parent is gone
	return sc.Err()
}
