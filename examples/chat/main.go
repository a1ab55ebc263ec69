// Command chat is the sioloop chat demo: rooms, nicknames and a typing
// indicator over Socket.IO, with a page that loads the official
// socket.io-client bundle. The same server serves the page (/), the bundle
// (/socket.io/socket.io.min.js, as socket.io's serveClient does, from the
// socket.io-client dist folder in examples/chat/node_modules: run `make
// demo`, or `npm ci` in examples/chat) and Socket.IO on /socket.io/.
//
// PORT (default 3000) and HOST (default 127.0.0.1) say where it listens.
// Open the page in two windows; add ?transports=polling to keep a client on
// HTTP long-polling.
//
// The chat itself (its protocol, the same as testdata/reference-chat.mjs,
// which runs it on the official Node server, and its page) is
// internal/chat, shared with examples/cluster, the same chat on several
// nodes.
package main

import (
	"log"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/internal/chat"
	"github.com/sioloop/sioloop/internal/demo"
)

func main() {
	dist, err := chat.FindDist()
	if err != nil {
		log.Fatalf("chat: %v\nrun `make demo` (it runs npm ci in examples/chat)", err)
	}
	srv, err := newServer(dist)
	if err != nil {
		log.Fatalf("chat: %v", err)
	}
	demo.Run(srv, "chat", "open it in two windows")
}

// newServer returns the chat server on one node, not yet listening.
func newServer(dist string) (*sioloop.Server, error) { return chat.New(dist, nil) }
