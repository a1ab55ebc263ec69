package interop

import (
	"testing"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
)

// startEIO serves the eio-client.mjs contract with sioloop on a free
// loopback port: echo every message, close the session on "close-me"; on
// /engine.io-deflate/ the same with perMessageDeflate.
func startEIO(t *testing.T) string {
	t.Helper()
	srv := loop.New(nil)
	for _, deflate := range []bool{false, true} {
		engine := eio.NewServer(&eio.Options{
			PingInterval:      eioPingInterval,
			PingTimeout:       eioPingTimeout,
			MaxHTTPBufferSize: eioMaxPayload,
			PerMessageDeflate: deflate,
		})
		echo(engine)
		path := "/engine.io/"
		if deflate {
			path = "/engine.io-deflate/"
		}
		srv.Handle(path, engine, &loop.CORSOptions{Origin: []string{"*"}})
	}
	return "http://" + testserver.Start(t, srv)
}

// echo makes engine echo every message and close a session on "close-me".
func echo(engine *eio.Server) {
	engine.OnMessage(func(s *eio.Session, data []byte, binary bool) {
		if !binary && string(data) == "close-me" {
			s.Close()
			return
		}
		s.Send(data, binary)
	})
}

// TestEngineIOClient drives the official engine.io-client 6.6 against
// sioloop: both transports, the upgrade, binary, 100 clients, the size
// limits, heartbeats and server-side closes followed by a reconnection.
func TestEngineIOClient(t *testing.T) {
	testEIOClients(t, startEIO(t))
}
