package redisadapter_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/redistest"
	"github.com/sioloop/sioloop/redisadapter"
	"github.com/sioloop/sioloop/sio"
)

// emitterOp is one operation of testdata/emitter-client.mjs's publisher.
type emitterOp struct {
	Op       string   `json:"op"`
	Rooms    []string `json:"rooms"`
	Except   []string `json:"except"`
	Event    string   `json:"event"`
	Args     []any    `json:"args"`
	Bin      bool     `json:"bin"`
	Volatile bool     `json:"volatile"`
	Room     string   `json:"room"`
	Close    bool     `json:"close"`
}

// serveEmitter serves emitter-client.mjs's publisher contract with e: each
// POSTed operation is published before the answer. It returns the URL.
func serveEmitter(t *testing.T, e *redisadapter.Emitter) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o emitterOp
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sel := e.To(o.Rooms...).Except(o.Except...)
		if o.Volatile {
			sel = sel.Volatile()
		}
		switch o.Op {
		case "emit":
			args := o.Args
			if o.Bin {
				b := make([]byte, 256)
				for i := range b {
					b[i] = byte(i)
				}
				args = append(args, b, map[string]any{"nested": []any{[]byte{1, 2, 3}}})
			}
			err = sel.Emit(o.Event, args...)
		case "socketsJoin":
			err = sel.SocketsJoin(o.Room)
		case "socketsLeave":
			err = sel.SocketsLeave(o.Room)
		case "disconnectSockets":
			err = sel.DisconnectSockets(o.Close)
		case "serverSideEmit":
			err = e.ServerSideEmit(o.Event, o.Args...)
		default:
			http.Error(w, "unknown op "+o.Op, http.StatusBadRequest)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

// What an emitter publishes — broadcasts (JSON, binary, volatile) to
// rooms with except and to socket ids, socketsJoin, socketsLeave,
// serverSideEmit, disconnectSockets — reaches the clients of the official
// Node node and of a sioloop node alike, whether the emitter is the
// official @socket.io/redis-emitter or the Go one.
func TestEmittersReachEveryNode(t *testing.T) {
	ensureModules(t)
	addr := redistest.Start(t)
	nodeURL, _ := startNodeNode(t, addr)
	g := startGoNode(t, addr, "go1")
	waitMembers(t, addr, 2)
	urls := nodeURL + "," + g.url

	t.Run("npm", func(t *testing.T) {
		nodetest.Run(t, 90*time.Second, testdataDir, []string{"REDIS_URL=redis://" + addr}, "node", "emitter-client.mjs", "npm", urls)
	})
	t.Run("go", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rdb.Close() })
		ctl := serveEmitter(t, redisadapter.NewEmitter(rdb, nil))
		nodetest.Run(t, 90*time.Second, testdataDir, nil, "node", "emitter-client.mjs", ctl, urls)
	})
}

// The Go emitter refuses reserved event names, as the official one throws,
// and selects by value: an operator derived from another leaves it as it
// was.
func TestEmitterOperators(t *testing.T) {
	addr := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	e := redisadapter.NewEmitter(rdb, &redisadapter.EmitterOptions{Key: "k"})
	if err := e.Emit("disconnect"); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Fatalf("Emit(disconnect): %v, want %v", err, sio.ErrReservedEvent)
	}
	sub := rdb.PSubscribe(t.Context(), "k*")
	defer sub.Close()
	if _, err := sub.Receive(t.Context()); err != nil {
		t.Fatal(err)
	}
	base := e.Of("chat").To("a")
	_ = base.Except("x").To("b")
	for _, step := range []struct {
		do      func() error
		channel string
		has     string
	}{
		{func() error { return base.Emit("ev", 1) }, "k#/chat#a#", `["emitter",{"data":["ev",1],"nsp":"/chat","type":2},{"except":[],"flags":{},"rooms":["a"]}]`},
		{func() error { return base.To("b").Emit("ev", 1) }, "k#/chat#", `{"except":[],"flags":{},"rooms":["a","b"]}`},
		{func() error { return base.Except("x").SocketsJoin("r") }, "k-request#/chat#", `"type":2,"opts":{"rooms":["a"],"except":["x"]},"rooms":["r"]`},
		{func() error { return e.ServerSideEmit("hi", "x") }, "k-request#/#", `"uid":"emitter","type":6,"data":["hi","x"]`},
	} {
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		msg, err := sub.ReceiveMessage(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if msg.Channel != step.channel {
			t.Errorf("published on %q, want %q", msg.Channel, step.channel)
		}
		text := msg.Payload
		if text[0] != '{' { // MessagePack: show it as JSON
			var v any
			if err := msgpack.Unmarshal([]byte(text), &v); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(v)
			text = string(b)
		}
		if !strings.Contains(text, step.has) {
			t.Errorf("on %s: %s lacks %s", msg.Channel, text, step.has)
		}
	}
}
