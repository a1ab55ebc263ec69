package sio_test

import (
	"errors"
	"fmt"
	"log"
	"regexp"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// A chat server: the handlers run on the socket's event loop; slow work
// goes to a goroutine that answers later. Package sioloop serves it in
// one call (sioloop.NewServer); here package loop serves it by hand.
func Example() {
	io := sio.NewServer(&sio.Options{CORS: &eio.CORSOptions{Origin: []string{"*"}}})
	io.OnConnection(func(s *sio.Socket) {
		s.Join("lobby")
		s.On("chat", func(s *sio.Socket, ev *sio.Event) {
			msg, _ := ev.String(0)
			_ = s.To("lobby").Emit("chat", s.ID(), msg)
			_ = ev.Ack("delivered")
		})
		s.On("lookup", func(s *sio.Socket, ev *sio.Event) {
			key, _ := ev.String(0)
			ack := ev.AckFunc()
			go func() { _ = ack(lookup(key)) }() // never block the loop
		})
		s.OnDisconnect(func(s *sio.Socket, reason string) { log.Println(s.ID(), reason) })
	})
	engine := loop.New(nil)
	engine.Handle(io.Path(), io.Engine(), io.CORS())
	log.Fatal(engine.ListenAndServe("127.0.0.1:3000"))
}

func lookup(key string) string { return "value of " + key }

// Emit's error is the same from a handler and from any goroutine, and
// means nothing was sent: a reserved name, an ack handler of the wrong
// kind (a broadcast collects every answer, a socket's emit gets one),
// an argument the parser cannot encode.
func ExampleBroadcastOperator_Emit() {
	io := sio.NewServer(nil)
	fmt.Println(io.Emit("connect"))
	fmt.Println(io.Emit("news", func(answer *sio.Args, err error) {}))
	fmt.Println(io.To("room").Emit("news", make(chan int)) != nil)
	fmt.Println(io.Emit("news", "hello", []byte{1, 2})) // to every socket of "/"
	// Output:
	// sio: reserved event name
	// sio: ack handler of the wrong kind for this emit
	// true
	// <nil>
}

// An emit with an ack: the client's answer, or ErrTimeout.
func ExampleSocket_Emit() {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		err := s.Timeout(5*time.Second).Emit("question", "ready?", func(answer *sio.Args, err error) {
			if errors.Is(err, sio.ErrTimeout) {
				s.Disconnect(true)
				return
			}
			ok, _ := answer.String(0)
			log.Println("client says", ok)
		})
		if err != nil {
			log.Println(err) // the same error from any goroutine
		}
	})
}

// Typed handlers decode the event's first argument into a Go value once;
// a mismatch answers the client's ack with {"error": "…"}.
func ExampleHandleAck() {
	type order struct {
		Item string `json:"item"`
		N    int    `json:"n"`
	}
	type receipt struct {
		ID string `json:"id"`
	}
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		s.On("order", sio.HandleAck(func(s *sio.Socket, o order) (receipt, error) {
			if o.N <= 0 {
				return receipt{}, errors.New("nothing to order")
			}
			return receipt{ID: fmt.Sprintf("%s-%d", o.Item, o.N)}, nil
		}))
	})
}

// A middleware refuses a connection with data for the client's
// connect_error.
func ExampleNamespace_Use() {
	io := sio.NewServer(nil)
	admin := io.Of("/admin")
	admin.Use(func(s *sio.Socket, next func(error)) {
		if s.Handshake().Auth == nil {
			next(sio.NewConnectError("not authorized", map[string]string{"hint": "log in"}))
			return
		}
		next(nil)
	})
}

// Dynamic namespaces: a child per name the regexp accepts, sharing the
// parent's handlers; with CleanupEmptyChildNamespaces a child goes when
// its last socket does.
func ExampleServer_OfRegexp() {
	io := sio.NewServer(&sio.Options{CleanupEmptyChildNamespaces: true})
	boards := io.OfRegexp(regexp.MustCompile(`^/board-\d+$`))
	boards.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("welcome", s.Namespace().Name())
	})
}

// The counts never wait and are safe anywhere, handlers included; the
// lists gather each loop's part and wait, so they belong on a goroutine
// of your own (ErrOnLoop on a loop). Nothing is served here: all is
// zero.
func ExampleNamespace_SocketsCount() {
	io := sio.NewServer(nil)
	nsp := io.Of("/")
	rooms, err := nsp.Rooms()
	fmt.Println(nsp.SocketsCount(), io.Engine().ClientsCount(), len(rooms), err)
	// Output: 0 0 0 <nil>
}

// FetchSockets returns snapshots; a RemoteSocket acts on its socket
// whichever node holds it, and its ack gets one answer, like Socket's.
func ExampleBroadcastOperator_FetchSockets() {
	io := sio.NewServer(nil)
	go func() { // it waits for the loops: never from a handler
		socks, err := io.In("lobby").FetchSockets()
		if err != nil {
			log.Println(err)
		}
		for _, r := range socks {
			_ = r.Timeout(time.Second).Emit("ping", func(answer *sio.Args, err error) {})
		}
	}()
}

// IsReservedEvent names the events no emit may use.
func ExampleIsReservedEvent() {
	fmt.Println(sio.IsReservedEvent("disconnect"), sio.IsReservedEvent("chat"))
	// Output: true false
}
