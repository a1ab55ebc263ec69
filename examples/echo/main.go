// Command echo is the sioloop demo: an Engine.IO server that sends every
// message back to its sender. Point engine.io-client (npm) at
// http://127.0.0.1:3000 — or try it with curl, as the page on / shows.
// PORT (default 3000) and HOST (default 127.0.0.1) say where it listens.
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/demo"
	"github.com/sioloop/sioloop/loop"
)

func main() {
	engine := eio.NewServer(nil)
	engine.OnConnection(func(s *eio.Session, r *eio.Request) {
		log.Printf("session %s opened over %s from %v", s.ID(), s.Transport(), r.RemoteAddr)
	})
	engine.OnMessage(func(s *eio.Session, data []byte, binary bool) { s.Send(data, binary) })
	engine.OnClose(func(s *eio.Session, reason string) { log.Printf("session %s closed: %s", s.ID(), reason) })
	addr := demo.Addr()
	srv := loop.New(&loop.Options{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "sioloop echo demo. Engine.IO is on /engine.io/. Try:\n\n"+
			"  curl 'http://%[1]s/engine.io/?EIO=4&transport=polling'          # handshake: note the sid\n"+
			"  curl -d 4hello 'http://%[1]s/engine.io/?EIO=4&transport=polling&sid=SID'\n"+
			"  curl 'http://%[1]s/engine.io/?EIO=4&transport=polling&sid=SID'  # 4hello comes back\n", addr)
	})})
	srv.Handle("/engine.io/", engine, &loop.CORSOptions{Origin: []string{"*"}})
	demo.Run(srv, "echo demo", "Engine.IO on /engine.io/")
}
