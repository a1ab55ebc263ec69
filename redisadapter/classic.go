package redisadapter

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/sio"
)

// classic is the wire format of createAdapter: broadcasts as MessagePack
// arrays on <key>#<nsp>#[<room>#], requests and answers on their own
// channels, JSON but for BROADCAST and its acks (see the package doc).
type classic struct{ c *Cluster }

func (w classic) open() *redis.PubSub { return w.c.rdb.Subscribe(w.c.ctx, w.c.heartbeatChannel()) }

func (w classic) subscribe(a *Adapter) {
	c := w.c
	c.mu.Lock()
	c.channels[a.channel+"*"] = a
	c.channels[a.requestChannel] = a
	c.channels[a.responseChannel] = a
	c.channels[a.specificResponseChannel] = a
	c.mu.Unlock()
	if err := c.ps.PSubscribe(c.ctx, a.channel+"*"); err != nil {
		c.opts.Logger.Error("redisadapter: psubscribe", "channel", a.channel+"*", "err", err)
	}
	if err := c.ps.Subscribe(c.ctx, a.requestChannel, a.responseChannel, a.specificResponseChannel); err != nil {
		c.opts.Logger.Error("redisadapter: subscribe", "namespace", a.nsp.Name(), "err", err)
	}
}

func (w classic) receive(a *Adapter, msg *redis.Message) {
	payload := []byte(msg.Payload)
	switch {
	case msg.Pattern != "":
		a.onBroadcast(msg.Channel, payload)
	case strings.HasPrefix(msg.Channel, a.responseChannel):
		var r response
		if err := decodeAny(payload, &r); err != nil || r.RequestID == "" {
			return
		}
		if len(r.Packet) > 0 { // a BROADCAST_ACK's value: to JSON
			data, _, _, err := msgpackToJSON(nil, r.Packet, 0, &r.Atts, 0)
			if err != nil {
				return
			}
			r.Data = data
		}
		w.c.onResponse(&r)
	default:
		var r request
		if err := decodeAny(payload, &r); err != nil || r.UID == w.c.uid {
			return
		}
		if r.Type == reqBroadcast {
			if r.Packet == nil {
				return
			}
			pkt, err := a.packetFrom(r.Packet, true)
			if err != nil {
				return
			}
			r.pkt = pkt
		}
		a.onRequest(&r)
	}
}

func (classic) publish(ctx context.Context, pipe redis.Pipeliner, channel string, payload []byte) {
	pipe.Publish(ctx, channel, payload)
}

// serverCount is PUBSUB NUMSUB of the request channel.
func (w classic) serverCount(ctx context.Context, a *Adapter) (int, error) {
	m, err := w.c.rdb.PubSubNumSub(ctx, a.requestChannel).Result()
	if err != nil {
		return 0, err
	}
	return int(m[a.requestChannel]), nil
}

// heartbeat publishes the uid on the cluster's heartbeat channel.
func (w classic) heartbeat([]*Adapter) { w.c.send(w.c.heartbeatChannel(), []byte(w.c.uid)) }

func (classic) leave([]*Adapter) {}

func (classic) roomRequests() bool { return true }

// broadcast goes on the namespace's channel, or the room's when exactly
// one room is selected, as the official adapter publishes it.
func (classic) broadcast(a *Adapter, pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions) (string, []byte, error) {
	msg, err := a.encodeBroadcast(pkt, opts)
	return roomChannel(a.channel, opts.Rooms), msg, err
}

// request is JSON, but BROADCAST MessagePack (its packet may hold binary).
func (classic) request(a *Adapter, req *request) (string, []byte, error) {
	if req.Type == reqServerSideEmit && req.Data == nil {
		r, err := serverSideEmitRequest(req.event, req.args)
		if err != nil {
			return "", nil, err
		}
		req.Data = r.Data
	}
	if req.Type != reqBroadcast {
		payload, err := json.Marshal(req)
		return a.requestChannel, payload, err
	}
	p, err := packetOf(req.pkt, a.nsp.Name())
	if err != nil {
		return "", nil, err
	}
	req.Packet = p
	payload, err := marshal(req)
	return a.requestChannel, payload, err
}

// response is JSON on the response channel (SERVER_SIDE_EMIT's always the
// shared one, as Node sends it), but BROADCAST_ACK MessagePack.
func (classic) response(a *Adapter, r *request, resp *response) (string, []byte, error) {
	switch resp.Type {
	case reqServerSideEmit:
		if data, err := json.Marshal(resp.value); err == nil && resp.value != nil {
			resp.Data = data
		}
		payload, err := json.Marshal(resp)
		return a.responseChannel, payload, err
	case reqBroadcastAck:
		if resp.args.Len() > 0 {
			// An answer is rare beside broadcasts: its value goes through Go
			// values (binary as []byte, so as bin).
			v, err := resp.args.Value(0)
			if err != nil {
				return "", nil, err
			}
			if resp.Packet, err = marshal(v); err != nil {
				return "", nil, err
			}
		}
		payload, err := marshal(resp)
		return a.responseChannelOf(r), payload, err
	}
	payload, err := json.Marshal(resp)
	return a.responseChannelOf(r), payload, err
}

// responseChannelOf returns where answers to r go: the shared response
// channel, or r's node's own with PublishOnSpecificResponseChannel.
func (a *Adapter) responseChannelOf(r *request) string {
	if a.c.opts.PublishOnSpecificResponseChannel {
		return a.responseChannel + r.UID + "#"
	}
	return a.responseChannel
}
