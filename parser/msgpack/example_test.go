package msgpack_test

import (
	"fmt"

	"github.com/sioloop/sioloop/parser"
	"github.com/sioloop/sioloop/parser/msgpack"
	"github.com/sioloop/sioloop/sio"
)

// The server's parser option, for clients created with
// socket.io-msgpack-parser.
func Example() {
	io := sio.NewServer(&sio.Options{Parser: msgpack.Parser})
	io.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("blob", []byte{1, 2, 3}) // MessagePack bin: a Buffer / ArrayBuffer on the client
	})
}

// A packet is one binary message, the MessagePack map {type, data, nsp,
// id}; bytes travel inline, without attachments.
func ExampleParser() {
	var f parser.Frames
	if err := msgpack.Parser.NewEncoder().Encode(&f, parser.Event, "/chat", 7, "upload", []any{"a.bin", []byte{1, 2}}); err != nil {
		panic(err)
	}
	fmt.Println(f.Binary, len(f.Attachments))

	var st parser.DecodeState
	var args parser.Args
	p := parser.Packet{Args: &args}
	done, err := msgpack.Parser.Decode(&st, f.Head, true, &p)
	if err != nil || !done {
		panic(err)
	}
	var name string
	var data []byte
	if err := args.Bind(&name, &data); err != nil {
		panic(err)
	}
	fmt.Println(p.Type, string(p.Namespace), p.ID, string(p.Event), name, data)
	// Output:
	// true 0
	// EVENT /chat 7 upload a.bin [1 2]
}
