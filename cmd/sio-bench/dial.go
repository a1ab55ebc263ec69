package main

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dialer opens TCP connections to the server, rotating the source
// address over cfg.srcIPs: each (source, destination) pair has its own
// ephemeral port space, so tens of thousands of connections (and the
// TIME_WAIT sockets a storm leaves) never run out of ports.
//
// Safe from any goroutine.
type dialer struct {
	addr    string
	dialers []net.Dialer // one per source address
	next    atomic.Uint64
}

// dialTimeout bounds one TCP connect.
const dialTimeout = 10 * time.Second

func newDialer(addr string, srcs []net.IP, offset, rcvbuf int) *dialer {
	d := &dialer{addr: addr}
	control := func(network, address string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			if len(srcs) > 0 {
				// Pick the port at connect() time, by the whole 4-tuple,
				// not at bind() time by the source address alone.
				_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
			}
			if rcvbuf > 0 {
				// Before connect, so the window it advertises is small.
				_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, rcvbuf)
			}
		})
	}
	if len(srcs) == 0 {
		d.dialers = []net.Dialer{{Timeout: dialTimeout, KeepAlive: -1, Control: control}}
	}
	for _, ip := range srcs {
		d.dialers = append(d.dialers, net.Dialer{
			Timeout:   dialTimeout,
			KeepAlive: -1, // the Engine.IO heartbeat is enough
			LocalAddr: &net.TCPAddr{IP: ip},
			Control:   control,
		})
	}
	d.next.Store(uint64(offset))
	return d
}

// dial connects to the server from the next source address.
func (d *dialer) dial(ctx context.Context) (net.Conn, error) {
	i := d.next.Add(1) % uint64(len(d.dialers))
	return d.dialers[i].DialContext(ctx, "tcp", d.addr)
}
