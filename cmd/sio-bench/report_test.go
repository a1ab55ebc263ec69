package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Two children's reports, as they travel (JSON lines with encoded
// histograms), merge into the counts and percentiles of one process
// that saw everything.
func TestMergeReportsAddsCountersAndMergesHistograms(t *testing.T) {
	all := newHist()
	var lines [][]byte
	for w := 0; w < 2; w++ {
		h, hs := newHist(), newHist()
		for v := int64(1); v <= 1000; v++ {
			x := v*10 + int64(w)
			_ = h.RecordValue(x)
			_ = all.RecordValue(x)
		}
		_ = hs.RecordValue(int64(100 * (w + 1)))
		r := &report{
			Worker: w, Connected: 10, Opened: 10, Errors: int64(w), Acks: 1000, Sent: 1001,
			Lat: encodeHist(h), Handshake: encodeHist(hs),
			ConnectStart: int64(100 + w), ConnectEnd: int64(200 + w), PingInterval: 25000,
			CPUNs: int64(time.Second), LastRecv: int64(5 - w),
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, b)
	}
	var reps []*report
	for _, b := range lines {
		r := &report{}
		if err := json.Unmarshal(b, r); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, r)
	}
	reps = append(reps, nil) // a worker that did not answer
	m := mergeReports(reps)
	if m.decodeErrors != 0 || m.Err != "" {
		t.Fatalf("decode errors %d, err %q", m.decodeErrors, m.Err)
	}
	if m.Connected != 20 || m.Opened != 20 || m.Errors != 1 || m.Acks != 2000 || m.Sent != 2002 {
		t.Fatalf("counters %+v", m.report)
	}
	if m.ConnectStart != 100 || m.ConnectEnd != 201 || m.LastRecv != 5 || m.PingInterval != 25000 {
		t.Fatalf("spans %+v", m.report)
	}
	if m.CPUNs != int64(2*time.Second) {
		t.Fatalf("cpu %d", m.CPUNs)
	}
	if m.lat.TotalCount() != 2000 {
		t.Fatalf("lat count %d", m.lat.TotalCount())
	}
	for _, q := range []float64{50, 99, 99.9} {
		if got, want := m.lat.ValueAtQuantile(q), all.ValueAtQuantile(q); got != want {
			t.Errorf("p%v = %d, want %d", q, got, want)
		}
	}
	if m.hs.TotalCount() != 2 || m.hs.Max() < 199 {
		t.Errorf("handshake hist count %d max %d", m.hs.TotalCount(), m.hs.Max())
	}
}

func TestMergeReportsCountsBadHistograms(t *testing.T) {
	m := mergeReports([]*report{{Lat: "not a histogram", Err: "boom"}})
	if m.decodeErrors != 1 || !strings.Contains(m.Err, "boom") {
		t.Fatalf("decodeErrors %d err %q", m.decodeErrors, m.Err)
	}
}

func TestShardedHistMergesItsShards(t *testing.T) {
	s := newShardedHist()
	for i := 0; i < 100; i++ {
		s.record(i, int64(i+1))
	}
	s.record(0, -5)         // clamped to 0
	s.record(1, histMax*10) // clamped to the max
	if h := s.snapshot(); h.TotalCount() != 102 || h.ValueAtQuantile(50) != 50 {
		t.Fatalf("count %d p50 %d", h.TotalCount(), h.ValueAtQuantile(50))
	}
	s.reset()
	if s.snapshot().TotalCount() != 0 {
		t.Fatal("reset left values")
	}
}

func TestResultKeepsKeyOrderAndDropsNaN(t *testing.T) {
	r := newResult()
	r.set("scenario", "echo")
	r.set("conns", 3)
	r.set("acks_per_sec", 1234.5678)
	r.set("server_cpu_us_per_msg", perSec(1, 0)) // NaN: dropped
	r.set("duration_s", 0.0043219)
	r.set("errors", int64(0))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"scenario":"echo","conns":3,"acks_per_sec":1234.57,"duration_s":0.004322,"errors":0}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestProcParsers(t *testing.T) {
	rss, err := parseVmRSS([]byte("Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   65828 kB\nRssAnon: 1 kB\n"))
	if err != nil || rss != 65828 {
		t.Fatalf("VmRSS = %d %v", rss, err)
	}
	// A command name with spaces and parentheses; utime 250, stime 50.
	stat := "1234 (my (odd) server) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 100 1000 10"
	cpu, err := parseStatCPU([]byte(stat))
	if err != nil || cpu != 3*time.Second {
		t.Fatalf("cpu = %v %v", cpu, err)
	}
	if s := sampleProc(1 << 30); s.ok {
		t.Fatal("sampled a process that does not exist")
	}
}

func TestConfigRefusesNonLoopbackAndSplitsShares(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:3000", "http://example.com", "https://127.0.0.1:3000"} {
		if _, err := loopbackHost(u); err == nil {
			t.Errorf("accepted %s", u)
		}
	}
	if h, err := loopbackHost("http://localhost:3000"); err != nil || h != "127.0.0.1:3000" {
		t.Errorf("localhost = %q %v", h, err)
	}
	ips, err := parseSrcRange("127.0.0.2-127.0.0.50")
	if err != nil || len(ips) != 49 || ips[48].String() != "127.0.0.50" {
		t.Fatalf("range = %d %v", len(ips), err)
	}
	if _, err := parseSrcRange("192.168.1.1-192.168.1.2"); err == nil {
		t.Error("accepted a non-loopback source range")
	}
	total := 0
	for i := 0; i < 3; i++ {
		total += share(10, i, 3)
	}
	if total != 10 || share(10, 0, 3) != 4 || share(10, 2, 3) != 3 {
		t.Errorf("shares of 10 over 3: %d %d %d", share(10, 0, 3), share(10, 1, 3), share(10, 2, 3))
	}
	cfg, err := parseConfig([]string{"-scenario", "echo", "-conns", "10", "-rate", "1000", "-worker", "0/3"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.localConns() != 4 || cfg.perProcess(1000) != 400 {
		t.Errorf("worker 0/3: %d conns, rate %v", cfg.localConns(), cfg.perProcess(1000))
	}
	cfg, err = parseConfig([]string{"-scenario", "polling", "-inflight", "1", "-batch", "4"}, nil)
	if err != nil || cfg.transport != "polling" || cfg.inflight != 4 {
		t.Errorf("polling: %+v %v", cfg, err)
	}
}
