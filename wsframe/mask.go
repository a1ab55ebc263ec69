package wsframe

import (
	"encoding/binary"
	"math/bits"
)

// Cipher XORs p in place with mask, as RFC 6455 section 5.3 masks and
// unmasks payloads: byte i of p is XORed with mask[(offset+i)%4]. offset
// is how many payload bytes came before p, so a payload can be unmasked in
// pieces. Safe from any goroutine on distinct p.
func Cipher(p []byte, mask [4]byte, offset int) {
	// The mask as a little-endian word, rotated so that its low byte is the
	// mask byte for p[0]; a little-endian load of p then meets the right
	// mask byte in every lane. offset&3 is offset mod 4, also for negative
	// offsets.
	m := bits.RotateLeft32(binary.LittleEndian.Uint32(mask[:]), -8*(offset&3))
	k := uint64(m)<<32 | uint64(m)

	// 32 bytes a round, then 8; encoding/binary's loads and stores compile
	// to single unaligned moves, so this needs no unsafe. The key repeats
	// every 4 bytes, so it stays aligned from one word to the next.
	for len(p) >= 32 {
		binary.LittleEndian.PutUint64(p[0:8], binary.LittleEndian.Uint64(p[0:8])^k)
		binary.LittleEndian.PutUint64(p[8:16], binary.LittleEndian.Uint64(p[8:16])^k)
		binary.LittleEndian.PutUint64(p[16:24], binary.LittleEndian.Uint64(p[16:24])^k)
		binary.LittleEndian.PutUint64(p[24:32], binary.LittleEndian.Uint64(p[24:32])^k)
		p = p[32:]
	}
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^k)
		p = p[8:]
	}
	for i := range p {
		p[i] ^= byte(k >> (8 * i))
	}
}
