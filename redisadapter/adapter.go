package redisadapter

import (
	"sync/atomic"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sioloop/sioloop/parser"
	"github.com/sioloop/sioloop/sio"
)

// Adapter is one namespace's adapter: the in-memory adapter for this
// node's sockets, and the namespace's channels for the other nodes.
// Its methods are safe from any goroutine; those that publish never
// block (the message is queued for the publisher goroutine).
type Adapter struct {
	sio.Adapter // this node's part

	c   *Cluster
	nsp *sio.Namespace

	channel                 string // socket.io#<nsp>#, then <room># for one room
	requestChannel          string
	responseChannel         string
	specificResponseChannel string

	remote atomic.Int64 // other nodes subscribed to the namespace, as last counted

	shard *shardedNsp // the sharded variant's part; nil in the classic one
}

func newAdapter(c *Cluster, nsp *sio.Namespace) *Adapter {
	name := nsp.Name()
	a := &Adapter{
		Adapter:         sio.NewMemoryAdapter(nsp),
		c:               c,
		nsp:             nsp,
		responseChannel: c.opts.Key + "-response#" + name + "#",
	}
	a.channel, a.requestChannel = channelsOf(c.opts.Key, name)
	a.specificResponseChannel = a.responseChannel + c.uid + "#"
	return a
}

// Broadcast writes pkt to this node's selected sockets and publishes it to
// the others (unless opts.Local): on the namespace's channel, or on the
// room's when exactly one room is selected, as the official adapter does.
func (a *Adapter) Broadcast(pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions) {
	if !opts.Local {
		if ch, msg, err := a.c.wire.broadcast(a, pkt, opts); err == nil {
			a.c.send(ch, msg)
		} else {
			a.c.opts.Logger.Error("redisadapter: encode broadcast", "namespace", a.nsp.Name(), "err", err)
		}
	}
	a.Adapter.Broadcast(pkt, opts)
}

// encodeBroadcast encodes the message [uid, packet, opts].
func (a *Adapter) encodeBroadcast(pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions) ([]byte, error) {
	p, err := packetOf(pkt, a.nsp.Name())
	if err != nil {
		return nil, err
	}
	return marshal(&broadcastMsg{UID: a.c.uid, Packet: p, Opts: wireOpts(opts)})
}

// packetOf returns the wire form of pkt: its data transcoded from the JSON
// this node writes to clients to MessagePack, attachments as bin.
func packetOf(pkt *sio.BroadcastPacket, nsp string) (*packetMsg, error) {
	payload, atts, err := pkt.JSON()
	if err != nil {
		return nil, err
	}
	return wirePacket(payload, atts, nsp, pkt.ID)
}

// wirePacket returns the wire form of the event packet of namespace nsp
// whose JSON payload, [event, args...], and attachments are given; id is
// its ack id, -1 for none.
func wirePacket(payload []byte, atts [][]byte, nsp string, id int64) (*packetMsg, error) {
	data, _, err := jsonToMsgpack(nil, payload, 0, atts, 0)
	if err != nil {
		return nil, err
	}
	m := &packetMsg{Type: int(parser.Event), Data: msgpack.RawMessage(data), Nsp: nsp}
	if id >= 0 {
		m.ID = &id
	}
	return m, nil
}

// onBroadcast handles a message of the namespace's channels. Runs on the
// reader goroutine.
func (a *Adapter) onBroadcast(channel string, payload []byte) {
	var m broadcastMsg
	if err := unmarshal(payload, &m); err != nil {
		a.c.opts.Logger.Debug("redisadapter: malformed broadcast", "channel", channel, "err", err)
		return
	}
	if m.UID == a.c.uid || m.Packet == nil {
		return
	}
	if m.Packet.Nsp != "" && m.Packet.Nsp != a.nsp.Name() {
		return
	}
	pkt, err := a.packetFrom(m.Packet, false)
	if err != nil {
		a.c.opts.Logger.Debug("redisadapter: malformed packet", "channel", channel, "err", err)
		return
	}
	a.Adapter.Broadcast(pkt, m.Opts.options())
}

// packetFrom builds a packet to write to this node's clients from the
// wire form, transcoding its MessagePack data to JSON.
func (a *Adapter) packetFrom(p *packetMsg, ack bool) (*sio.BroadcastPacket, error) {
	var atts [][]byte
	data, end, _, err := msgpackToJSON(nil, p.Data, 0, &atts, 0)
	if err != nil {
		return nil, err
	}
	if end != len(p.Data) {
		return nil, errTranscode
	}
	return a.nsp.NewBroadcastPacket(data, atts, ack)
}

// Shards reports how many answers of client counts a broadcast with an
// ack waits for: one per loop of this node, one per other node.
func (a *Adapter) Shards() int { return a.Adapter.Shards() + int(a.remote.Load()) }
