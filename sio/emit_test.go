package sio_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/sio"
)

// emitErrors tries every kind of refused emit on s and its namespace and
// returns their errors, in order.
func emitErrors(s *sio.Socket) []error {
	nsp := s.Namespace()
	return []error{
		s.Emit("disconnect"),                                    // reserved
		s.Emit("x", make(chan int)),                             // unencodable
		s.Emit("x", sio.BroadcastAckHandler(nil)),               // an ack of the other kind
		s.Emit("x", func([]*sio.Args, error) {}),                // the same, as a plain func
		s.Timeout(time.Second).Emit("x", func() {}),             // unencodable on an emitter
		s.To("room").Emit("connect"),                            // a broadcast's reserved name
		nsp.Emit("x", func(*sio.Args, error) {}),                // a broadcast given a socket's ack
		nsp.Timeout(time.Second).Emit("x", make(chan int), nil), // unencodable broadcast
		nsp.ServerSideEmit("x", sio.AckHandler(nil)),            // server-side, wrong kind
	}
}

// TestEmitErrorsAreTheSameOnTheLoopAndOffIt checks that an emit fails the
// same way from a handler (on the socket's loop) and from a goroutine of
// the application, and that nothing refused reaches the client.
func TestEmitErrorsAreTheSameOnTheLoopAndOffIt(t *testing.T) {
	io := sio.NewServer(nil)
	results := make(chan [2][]error, 1)
	io.OnConnection(func(s *sio.Socket) {
		s.On("probe", func(s *sio.Socket, ev *sio.Event) {
			onLoop := emitErrors(s)
			done := ev.AckFunc()
			go func() {
				results <- [2][]error{onLoop, emitErrors(s)}
				_ = done()
			}()
		})
	})
	c := connect(t, serve(t, io))
	c.send(`421["probe"]`)
	if got := c.read(); got != `431[]` {
		t.Fatalf("the client got %q before the ack: a refused emit was sent", got)
	}
	r := <-results
	want := []error{sio.ErrReservedEvent, nil, sio.ErrAckHandler, sio.ErrAckHandler, nil,
		sio.ErrReservedEvent, sio.ErrAckHandler, nil, sio.ErrAckHandler}
	for i := range want {
		onLoop, off := r[0][i], r[1][i]
		if onLoop == nil || off == nil || onLoop.Error() != off.Error() {
			t.Errorf("case %d: on the loop %v, from a goroutine %v", i, onLoop, off)
		}
		if want[i] != nil && !errors.Is(onLoop, want[i]) {
			t.Errorf("case %d: %v, want %v", i, onLoop, want[i])
		}
		if want[i] == nil && !strings.Contains(onLoop.Error(), "unsupported type") {
			t.Errorf("case %d: %v, want the encoder's error", i, onLoop)
		}
	}
}

// TestEmitToADisconnectedSocketFailsFromEveryGoroutine checks that once a
// socket has disconnected, Emit returns ErrDisconnected from its
// OnDisconnect handler and from another goroutine alike, and that an
// emit with an ack posted before the disconnect fails its handler.
func TestEmitToADisconnectedSocketFailsFromEveryGoroutine(t *testing.T) {
	io := sio.NewServer(nil)
	got := make(chan string, 3)
	io.OnConnection(func(s *sio.Socket) {
		s.OnDisconnect(func(s *sio.Socket, _ string) {
			got <- fmt.Sprint("handler: ", s.Emit("bye"))
			go func() { got <- fmt.Sprint("goroutine: ", s.Emit("bye", func(*sio.Args, error) {})) }()
		})
		s.Timeout(time.Minute).Emit("ask", func(_ *sio.Args, err error) { got <- fmt.Sprint("ack: ", err) })
	})
	c := connect(t, serve(t, io))
	if m := c.read(); m != `420["ask"]` {
		t.Fatalf("got %q", m)
	}
	c.send("41") // the client leaves the namespace
	seen := map[string]bool{}
	for range 3 {
		select {
		case m := <-got:
			seen[m] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("got only %v", seen)
		}
	}
	for _, want := range []string{"handler: " + sio.ErrDisconnected.Error(), "goroutine: " + sio.ErrDisconnected.Error(), "ack: " + sio.ErrDisconnected.Error()} {
		if !seen[want] {
			t.Errorf("missing %q in %v", want, seen)
		}
	}
}

