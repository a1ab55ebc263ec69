package wsframe_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gobwas/ws"

	"github.com/sioloop/sioloop/wsframe"
)

// cipherNaive is the reference: RFC 6455 section 5.3 written out.
func cipherNaive(p []byte, mask [4]byte, offset int) {
	for i := range p {
		p[i] ^= mask[(offset+i)%4]
	}
}

func TestCipherMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for length := 0; length <= 100; length++ {
		for offset := range 4 {
			in := make([]byte, length)
			for i := range in {
				in[i] = byte(rng.Uint32())
			}
			var mask [4]byte
			for i := range mask {
				mask[i] = byte(rng.Uint32())
			}
			want := bytes.Clone(in)
			cipherNaive(want, mask, offset)
			got := bytes.Clone(in)
			wsframe.Cipher(got, mask, offset)
			if !bytes.Equal(got, want) {
				t.Fatalf(
					"Cipher(%x, %x, %d) = %x; want %x",
					in, mask, offset, got, want,
				)
			}
			// Offsets are taken mod 4.
			got = bytes.Clone(in)
			wsframe.Cipher(got, mask, offset+4*length)
			if !bytes.Equal(got, want) {
				t.Fatalf(
					"Cipher(%x, %x, %d) = %x; want %x",
					in, mask, offset+4*length, got, want,
				)
			}
		}
	}
}

// TestCipherInChunks unmasks a payload in random pieces, each with its
// offset in the payload, as a reader of a partial frame would.
func TestCipherInChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mask := [4]byte{0x01, 0x20, 0x03, 0x40}
	for _, n := range []int{1, 7, 64, 1000, 4099} {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(rng.Uint32())
		}
		want := bytes.Clone(in)
		cipherNaive(want, mask, 0)
		got := bytes.Clone(in)
		for l := 0; l < n; {
			r := l + 1 + rng.IntN(n-l)
			wsframe.Cipher(got[l:r], mask, l)
			l = r
		}
		if !bytes.Equal(got, want) {
			t.Fatalf(
				"Cipher in chunks of %d bytes differs from whole",
				n,
			)
		}
	}
}

func TestCipherMatchesGobwas(t *testing.T) {
	mask := [4]byte{0xde, 0xad, 0xbe, 0xef}
	for n := range 300 {
		want := bytes.Repeat([]byte{0x5a}, n)
		got := bytes.Clone(want)
		ws.Cipher(want, mask, n%7)
		wsframe.Cipher(got, mask, n%7)
		if !bytes.Equal(got, want) {
			t.Fatalf(
				"Cipher of %d bytes = %x; gobwas/ws gives %x",
				n, got, want,
			)
		}
	}
}

// BenchmarkCipher compares Cipher with the naive loop and with gobwas/ws's
// Cipher (assembly on amd64 and arm64).
func BenchmarkCipher(b *testing.B) {
	mask := [4]byte{1, 2, 3, 4}
	for _, size := range []int{16, 128, 1024, 16384} {
		p := make([]byte, size)
		for _, impl := range []struct {
			name string
			fn   func([]byte, [4]byte, int)
		}{
			{
				name: "fast",
				fn:   wsframe.Cipher,
			},
			{
				name: "naive",
				fn:   cipherNaive,
			},
			{
				name: "gobwas",
				fn:   ws.Cipher,
			},
		} {
			b.Run(fmt.Sprintf("%s-%d", impl.name, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size))
				for b.Loop() {
					impl.fn(p, mask, 1)
				}
			})
		}
	}
}
