package loop_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

// peerTable is a static directory of nodes (redisadapter.Cluster is the
// real one, through Redis).
type peerTable struct {
	addrs [eio.MaxNodes]atomic.Pointer[net.TCPAddr]
}

func (p *peerTable) PeerAddr(node int) net.Addr {
	if a := p.addrs[node].Load(); a != nil {
		return a
	}
	return nil
}

func (p *peerTable) set(node int, addr string) {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		panic(err)
	}
	p.addrs[node].Store(a)
}

// startNodes starts Engine.IO echo servers as nodes 1, 2, ... of one
// forwarding cluster and returns their addresses.
func startNodes(t testing.TB, n int) []string {
	peers := &peerTable{}
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = startEcho(t, &loop.Options{Peers: peers, NumLoops: 2}, &eio.Options{NodeID: i + 1})
		peers.set(i+1, addrs[i])
	}
	return addrs
}

// pollingExchange posts "4"+msg to sid's session through conn and reads
// the echo with a GET on the same keep-alive connection (both requests
// written at once: pipelined).
func pollingExchange(c net.Conn, br *bufio.Reader, sid, msg string) (string, error) {
	body := "4" + msg
	req := "POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body +
		"GET /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	var got string
	for i := range 2 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		if i == 1 {
			got = string(b)
		}
	}
	return got, nil
}

// upgradeThrough upgrades sid's session with a WebSocket opened on addr.
func upgradeThrough(t testing.TB, addr, sid string) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws://"+addr+"/engine.io/?EIO=4&transport=websocket&sid="+sid)
	if err != nil {
		t.Fatal(err)
	}
	if br != nil {
		ws.PutReader(br)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := wsutil.WriteClientText(c, []byte("2probe")); err != nil {
		t.Fatal(err)
	}
	if m, err := wsutil.ReadServerText(c); err != nil || string(m) != "3probe" {
		t.Fatalf("probe through %s: %q, %v", addr, m, err)
	}
	if err := wsutil.WriteClientText(c, []byte("5")); err != nil {
		t.Fatal(err)
	}
	return c
}

// wsEcho sends "4"+msg and reads frames until its echo.
func wsEcho(c net.Conn, msg string) error {
	if err := wsutil.WriteClientText(c, []byte("4"+msg)); err != nil {
		return err
	}
	for {
		m, err := wsutil.ReadServerText(c)
		if err != nil {
			return err
		}
		if string(m) == "4"+msg {
			return nil
		}
	}
}

// A request for another node's session — polling POST and GET, pipelined
// on a keep-alive connection, and the WebSocket upgrade — reaches the node
// whose id the session id names, and its answers come back.
func TestForwardedRequestsReachTheOwner(t *testing.T) {
	addrs := startNodes(t, 2)
	sid := handshake(t, addrs[0])
	if eio.NodeOf([]byte(sid)) != 1 {
		t.Fatalf("sid %s names node %d, want 1", sid, eio.NodeOf([]byte(sid)))
	}
	c, err := net.Dial("tcp", addrs[1])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i := range 3 {
		msg := "hello" + strconv.Itoa(i)
		if got, err := pollingExchange(c, br, sid, msg); err != nil || got != "4"+msg {
			t.Fatalf("polling through node 2, round %d: %q, %v", i, got, err)
		}
	}
	w := upgradeThrough(t, addrs[1], sid)
	defer w.Close()
	for i := range 3 {
		if err := wsEcho(w, "ws"+strconv.Itoa(i)); err != nil {
			t.Fatalf("WebSocket through node 2, round %d: %v", i, err)
		}
	}
}

// A session id naming a node no peer holds, or a node that cannot be
// reached, gets the official answer to an unknown session id.
func TestForwardToAMissingNodeIsAnUnknownSession(t *testing.T) {
	peers := &peerTable{}
	addr := startEcho(t, &loop.Options{Peers: peers}, &eio.Options{NodeID: 1})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	peers.set(2, l.Addr().String())
	l.Close() // node 2's address: nothing listens there
	const unknown = `{"code":1,"message":"Session ID unknown"}`
	for _, sid := range []string{"ADxxxxxxxxxxxxxxxxxx" /* node 3 */, "ACxxxxxxxxxxxxxxxxxx" /* node 2 */} {
		resp, body := roundTrip(t, addr, "GET /engine.io/?EIO=4&transport=polling&sid="+sid+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode != 400 || body != unknown {
			t.Errorf("GET for node %d: %d %q", eio.NodeOf([]byte(sid)), resp.StatusCode, body)
		}
		resp, body = roundTrip(t, addr, "GET /engine.io/?EIO=4&transport=websocket&sid="+sid+" HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
		if resp.StatusCode != 400 || body != "Session ID unknown" {
			t.Errorf("upgrade for node %d: %d %q", eio.NodeOf([]byte(sid)), resp.StatusCode, body)
		}
	}
}

// BenchmarkForwarding measures what forwarding costs: a round trip (a
// polling POST and GET pipelined on a keep-alive connection, or a
// WebSocket message and its echo) to the session's own node ("direct")
// and through another node ("forwarded"). cpu-µs/op is the process's CPU
// time (client, both nodes) per round trip: the difference is the
// forwarding node's work.
//
//	go test -run '^$' -bench Forwarding -benchtime 3000x ./loop/
func BenchmarkForwarding(b *testing.B) {
	addrs := startNodes(b, 2)
	for _, transport := range []string{"polling", "websocket"} {
		for _, via := range []string{"direct", "forwarded"} {
			b.Run(transport+"/"+via, func(b *testing.B) {
				sid := handshake(b, addrs[0])
				target := addrs[0]
				if via == "forwarded" {
					target = addrs[1]
				}
				var exchange func() error
				if transport == "polling" {
					c, err := net.Dial("tcp", target)
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close()
					br := bufio.NewReader(c)
					exchange = func() error {
						got, err := pollingExchange(c, br, sid, "hello")
						if err == nil && got != "4hello" {
							b.Fatalf("got %q", got)
						}
						return err
					}
				} else {
					c := upgradeThrough(b, target, sid)
					defer c.Close()
					_ = c.SetDeadline(time.Time{})
					exchange = func() error { return wsEcho(c, "hello") }
				}
				for range 100 { // warm up: upstreams dialed, buffers grown
					if err := exchange(); err != nil {
						b.Fatal(err)
					}
				}
				cpu0 := cpuTime()
				b.ResetTimer()
				for range b.N {
					if err := exchange(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
