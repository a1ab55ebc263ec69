package eio

import (
	"crypto/rand"
	mrand "math/rand/v2"
)

// SIDLen is the length of a session id: 20 characters, as the official
// server's base64id.
const SIDLen = 20

// SID is a session id. Its first character encodes the index of the shard
// that owns the session, so a request that lands on another loop reaches
// the owner in O(1) without a global table.
type SID [SIDLen]byte

// MaxShards is the number of shards a session id can name.
const MaxShards = 64

const sidAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

var sidIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := range len(sidAlphabet) {
		t[sidAlphabet[i]] = int8(i)
	}
	return t
}()

// ShardOf returns the index of the shard that owns the session id sid, or
// -1 when sid is not a well-formed id.
func ShardOf(sid []byte) int {
	if len(sid) != SIDLen {
		return -1
	}
	return int(sidIndex[sid[0]])
}

// String returns the id as text.
func (id SID) String() string { return string(id[:]) }

// sidSource makes unguessable session ids for one shard: a ChaCha8 stream
// seeded from crypto/rand, owned by the shard's loop so no lock is needed.
type sidSource struct{ rng *mrand.ChaCha8 }

func newSIDSource() sidSource {
	var seed [32]byte
	_, _ = rand.Read(seed[:]) // never fails on Linux (crypto/rand docs)
	return sidSource{rng: mrand.NewChaCha8(seed)}
}

// next returns a fresh id whose first character names shard.
// Runs on the owner loop.
func (s *sidSource) next(shard int) SID {
	var id SID
	id[0] = sidAlphabet[shard]
	var r [SIDLen]byte
	_, _ = s.rng.Read(r[:])
	for i := 1; i < SIDLen; i++ {
		id[i] = sidAlphabet[r[i]&63]
	}
	return id
}