// TestEmitFromAGoroutineOwnsItsBytes checks that an emit from a goroutine
// copies a []byte argument: the caller may reuse it once Emit returns.
func TestEmitFromAGoroutineOwnsItsBytes(t *testing.T) {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		go func() {
			b := []byte("first")
			_ = s.Emit("bin", b)
			copy(b, "XXXXX")
		}()
	})
	c := connect(t, serve(t, io))
	if m := c.read(); m != `451-["bin",{"_placeholder":true,"num":0}]` {
		t.Fatalf("got %q", m)
	}
	if m := c.read(); m != "first" {
		t.Fatalf("attachment %q, want the bytes at the time of Emit", m)
	}
}

// TestRemoteSocketAcksLikeASocket checks that RemoteSocket.Emit takes a
// socket's AckHandler whether the socket is this node's (FetchSockets) or
// described by a cluster adapter (NewRemoteSocket, through a broadcast to
// its id), gets the single answer, and times out with Timeout.
func TestRemoteSocketAcksLikeASocket(t *testing.T) {
	io := sio.NewServer(nil)
	c := connect(t, serve(t, io))
	socks, err := io.Of("/").FetchSockets()
	if err != nil || len(socks) != 1 {
		t.Fatalf("FetchSockets: %v, %v", socks, err)
	}
	local := socks[0]
	remote := sio.NewRemoteSocket(io.Of("/"), local.ID, nil, nil, nil)
	for _, r := range []*sio.RemoteSocket{local, remote} {
		got := make(chan string, 1)
		if err := r.Emit("ask", func(a *sio.Args, err error) {
			v, _ := a.String(0)
			got <- fmt.Sprint(v, err)
		}); err != nil {
			t.Fatal(err)
		}
		m := c.read()
		id := strings.TrimSuffix(strings.TrimPrefix(m, "42"), `["ask"]`)
		c.send("43" + id + `["yes"]`)
		if a := <-got; a != "yes<nil>" {
			t.Fatalf("answer %q", a)
		}
		if err := r.Emit("ask", sio.BroadcastAckHandler(func([]*sio.Args, error) {})); !errors.Is(err, sio.ErrAckHandler) {
			t.Fatalf("a broadcast's ack: %v", err)
		}
		if err := r.Timeout(50*time.Millisecond).Emit("late", func(_ *sio.Args, err error) { got <- fmt.Sprint(err) }); err != nil {
			t.Fatal(err)
		}
		c.read() // not answered
		select {
		case a := <-got:
			if a != sio.ErrTimeout.Error() {
				t.Fatalf("timeout: %q", a)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no timeout")
		}
	}
}

// TestAnAckPostedBeforeADisconnectFails checks that an emit with an ack
// posted from a goroutine while the socket is connected, and run on the
// loop after it disconnected, fails its ack handler with ErrDisconnected:
// EmitWithAck returns instead of waiting forever.
func TestAnAckPostedBeforeADisconnectFails(t *testing.T) {
	io := sio.NewServer(nil)
	got := make(chan error, 1)
	io.OnConnection(func(s *sio.Socket) {
		posted := make(chan error)
		go func() {
			_, err := s.EmitWithAck("ask") // posted: the loop is busy below
			got <- err
		}()
		go func() {
			time.Sleep(50 * time.Millisecond) // EmitWithAck has posted by now
			posted <- nil
		}()
		<-posted            // the loop waits (a test may block it briefly)
		s.Disconnect(false) // on the loop: at once, before the posted emit runs
	})
	connect(t, serve(t, io))
	select {
	case err := <-got:
		if !errors.Is(err, sio.ErrDisconnected) {
			t.Fatalf("EmitWithAck: %v, want ErrDisconnected", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("EmitWithAck still waits after the disconnect")
	}
}
