package loop

import "testing"

// BenchmarkOnLoop measures the check every exported sio method makes to
// run inline on its loop: a gettid(2) compare.
func BenchmarkOnLoop(b *testing.B) {
	sh := &shard{tid: -1}
	b.ReportAllocs()
	for b.Loop() {
		_ = sh.OnLoop()
	}
}
