package loop

import (
	"bytes"
	"strconv"
	"testing"
)

// The CPU of one compressed message each way (1 KiB and 16 KiB of chat-
// like JSON), on the loop's shared compressor, and what a loop's
// compressor and decompressor cost once (the "first-use" B/op). A
// connection adds nothing: no context takeover, so no state of its own.
//
//	go test -run '^$' -bench PerMessageDeflate -benchmem ./loop/
func BenchmarkPerMessageDeflate(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		msg := bytes.Repeat([]byte(`["chat",{"nick":"alice","text":"hello there, how are you?"}]`), size/60+1)[:size]
		var f flateState
		z := append([]byte(nil), f.deflate(msg)...)
		b.Run(strconv.Itoa(size>>10)+"KiB/deflate", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				f.deflate(msg)
			}
			b.ReportMetric(float64(len(z))/float64(size), "ratio")
		})
		b.Run(strconv.Itoa(size>>10)+"KiB/inflate", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := f.inflate(z, 1<<20, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("first-use", func(b *testing.B) {
		b.ReportAllocs()
		msg := []byte("hello")
		for b.Loop() {
			var f flateState
			_, _ = f.inflate(f.deflate(msg), 1<<20, true)
		}
	})
}
