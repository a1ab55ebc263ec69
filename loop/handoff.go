package loop

import (
	"context"
	"net"
	"os"

	"github.com/panjf2000/gnet/v2"
)

// A session is owned by one loop for its whole life, and a WebSocket that
// upgrades it must be read and written there. When the handshake lands on
// another loop, the connection moves: its socket is duplicated, enrolled
// into the owner loop (gnet's EventLoop.Enroll), and closed here; the
// owner then serves the handshake it carries. The client sends nothing
// before our 101, so the handshake is all there is to carry. (A
// long-polling request for another loop's session is posted to that loop
// instead, and answered back through this one: remote.go.)
//
// Moving the connection replaces moving the session (and its Socket.IO
// sockets and room memberships) to the connection's loop, which would
// leave a window in which a broadcast reaches neither loop's room index.

// handoff carries a request to the loop the connection moves to, as the
// context gnet hands to OnOpen there.
type handoff struct {
	raw []byte // the handshake request, whole
	// From net/http (nethttp.go): the client's address and TLS, which
	// the enrolled socket does not tell. nil and false between loops.
	remote net.Addr
	secure bool
}

// handoff moves the connection to owner's loop with the request raw.
// Runs on the loop; raw is copied.
func (cn *conn) handoff(owner *shard, raw []byte) {
	nc, err := dupConn(cn.c)
	if err != nil {
		cn.refuse(errInternal)
		return
	}
	ctx := gnet.NewContext(context.Background(), &handoff{raw: append([]byte(nil), raw...)})
	if _, err := owner.loop.Enroll(ctx, nc); err != nil {
		_ = nc.Close()
		cn.refuse(errInternal)
		return
	}
	// Enroll duplicates nc's socket and closes nc on its own goroutine.
	cn.movedAway = true
	cn.closeNow()
}

// dupConn returns a net.Conn on a duplicate of c's socket.
func dupConn(c gnet.Conn) (net.Conn, error) {
	fd, err := c.Dup()
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "")
	defer f.Close()
	return net.FileConn(f)
}

// errInternal answers a request the server failed to move.
var errInternal = &httpError{status: 500, msg: "loop: cannot move the connection"}

// serveHandoff serves the request a moved connection carried. Runs on
// the loop, from OnOpen.
func (cn *conn) serveHandoff(h *handoff) {
	var r request
	n, err := parseRequest(h.raw, &cn.sh.srv.limits, &r, &cn.sh.chunked)
	if err != nil || n != len(h.raw) {
		cn.refuse(err)
		return
	}
	cn.sh.wheel.Stop(&cn.timer)
	cn.sh.moved = h
	cn.serve(h.raw, &r)
	cn.sh.moved = nil
}
