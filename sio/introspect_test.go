package sio_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioloop/sioloop/sio"
)

// TestEmptyChildNamespacesGoWithoutStrandingASocket connects and
// disconnects clients to one dynamic child from many connections at once
// (on every loop), with CleanupEmptyChildNamespaces: every socket finds
// its namespace registered while it is connected — a child is never
// removed under a socket joining it — and the child is gone at the end.
// The counts follow: SocketsCount, Sockets and Engine().ClientsCount.
func TestEmptyChildNamespacesGoWithoutStrandingASocket(t *testing.T) {
	io := sio.NewServer(&sio.Options{CleanupEmptyChildNamespaces: true})
	var stranded, connects atomic.Int64
	io.OfRegexp(regexp.MustCompile(`^/dyn$`)).OnConnection(func(s *sio.Socket) {
		connects.Add(1)
		if !slices.Contains(io.Namespaces(), s.Namespace()) {
			stranded.Add(1)
		}
	})
	addr := serve(t, io)
	const clients, rounds = 8, 25
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, addr)
			for range rounds {
				c.send("40/dyn,")
				if got := c.read(); !strings.HasPrefix(got, `40/dyn,{"sid":"`) {
					t.Errorf("CONNECT answer %q", got)
					return
				}
				c.send("41/dyn,")
			}
		}()
	}
	wg.Wait()
	if n := connects.Load(); n != clients*rounds {
		t.Fatalf("%d connections, want %d", n, clients*rounds)
	}
	if n := stranded.Load(); n > 0 {
		t.Fatalf("%d sockets connected to a removed child", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var names []string
		for _, n := range io.Namespaces() {
			names = append(names, fmt.Sprint(n.Name(), ":", n.SocketsCount()))
		}
		if slices.Equal(names, []string{"/:0"}) && io.Engine().ClientsCount() == clients {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespaces %v, %d clients, want only / and %d", names, io.Engine().ClientsCount(), clients)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if socks, err := io.Of("/").Sockets(); err != nil || len(socks) != 0 {
		t.Fatalf("Sockets of /: %v, %v", socks, err)
	}
}

// TestSocketsAndRoomsListThisNodesSockets checks Sockets, Rooms and
// SocketsCount of a namespace, and that the lists refuse to block a loop.
func TestSocketsAndRoomsListThisNodesSockets(t *testing.T) {
	io := sio.NewServer(nil)
	onLoop := make(chan error, 1)
	io.OnConnection(func(s *sio.Socket) {
		s.Join("all", s.ID()[:1]+"-first")
		_, err := s.Namespace().Rooms()
		onLoop <- err
	})
	addr := serve(t, io)
	for range 3 {
		connect(t, addr)
		if err := <-onLoop; err != sio.ErrOnLoop {
			t.Fatalf("Rooms on a loop: %v, want ErrOnLoop", err)
		}
	}
	nsp := io.Of("/")
	socks, err := nsp.Sockets()
	if err != nil || len(socks) != 3 || nsp.SocketsCount() != 3 {
		t.Fatalf("Sockets: %d (%v), SocketsCount %d, want 3", len(socks), err, nsp.SocketsCount())
	}
	rooms, err := nsp.Rooms()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"all": 3}
	for _, s := range socks {
		want[s.ID()[:1]+"-first"]++
	}
	if fmt.Sprint(rooms) != fmt.Sprint(want) {
		t.Fatalf("Rooms %v, want %v", rooms, want)
	}
}
