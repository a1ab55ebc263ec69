package eio

// Content types of long-polling answers, as the official server sends them.
const (
	ContentTypeText = "text/plain; charset=UTF-8"
	ContentTypeHTML = "text/html"
	ContentTypeJSON = "application/json"
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
	// Close sends a close frame and closes the connection. The host need
	// not report the connection's end to the session after this.
	Close()
	// Writable reports whether the connection has nothing waiting to be
	// sent, so a message written now goes out at once.
	Writable() bool
}
