package sio

import (
	"slices"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// A value on a bound is counted in that bound's bucket (Prometheus' le),
// one above every bound only in +Inf; the loops' histograms gather into
// cumulative counts with their sums scaled.
func TestHistogramGathersLoops(t *testing.T) {
	bounds := []uint64{0, 10, 100}
	var a, b histogram
	for _, v := range []uint64{0, 10, 11} {
		a.observe(bounds, v)
	}
	for _, v := range []uint64{100, 101, 5} {
		b.observe(bounds, v)
	}
	var out Histogram
	a.add(&out, bounds, 0.5)
	b.add(&out, bounds, 0.5)
	if want := []float64{0, 5, 50}; !slices.Equal(out.Bounds, want) {
		t.Errorf("bounds %v, want %v", out.Bounds, want)
	}
	if want := []uint64{1, 3, 5}; !slices.Equal(out.Counts, want) {
		t.Errorf("counts %v, want %v", out.Counts, want)
	}
	if out.Count != 6 || out.Sum != (0+10+11+100+101+5)*0.5 {
		t.Errorf("count %d sum %v, want 6 and %v", out.Count, out.Sum, (0+10+11+100+101+5)*0.5)
	}
}

// The histograms' bounds fit their bucket arrays.
func TestHistogramBoundsFit(t *testing.T) {
	var h histogram
	for _, bounds := range [][]uint64{latencyBounds, fanoutBounds} {
		if len(bounds)+1 > len(h.buckets) || !slices.IsSorted(bounds) {
			t.Errorf("%d bounds (sorted %v) for %d buckets", len(bounds), slices.IsSorted(bounds), len(h.buckets))
		}
	}
}

// A broadcast's receivers are observed once, by the last of its loops,
// whatever order they walk in; MaxShards loops fit below the count.
func TestFanoutObservedByTheLastLoop(t *testing.T) {
	if eio.MaxShards >= 1<<fanoutShift {
		t.Fatalf("%d loops do not fit in %d bits", eio.MaxShards, fanoutShift)
	}
	var sts [3]shardState
	pkt := &BroadcastPacket{}
	pkt.fanout.expect(len(sts))
	for i, n := range []int{5, 0, 100_000} {
		sts[i].walked(pkt, n)
	}
	for i := range sts {
		var out Histogram
		sts[i].fanout.add(&out, fanoutBounds, 1)
		if want := map[bool]uint64{true: 1, false: 0}[i == 2]; out.Count != want || (want == 1 && out.Sum != 100_005) {
			t.Errorf("loop %d observed %d broadcasts of sum %v", i, out.Count, out.Sum)
		}
	}
}
