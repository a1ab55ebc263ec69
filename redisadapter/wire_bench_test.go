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
	nsp, pkt, opts := benchBroadcast(b)
	for _, v := range []struct {
		name string
		wire func(*Cluster) wire
	}{
		{"classic", func(c *Cluster) wire { return classic{c} }},
		{"sharded", newSharded},
	} {
		b.Run(v.name, func(b *testing.B) {
			a := benchAdapter(nsp, v.wire)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := a.c.wire.broadcast(a, pkt, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBroadcastDecode measures what a broadcast from another node
// costs the receiving node before it writes it to its clients: the
// classic variant decodes MessagePack and transcodes the data to JSON, the
// sharded one decodes the JSON message (a Node node's broadcast without
// binary is JSON there too).
//
//	go test -run '^$' -bench BroadcastDecode -benchmem ./redisadapter/
func BenchmarkBroadcastDecode(b *testing.B) {
	nsp, pkt, opts := benchBroadcast(b)
	for _, v := range []struct {
		name   string
		wire   func(*Cluster) wire
		decode func(a *Adapter, payload []byte) (*sio.BroadcastPacket, error)
	}{
		{"classic", func(c *Cluster) wire { return classic{c} }, func(a *Adapter, payload []byte) (*sio.BroadcastPacket, error) {
			var m broadcastMsg
			if err := unmarshal(payload, &m); err != nil {
				return nil, err
			}
			return a.packetFrom(m.Packet, false)
		}},
		{"sharded", newSharded, func(a *Adapter, payload []byte) (*sio.BroadcastPacket, error) {
			m, atts, err := decodeCluster(payload)
			if err != nil {
				return nil, err
			}
			return a.clusterPacket(m.Data, atts)
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			a := benchAdapter(nsp, v.wire)
			_, payload, err := a.c.wire.broadcast(a, pkt, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.decode(a, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchBroadcast returns a namespace and a chat message's broadcast to one
// room in it.
func benchBroadcast(b *testing.B) (*sio.Namespace, *sio.BroadcastPacket, *sio.BroadcastOptions) {
	nsp := sio.NewServer(nil).Of("/")
	pkt, err := nsp.NewBroadcastPacket([]byte(`["chat",{"user":"someone","text":"a message of the usual length, about a hundred bytes or so, sent to a room","ts":1733500000000}]`), nil, false)
	if err != nil {
		b.Fatal(err)
	}
	return nsp, pkt, &sio.BroadcastOptions{Rooms: []string{"room1"}}
}

// benchAdapter returns an adapter of nsp in a cluster of the variant that
// is not connected to Redis: for the encoders and decoders alone.
func benchAdapter(nsp *sio.Namespace, variant func(*Cluster) wire) *Adapter {
	c := &Cluster{uid: newUID(), opts: (*Options)(nil).withDefaults()}
	c.wire = variant(c)
	a := newAdapter(c, nsp)
	a.shard = &shardedNsp{nspJSON: []byte(`"/"`)}
	return a
}
