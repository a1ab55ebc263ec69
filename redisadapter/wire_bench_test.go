package redisadapter

import (
	"testing"

	"github.com/sioloop/sioloop/sio"
)

// BenchmarkBroadcastEncode measures what a broadcast costs the node that
// sends it, in each variant: the classic one transcodes the JSON payload
// to MessagePack, the sharded one writes JSON around it (binary would
// make it MessagePack too).
//
//	go test -run '^$' -bench BroadcastEncode -benchmem ./redisadapter/
func BenchmarkBroadcastEncode(b *testing.B) {
	srv := sio.NewServer(nil)
	nsp := srv.Of("/")
	pkt, err := nsp.NewBroadcastPacket([]byte(`["chat",{"user":"someone","text":"a message of the usual length, about a hundred bytes or so, sent to a room","ts":1733500000000}]`), nil, false)
	if err != nil {
		b.Fatal(err)
	}
	opts := &sio.BroadcastOptions{Rooms: []string{"room1"}}
	for _, v := range []struct {
		name string
		wire func(*Cluster) wire
	}{
		{"classic", func(c *Cluster) wire { return classic{c} }},
		{"sharded", newSharded},
	} {
		b.Run(v.name, func(b *testing.B) {
			c := &Cluster{uid: newUID(), opts: (*Options)(nil).withDefaults()}
			c.wire = v.wire(c)
			a := newAdapter(c, nsp)
			a.shard = &shardedNsp{nspJSON: []byte(`"/"`)}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.wire.broadcast(a, pkt, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
