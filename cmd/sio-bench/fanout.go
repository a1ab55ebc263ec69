package main

import (
	"errors"
	"time"
)

// The fanout scenario: one sender (on worker 0) emits "broadcast" (mode
// all: the server io.emit()s it to everyone, the sender included) or
// "broadcast_room" (mode room: io.to(room).emit() to the receivers that
// joined the room). Each payload carries its send time,
// "t:<unixnano>:<padding>"; a receiver's delivery latency is its receive
// time minus that stamp (the wall clock, shared by the processes).

// startFanout starts the sender: paced at -rate, or one -burst.
func (w *worker) startFanout() {
	s := w.sender
	if s == nil {
		if w.cfg.workerIndex == 0 {
			w.fail(errNoSender)
		}
		return
	}
	room := ""
	if w.cfg.mode == "room" {
		room = w.cfg.room
	}
	pad, b := w.cfg.payload, w.cfg.batch
	w.running.Add(1)
	if w.cfg.burst > 0 {
		go func() {
			defer w.running.Done()
			w.burstStart.Store(time.Now().UnixNano())
			stamp := func(int) int64 { return time.Now().UnixNano() }
			for left := w.cfg.burst; left > 0 && !w.stopping.Load(); {
				n := min(b, left)
				if err := s.emitBroadcasts(n, room, pad, stamp); err != nil {
					w.fail(err)
					return
				}
				w.sent.Add(int64(n))
				left -= n
			}
		}()
		return
	}
	go func() {
		defer w.running.Done()
		// The rate is the whole run's: there is one sender.
		interval := float64(b) / w.cfg.rate * float64(time.Second)
		t0 := time.Now()
		w.burstStart.Store(t0.UnixNano())
		timer := time.NewTimer(time.Hour)
		defer timer.Stop()
		for k := 0; !w.stopping.Load(); k++ {
			if w.cfg.broadcasts > 0 && k*b >= w.cfg.broadcasts {
				return
			}
			due := t0.Add(time.Duration(float64(k) * interval))
			if d := time.Until(due); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-w.ctx.Done():
					return
				}
			}
			dueNs := due.UnixNano() // the scheduled time, for all b of the write
			stamp := func(int) int64 { return dueNs }
			if err := s.emitBroadcasts(b, room, pad, stamp); err != nil {
				if !w.stopping.Load() {
					w.fail(err)
				}
				return
			}
			w.sent.Add(int64(b))
		}
	}()
}

var (
	errNoSender = errors.New("sio-bench: the fanout sender did not connect")
	errBadStamp = errors.New("sio-bench: a broadcast without a send stamp")
	errOrder    = errors.New("sio-bench: a broadcast out of order")
)

// onEvent counts a "broadcast" delivery and records its latency. Runs on
// the connection's goroutine.
func (w *worker) onEvent(c *client, pk sioPacket) {
	name, rest, ok := eventName(pk.data)
	if !ok || string(name) != "broadcast" {
		return
	}
	recv := time.Now().UnixNano()
	ts, ok := broadcastStamp(rest)
	if !ok {
		w.fail(errBadStamp)
		return
	}
	w.lat.record(c.idx, (recv-ts)/1000)
	w.delivered.Add(1)
	storeMax(&w.lastRecv, recv)
	// Paced stamps are the schedule: each later than the one before.
	if w.cfg.burst == 0 && ts <= c.lastStamp {
		w.outOfOrder.Add(1)
		w.fail(errOrder)
	}
	c.lastStamp = ts
	c.got.Add(1)
}
