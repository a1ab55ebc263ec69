package main

import (
	"fmt"
	"time"
)

// The storm scenario: -conns workers, each in a loop of whole sessions —
// connect (transport handshake and Socket.IO CONNECT), emit one "echo"
// with an ack, wait for it, disconnect (a "41" and a close) — until stop.
// A session's latency runs from its TCP connect to the ack.

// stormPause is how long a storm worker waits after a failed session, so
// a refusing server is not hammered in a hot loop.
const stormPause = 10 * time.Millisecond

// sessionTimeout bounds the emit and ack of one session.
const sessionTimeout = 10 * time.Second

// startStorm starts the session loops. Runs on the coordinating
// goroutine.
func (w *worker) startStorm() {
	n := w.cfg.localConns()
	w.connStart.Store(time.Now().UnixNano())
	for i := 0; i < n; i++ {
		c := newClient(w.cfg, w.d, i)
		w.mu.Lock()
		w.clients = append(w.clients, c) // so stop can close it mid-session
		w.mu.Unlock()
		w.running.Add(1)
		go func() {
			defer w.running.Done()
			for !w.stopping.Load() {
				if err := w.session(c); err != nil && !w.stopping.Load() {
					w.fail(err)
					time.Sleep(stormPause)
				}
			}
		}()
	}
}

// session runs one whole session on c.
// Runs on the storm worker's goroutine.
func (w *worker) session(c *client) error {
	defer c.t.close(false)
	start := time.Now()
	hs, err := c.connect(w.ctx)
	if err != nil {
		return err
	}
	w.hs.record(c.idx, hs.Microseconds())
	c.t.setDeadline(time.Now().Add(sessionTimeout))
	if _, err := c.emitAcked(1, w.body, now()); err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	// The echo is the session's first emit: ack id 0.
	if _, err := c.awaitAck(0); err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	c.disconnect()
	w.lat.record(c.idx, time.Since(start).Microseconds())
	w.sessions.Add(1)
	return nil
}
