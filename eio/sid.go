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
// the owner in O(1) without a global table; in a cluster without sticky
// sessions its second names the node (Options.NodeID), so a request that
// lands on another node reaches the owner the same way.
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

// MaxNodes bounds the node ids a session id can name: 1 to MaxNodes-1
// (0 is no node).
const MaxNodes = 64

// NodeOf returns the node id the session id sid names (its second
// character; see Options.NodeID), or -1 when sid is not a well-formed id.
// It is meaningful only between servers that set NodeID.
func NodeOf(sid []byte) int {
	if len(sid) != SIDLen {
		return -1
	}
	return int(sidIndex[sid[1]])
}

// String returns the id as text.
func (id SID) String() string { return string(id[:]) }

// sidSource makes unguessable session ids for one shard: a ChaCha8 stream
// seeded from crypto/rand, owned by the shard's loop so no lock is needed.
type sidSource struct {
	rng  *mrand.ChaCha8
	node int // written as the second character when not 0
}

func newSIDSource() sidSource {
	var seed [32]byte
	_, _ = rand.Read(seed[:]) // never fails on Linux (crypto/rand docs)
	return sidSource{rng: mrand.NewChaCha8(seed)}
}

// next returns a fresh id whose first character names shard (and whose
// second the node, if any). Runs on the owner loop.
func (s *sidSource) next(shard int) SID {
	var id SID
	id[0] = sidAlphabet[shard]
	var r [SIDLen]byte
	_, _ = s.rng.Read(r[:])
	for i := 1; i < SIDLen; i++ {
		id[i] = sidAlphabet[r[i]&63]
	}
	if s.node != 0 {
		id[1] = sidAlphabet[s.node]
	}
	return id
}
