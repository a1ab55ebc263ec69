package main

import (
	"time"
)

// The echo scenario (and polling, the same over long-polling): emit
// "echo" with an ack; the server acks with the same arguments.
//
// Closed loop (-rate 0): every connection keeps -inflight emits
// outstanding, writing -batch of them per write() as soon as that many
// slots are free; the acks/s it reaches is the server's peak.
//
// Open loop (-rate R): one pacer per process writes -batch emits every
// batch/R seconds, to the connections in turn. The latency of an ack is
// taken from the time its emit was due, not from when it was written, so
// a server that stalls the writer is not flattered (no coordinated
// omission).

// startEcho starts the closed loop on every connection or the open-loop
// pacer. Runs on the coordinating goroutine.
func (w *worker) startEcho() {
	clients := w.liveClients()
	if w.cfg.rate > 0 {
		w.running.Add(1)
		go func() {
			defer w.running.Done()
			w.pace(clients, w.cfg.perProcess(w.cfg.rate))
		}()
		return
	}
	k, b := w.cfg.inflight, w.cfg.batch
	for _, c := range clients {
		for sent := 0; sent < k; {
			n, err := c.emitAcked(min(b, k-sent), w.body, now())
			w.sent.Add(int64(n))
			if err != nil {
				w.fail(err)
				break
			}
			sent += n
		}
	}
}

// liveClients is a copy of the open connections.
func (w *worker) liveClients() []*client {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*client, 0, len(w.clients))
	for _, c := range w.clients {
		if c != w.sender {
			out = append(out, c)
		}
	}
	return out
}

// pace is the open-loop pacer: rate emits/s over clients, in batches.
// Runs on its own goroutine until stop.
func (w *worker) pace(clients []*client, rate float64) {
	if len(clients) == 0 || rate <= 0 {
		return
	}
	b := w.cfg.batch
	interval := float64(b) / rate * float64(time.Second)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	t0 := now()
	for k := 0; !w.stopping.Load(); k++ {
		due := t0 + int64(float64(k)*interval)
		if d := due - now(); d > 0 {
			timer.Reset(time.Duration(d))
			select {
			case <-timer.C:
			case <-w.ctx.Done():
				return
			}
		}
		c := clients[k%len(clients)]
		for i := 1; c.dead.Load() && i < len(clients); i++ {
			c = clients[(k+i)%len(clients)]
		}
		if c.dead.Load() {
			return // every connection is gone
		}
		n, err := c.emitAcked(b, w.body, due)
		w.sent.Add(int64(n))
		if err != nil && !w.stopping.Load() {
			w.fail(err)
		}
	}
}

// onAck records an echo ack and, in the closed loop, refills the
// connection's window. Runs on the connection's goroutine.
func (w *worker) onAck(c *client, pk sioPacket) {
	t0, ok := c.popAck(pk.id)
	if !ok {
		return // not ours (or already counted)
	}
	w.lat.record(c.idx, (now()-t0)/1000)
	w.acks.Add(1)
	if w.cfg.rate > 0 || w.stopping.Load() || w.cfg.fanoutLike() {
		return
	}
	k, b := w.cfg.inflight, w.cfg.batch
	if c.outstanding() <= k-b {
		n, err := c.emitAcked(b, w.body, now())
		w.sent.Add(int64(n))
		if err != nil && !w.stopping.Load() {
			w.fail(err)
		}
	}
}
