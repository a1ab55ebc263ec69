package sio

import (
	"time"

	"github.com/sioloop/sioloop/parser"
)

// Limits are a server's abuse limits. The zero value is the official
// server's: no rate limit, no cap on rooms, 10 attachments per packet.
// What a client sees at each limit is in the README ("Limits and failure
// behaviour").
type Limits struct {
	// EventRate caps the events (EVENT and BINARY_EVENT packets) a socket
	// may send per second, EventBurst at once. A socket over it is
	// disconnected with reason "rate limit exceeded": each of the client's
	// namespaces gets a DISCONNECT packet (the official client reports
	// "io server disconnect" and does not reconnect by itself) and the
	// connection closes. Zero means no limit.
	EventRate float64
	// EventBurst is how many events a socket may send at once above the
	// rate. Zero means one second's worth (EventRate, at least 1).
	EventBurst int
	// ByteRate caps the bytes (packet text and attachments) a socket may
	// send per second, ByteBurst at once; over it, as for EventRate. Zero
	// means no limit.
	ByteRate int64
	// ByteBurst is how many bytes a socket may send at once above the
	// rate. Zero means one second's worth, and never less than
	// Engine.MaxHTTPBufferSize, so that one message of the largest size
	// always passes.
	ByteBurst int64
	// MaxRoomsPerSocket caps the rooms a socket is in (the room of its own
	// id not counted). Join past it joins the rooms that fit, and the
	// socket's OnError handlers get ErrTooManyRooms; the client sees what
	// the handler makes of it. Zero means no limit.
	MaxRoomsPerSocket int
	// MaxAttachments caps the binary attachments a packet may announce; a
	// packet announcing more closes the connection with reason "parse
	// error", as socket.io-parser's parser.MaxAttachments does. Zero means 10,
	// its default, which is also the most the decoder accepts.
	MaxAttachments int
}

// rateLimits is Limits compiled for the per-packet check: the cost of one
// event and one byte, and the bursts, in nanoseconds of wheel time.
type rateLimits struct {
	eventCost, eventBurst float64
	byteCost, byteBurst   float64
}

func (l *Limits) withDefaults(maxMessage int64) Limits {
	c := *l
	if c.EventRate > 0 && c.EventBurst <= 0 {
		c.EventBurst = max(1, int(c.EventRate))
	}
	if c.ByteRate > 0 && c.ByteBurst <= 0 {
		c.ByteBurst = max(c.ByteRate, maxMessage)
	}
	if c.MaxAttachments <= 0 || c.MaxAttachments > parser.MaxAttachments {
		c.MaxAttachments = parser.MaxAttachments
	}
	return c
}

// compile returns the rate limits, or nil when there is none.
func (l *Limits) compile() *rateLimits {
	if l.EventRate <= 0 && l.ByteRate <= 0 {
		return nil
	}
	r := &rateLimits{}
	if l.EventRate > 0 {
		r.eventCost = float64(time.Second) / l.EventRate
		r.eventBurst = r.eventCost * float64(l.EventBurst)
	}
	if l.ByteRate > 0 {
		r.byteCost = float64(time.Second) / float64(l.ByteRate)
		r.byteBurst = r.byteCost * float64(l.ByteBurst)
	}
	return r
}

// rateState is a socket's two token buckets, kept as the theoretical
// arrival time of the next unit (GCRA): one number per bucket and no
// timer, refilled by the passing of wheel time.
type rateState struct {
	events, bytes float64
}

// allow charges one packet of size bytes to s's buckets and reports
// whether it is within the limits. Runs on the loop.
func (s *Socket) allow(lim *rateLimits, p *parser.Packet, size int) bool {
	h := s.hooks()
	if h.rate == nil {
		h.rate = &rateState{}
	}
	now := float64(s.sh.Wheel().Elapsed())
	if lim.eventCost > 0 && (p.Type == parser.Event || p.Type == parser.BinaryEvent) &&
		!charge(&h.rate.events, now, lim.eventCost, lim.eventBurst) {
		return false
	}
	return lim.byteCost == 0 || charge(&h.rate.bytes, now, lim.byteCost*float64(size), lim.byteBurst)
}

// charge adds cost to the bucket whose next arrival time is *tat and
// reports whether it stays within burst of now.
func charge(tat *float64, now, cost, burst float64) bool {
	next := max(*tat, now) + cost
	if next-now > burst {
		return false
	}
	*tat = next
	return true
}
