package eio_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// TestGenerateID: a generated id goes behind the routing prefix (the
// shard's index, then the node's), so ShardOf and NodeOf still route it;
// an error, an id of another length or alphabet, or one already in use
// refuses the handshake with 400 code 3, as the official server refuses
// an id its generator failed to make.
func TestGenerateID(t *testing.T) {
	next := "user-id-0000000001"
	srv := eio.NewServer(&eio.Options{NodeID: 5, GenerateID: func(r *eio.Request) (string, error) {
		if string(r.Query("fail")) == "1" {
			return "", errors.New("no id")
		}
		return next, nil
	}})
	sh := srv.NewShard(3, time.Unix(1000, 0), inline{})
	req := &eio.Request{Method: []byte("GET"), RawQuery: []byte("EIO=4&transport=polling")}
	id, err := sh.NewSessionID(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := id.String(); got != "DF"+next || eio.ShardOf(id[:]) != 3 || eio.NodeOf(id[:]) != 5 {
		t.Fatalf("id %q: shard %d, node %d", got, eio.ShardOf(id[:]), eio.NodeOf(id[:]))
	}
	sh.OpenPolling(req, id, &reply{})
	if sh.Lookup(id[:]) == nil {
		t.Fatal("the session is not found by its id")
	}
	for _, c := range []struct{ name, id, query string }{
		{"in use", next, ""},
		{"error", next, "fail=1"},
		{"short", "user-id-1", ""},
		{"long", "user-id-00000000001", ""},
		{"alphabet", "user.id.0000000001", ""},
	} {
		next = c.id
		req.RawQuery = []byte("EIO=4&transport=polling&" + c.query)
		if _, err := sh.NewSessionID(req); err == nil || err.Code != eio.BadRequest || err.Status() != 400 {
			t.Errorf("%s: %v, want code 3", c.name, err)
		}
	}
}
