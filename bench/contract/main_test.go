package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/sioloop/sioloop/internal/contract"
	"github.com/sioloop/sioloop/internal/testserver"
)

// client is a minimal raw Socket.IO client over WebSocket.
type client struct {
	t  *testing.T
	c  net.Conn
	rw io.ReadWriter
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, br, _, err := ws.Dial(context.Background(), "ws://"+addr+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, c: c, rw: c}
	if br != nil {
		cl.rw = struct {
			io.Reader
			io.Writer
		}{io.MultiReader(br, c), c}
	}
	if open := cl.read(); !strings.HasPrefix(open, "0{") {
		t.Fatalf("open packet %q", open)
	}
	cl.send("40")
	if got := cl.read(); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("CONNECT answer %q", got)
	}
	return cl
}

func (cl *client) send(p string) {
	cl.t.Helper()
	if err := wsutil.WriteClientText(cl.rw, []byte(p)); err != nil {
		cl.t.Fatal(err)
	}
}

// read returns the next message that is not a ping (answering pings).
func (cl *client) read() string {
	cl.t.Helper()
	_ = cl.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		b, _, err := wsutil.ReadServerData(cl.rw)
		if err != nil {
			cl.t.Fatalf("read: %v", err)
		}
		if string(b) != "2" {
			return string(b)
		}
		cl.send("3")
	}
}

func (cl *client) expect(want string) {
	cl.t.Helper()
	if got := cl.read(); got != want {
		cl.t.Fatalf("got %q, want %q", got, want)
	}
}

func TestContract(t *testing.T) {
	addr := testserver.Start(t, contract.NewServer(2))
	a, b := dial(t, addr), dial(t, addr)

	// echo: the ack carries the same arguments.
	a.send(`420["echo","x"]`)
	a.expect(`430["x"]`)
	a.send(`427["echo",{"n":1},[2,"three"],null]`)
	a.expect(`437[{"n":1},[2,"three"],null]`)

	// join: the ack carries the room.
	a.send(`421["join","r1"]`)
	a.expect(`431["r1"]`)

	// broadcast_room reaches the room's members only: b, not in r1, sees
	// the broadcast to everyone that follows it first.
	b.send(`42["broadcast_room","r1",{"v":"room"}]`)
	a.expect(`42["broadcast",{"v":"room"}]`)
	b.send(`42["broadcast","all"]`)
	a.expect(`42["broadcast","all"]`)
	b.expect(`42["broadcast","all"]`) // the sender included
}
