package interop

import (
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// startEIO serves the eio-client.mjs contract with sioloop on a free
// loopback port: echo every message, close the session on "close-me".
func startEIO(t *testing.T) string {
	t.Helper()
	engine := eio.NewServer(&eio.Options{
		PingInterval:      eioPingInterval,
		PingTimeout:       eioPingTimeout,
		MaxHTTPBufferSize: eioMaxPayload,
	})
	engine.OnMessage(func(s *eio.Session, data []byte, binary bool) {
		if !binary && string(data) == "close-me" {
			s.Close()
			return
		}
		s.Send(data, binary)
	})
	return serveEngine(t, "/engine.io/", engine)
}

// TestEngineIOClient drives the official engine.io-client 6.6 against
// sioloop: both transports, the upgrade, binary, 100 clients, the size
// limits, heartbeats and server-side closes followed by a reconnection.
func TestEngineIOClient(t *testing.T) {
	testEIOClients(t, startEIO(t))
}
