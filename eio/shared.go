package eio

import "github.com/valyala/bytebufferpool"

// Shared is a message packet encoded once and written to many sessions of
// one loop: a broadcast's packet or one of its attachments. A host that
// keeps its bytes past the WriteShared call (a WebSocket whose socket is
// not keeping up) holds a reference, so a packet queued for a hundred
// slow receivers is held once, not a hundred times. The bytes return to
// a pool when the last reference goes.
//
// Ownership: a Shared belongs to the loop that made it, as its sessions
// do; Retain and Release run there (the count is not atomic). Its bytes
// never change after NewShared.
type Shared struct {
	buf    *bytebufferpool.ByteBuffer
	refs   int32
	binary bool
}

// NewShared returns a message packet carrying data (copied): text, or
// binary when binary. The caller holds one reference and releases it when
// it has written the packet to every session it meant to.
func NewShared(data []byte, binary bool) *Shared {
	m := &Shared{buf: bytebufferpool.Get(), refs: 1, binary: binary}
	m.buf.B = AppendPacket(m.buf.B[:0], Packet{Type: PacketMessage, Data: data, Binary: binary})
	return m
}

// Bytes returns the encoded packet as a WebSocket message carries it: "4"
// and the text, or the binary data. Valid while a reference is held.
func (m *Shared) Bytes() []byte { return m.buf.B }

// Binary reports whether the packet is binary.
func (m *Shared) Binary() bool { return m.binary }

// data returns the packet's data without its type.
func (m *Shared) data() []byte {
	if m.binary {
		return m.buf.B
	}
	return m.buf.B[1:]
}

// Retain takes a reference. Owner loop only.
func (m *Shared) Retain() { m.refs++ }

// Release gives a reference back; the last one returns the bytes to the
// pool. Owner loop only.
func (m *Shared) Release() {
	m.refs--
	if m.refs == 0 {
		bytebufferpool.Put(m.buf)
		m.buf = nil
	}
}
