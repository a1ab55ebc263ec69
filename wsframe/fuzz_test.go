package wsframe_test

import (
	"testing"
)

// Long runs are opt-in: go test -fuzz=FuzzDecode -fuzztime=20s ./wsframe/

// FuzzDecode decodes data whole and as two reads split at cut, with
// MaxMessageSize max (0: unlimited). decodeStream checks on every call
// that Decode does not panic, consumes at most len(p), and leaves p as it
// was when it asks for more; both runs must then give the same frames,
// the same error and the same leftover.
func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases() {
		f.Add(c.in, uint16(len(c.in)/2), uint16(c.max))
	}
	stream := partialStream()
	for _, cut := range []int{0, 1, 2, 7, len(stream) / 2, len(stream) - 1} {
		f.Add(stream, uint16(cut), uint16(0))
		f.Add(stream, uint16(cut), uint16(8))
	}
	for _, s := range []string{"", "\x81", "\x81\x80", "\x81\xfe\x00", "\x81\xff\x80\x00\x00\x00\x00\x00\x00\x00"} {
		f.Add([]byte(s), uint16(1), uint16(0))
	}

	f.Fuzz(func(t *testing.T, data []byte, cut, max uint16) {
		i := int(cut) % (len(data) + 1)
		whole := decodeAll(t, int64(max), data)
		split := decodeSplit(t, int64(max), data, i)
		if !sameResult(whole, split) {
			t.Fatalf(
				"input %x, split at %d, max %d:\nwhole %v\nsplit %v",
				data, i, max, whole, split,
			)
		}
		consumed := whole.rest + whole.errN
		for _, n := range whole.ns {
			consumed += n
		}
		if consumed > len(data) {
			t.Fatalf(
				"input of %d bytes: %d consumed or left",
				len(data), consumed,
			)
		}
	})
}
