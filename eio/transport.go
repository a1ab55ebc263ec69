package eio

// Content types of long-polling answers, as the official server sends them.
const (
	ContentTypeText = "text/plain; charset=UTF-8"
	ContentTypeHTML = "text/html"
	ContentTypeJSON = "application/json"
	// ContentTypeBinary is the type of an Engine.IO v3 binary payload.
	ContentTypeBinary = "application/octet-stream"
)

// Responder answers one long-polling HTTP request. The host implements it
// for each request it hands to a shard.
type Responder interface {
	// Respond sends the response. body is valid only until Respond
	// returns. It is called exactly once per request, on the loop of the
	// shard the request was handed to.
	Respond(status int, contentType string, body []byte)
}

// WebSocket is the host's side of one WebSocket connection. Its methods
// are called on the loop of the shard that owns the session using it.
type WebSocket interface {
	// WriteMessage sends one message: a text frame, or a binary frame
	// when binary. p is valid only until WriteMessage returns.
	WriteMessage(binary bool, p []byte)
	// WriteShared sends m's bytes as one message (binary when m.Binary).
	// A host that keeps them past the call takes a reference (m.Retain)
	// and releases it once they are written.
	WriteShared(m *Shared)
	// Close sends a close frame and closes the connection. The host need
	// not report the connection's end to the session after this.
	Close()
	// Abort closes the connection at once, discarding what waits to be
	// sent (the session let a slow consumer go). The host need not report
	// the connection's end to the session after this.
	Abort()
	// Writable reports whether the connection has nothing waiting to be
	// sent, so a message written now goes out at once.
	Writable() bool
	// Backlog returns the bytes written to the connection that the peer
	// has not taken yet: those the host still holds and those in the
	// socket's send queue in the kernel. It may overestimate while the
	// result is at most limit (a host need not ask the kernel on every
	// write); above limit it is exact.
	Backlog(limit int) int
}
