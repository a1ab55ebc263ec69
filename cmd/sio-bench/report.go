package main

import (
	"fmt"
	"sync"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds, from 1µs to 100s, with 3
// significant digits.
const (
	histMin    = 1
	histMax    = 100_000_000
	histDigits = 3
)

func newHist() *hdr.Histogram { return hdr.New(histMin, histMax, histDigits) }

// encodeHist returns h in the HdrHistogram V2 compressed base64 form ("" when empty).
func encodeHist(h *hdr.Histogram) string {
	if h == nil || h.TotalCount() == 0 {
		return ""
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return ""
	}
	return string(b)
}

// decodeHist is encodeHist's inverse; "" is an empty histogram.
func decodeHist(s string) (*hdr.Histogram, error) {
	if s == "" {
		return newHist(), nil
	}
	return hdr.Decode([]byte(s))
}

// report is one worker's partial result: the answer to each command of
// the parent, a JSON line on a child's stdout. Counters cover the current
// window (since "measure", or since "start" before it); Connected and
// Opened the whole run.
type report struct {
	Worker       int    `json:"worker"`
	Err          string `json:"err,omitempty"` // the worker failed as a whole
	Connected    int64  `json:"connected"`     // open connections now
	Opened       int64  `json:"opened"`        // handshakes completed during setup
	Errors       int64  `json:"errors"`
	Dropped      int64  `json:"dropped"` // connections lost before the end
	Sent         int64  `json:"sent"`    // emits or broadcasts written
	Acks         int64  `json:"acks"`
	Delivered    int64  `json:"delivered"`
	Sessions     int64  `json:"sessions"`
	Lat          string `json:"lat,omitempty"` // HDR V2: ack, delivery or session latency, µs
	Handshake    string `json:"hs,omitempty"`  // HDR V2: TCP connect → CONNECT, µs
	ConnectStart int64  `json:"connect_start_ns,omitempty"`
	ConnectEnd   int64  `json:"connect_end_ns,omitempty"`
	PingInterval int64  `json:"ping_interval_ms,omitempty"`
	CPUNs        int64  `json:"cpu_ns,omitempty"` // the child's own CPU over the window
	BurstStart   int64  `json:"burst_start_ns,omitempty"`
	LastRecv     int64  `json:"last_recv_ns,omitempty"`
	RSSKiB       int64  `json:"rss_kib,omitempty"` // the worker process's own RSS
	FirstErr     string `json:"first_err,omitempty"`
	OutOfOrder   int64  `json:"out_of_order,omitempty"` // fanout: broadcasts received out of order
	Complete     int64  `json:"complete,omitempty"`     // fanout -broadcasts: receivers that got them all
	Stalled      int64  `json:"stalled,omitempty"`      // slow: receivers that stopped reading
	Released     int64  `json:"released,omitempty"`     // slow: those whose socket the server closed
	ReleaseFirst int64  `json:"release_first_ns,omitempty"`
	ReleaseLast  int64  `json:"release_last_ns,omitempty"`
}

// merged is the sum of the workers' reports, histograms decoded.
type merged struct {
	report
	lat, hs      *hdr.Histogram
	decodeErrors int
}

// mergeReports adds up the workers' reports: counters add, histograms
// merge, time spans widen. Nil reports (a worker that did not answer)
// are skipped.
func mergeReports(rs []*report) *merged {
	m := &merged{lat: newHist(), hs: newHist()}
	m.Worker = -1
	for _, r := range rs {
		if r == nil {
			continue
		}
		if r.Err != "" && m.Err == "" {
			m.Err = fmt.Sprintf("worker %d: %s", r.Worker, r.Err)
		}
		if m.FirstErr == "" {
			m.FirstErr = r.FirstErr
		}
		m.Connected += r.Connected
		m.Opened += r.Opened
		m.Errors += r.Errors
		m.Dropped += r.Dropped
		m.Sent += r.Sent
		m.Acks += r.Acks
		m.Delivered += r.Delivered
		m.Sessions += r.Sessions
		m.CPUNs += r.CPUNs
		m.RSSKiB += r.RSSKiB
		m.ConnectStart = minNonZero(m.ConnectStart, r.ConnectStart)
		m.BurstStart = minNonZero(m.BurstStart, r.BurstStart)
		m.ConnectEnd = max(m.ConnectEnd, r.ConnectEnd)
		m.LastRecv = max(m.LastRecv, r.LastRecv)
		m.OutOfOrder += r.OutOfOrder
		m.Complete += r.Complete
		m.Stalled += r.Stalled
		m.Released += r.Released
		m.ReleaseFirst = minNonZero(m.ReleaseFirst, r.ReleaseFirst)
		m.ReleaseLast = max(m.ReleaseLast, r.ReleaseLast)
		m.PingInterval = max(m.PingInterval, r.PingInterval)
		for _, p := range []struct {
			dst *hdr.Histogram
			enc string
		}{{m.lat, r.Lat}, {m.hs, r.Handshake}} {
			h, err := decodeHist(p.enc)
			if err != nil {
				m.decodeErrors++
				continue
			}
			p.dst.Merge(h)
		}
	}
	return m
}

func minNonZero(a, b int64) int64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// shardedHist spreads recording over a few locked histograms, so that
// thousands of connection goroutines don't contend on one lock.
//
// Safe from any goroutine.
type shardedHist struct {
	shards [8]histShard
}

type histShard struct {
	mu sync.Mutex
	h  *hdr.Histogram
	_  [40]byte // keep shards on separate cache lines
}

func newShardedHist() *shardedHist {
	s := &shardedHist{}
	for i := range s.shards {
		s.shards[i].h = newHist()
	}
	return s
}

// record adds v µs (clamped to the histogram's range) from connection i.
func (s *shardedHist) record(i int, v int64) {
	v = min(max(v, 0), histMax)
	sh := &s.shards[uint(i)%uint(len(s.shards))]
	sh.mu.Lock()
	_ = sh.h.RecordValue(v)
	sh.mu.Unlock()
}

func (s *shardedHist) reset() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.h.Reset()
		sh.mu.Unlock()
	}
}

// snapshot returns the merged shards.
func (s *shardedHist) snapshot() *hdr.Histogram {
	out := newHist()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		out.Merge(sh.h)
		sh.mu.Unlock()
	}
	return out
}
