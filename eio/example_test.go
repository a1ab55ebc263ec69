package eio_test

import (
	"fmt"
	"log"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

// An Engine.IO echo server for engine.io-client, served by package loop:
// the handlers run on the session's event loop, one session at a time.
func Example() {
	srv := eio.NewServer(&eio.Options{PingInterval: 10 * time.Second})
	srv.OnConnection(func(s *eio.Session, r *eio.Request) {
		_ = s.Send([]byte("welcome"), false)
	})
	srv.OnMessage(func(s *eio.Session, data []byte, binary bool) {
		_ = s.Send(data, binary) // data is valid until the handler returns; Send copies it
	})
	srv.OnClose(func(s *eio.Session, reason string) {
		id := s.ID()
		log.Println(string(id[:]), reason)
	})
	engine := loop.New(nil)
	engine.Handle("/engine.io/", srv, nil)
	log.Fatal(engine.ListenAndServe("127.0.0.1:3000"))
}

// ClientsCount is Node's engine.clientsCount: safe anywhere, it never
// waits for a loop.
func ExampleServer_ClientsCount() {
	srv := eio.NewServer(nil)
	fmt.Println(srv.ClientsCount())
	// Output: 0
}

// The packet codec has no I/O: a WebSocket message is one packet.
func ExampleDecodePacket() {
	pkt, err := eio.DecodePacket([]byte("4hello"), false)
	if err != nil {
		panic(err)
	}
	fmt.Println(pkt.Type, string(pkt.Data))
	fmt.Println(string(eio.AppendPacket(nil, eio.Packet{Type: eio.PacketMessage, Data: []byte("hi")})))
	// Output:
	// message hello
	// 4hi
}

// Long-polling carries several packets in one payload, separated by the
// record separator (0x1e).
func ExampleAppendPayload() {
	p := eio.AppendPayload(nil, []eio.Packet{
		{Type: eio.PacketMessage, Data: []byte("a")},
		{Type: eio.PacketMessage, Data: []byte{1, 2}, Binary: true},
	})
	fmt.Printf("%q\n", p)
	_ = eio.DecodePayload(p, func(pkt eio.Packet) error {
		fmt.Println(pkt.Type, pkt.Data, pkt.Binary)
		return nil
	})
	// Output:
	// "4a\x1ebAQI="
	// message [97] false
	// message [1 2] true
}
