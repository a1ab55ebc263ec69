package sio

import (
	"fmt"

	"github.com/sioloop/sioloop/parser"
)

// What a cluster adapter needs to carry packets between nodes. The nodes
// speak socket.io-parser's JSON between them, whatever parser this
// server's clients use: JSON payloads, binary values as placeholders
// {"_placeholder":true,"num":N} naming attachments.

// errNoEvent refuses a broadcast payload that names no event.
var errNoEvent = fmt.Errorf("%w: no event name", parser.ErrInvalidPacket)

// JSON returns the packet's JSON payload, the array [event, args...], and
// its binary attachments: the bytes this node writes to its clients when
// they use the JSON parser (then shared: do not modify them), else a new
// encoding. Safe from any goroutine.
func (p *BroadcastPacket) JSON() (data []byte, attachments [][]byte, err error) {
	f := &p.frames
	if f.Binary {
		var jf parser.Frames
		if err := parser.JSON.NewEncoder().Encode(&jf, parser.Event, "/", -1, p.Event, p.Args); err != nil {
			return nil, nil, err
		}
		f = &jf
	}
	return jsonPayload(f.Head), f.Attachments, nil
}

// jsonPayload returns what follows the header of a JSON text packet
// (type, attachment count, namespace, ack id; see parser.AppendHeader).
func jsonPayload(head []byte) []byte {
	i := 1
	if len(head) > 0 && (parser.Type(head[0]-'0') == parser.BinaryEvent || parser.Type(head[0]-'0') == parser.BinaryAck) {
		for i < len(head) && head[i] != '-' {
			i++
		}
		i++
	}
	if i < len(head) && head[i] == '/' {
		for i < len(head) && head[i] != ',' {
			i++
		}
		i++
	}
	for i < len(head) && head[i] >= '0' && head[i] <= '9' {
		i++
	}
	return head[min(i, len(head)):]
}

// NewBroadcastPacket builds an event packet of the namespace from its JSON
// payload, the array [event, args...], and its attachments, for an adapter
// that received a broadcast from another node; with ack, the packet gets a
// fresh ack id of the namespace. With the JSON parser (the default) the
// packet is written to clients as it came, without decoding its values.
// data and atts are kept, not copied. Safe from any goroutine.
func (n *Namespace) NewBroadcastPacket(data []byte, atts [][]byte, ack bool) (*BroadcastPacket, error) {
	pkt := &BroadcastPacket{ID: -1}
	if ack {
		pkt.ID = n.nextAckID()
	}
	typ := parser.Event
	if len(atts) > 0 {
		typ = parser.BinaryEvent
	}
	head := append(parser.AppendHeader(make([]byte, 0, 24+len(n.name)+len(data)), typ, len(atts), n.name, pkt.ID), data...)
	var args Args
	event, err := decodeJSON(&args, parser.Event, data, atts)
	if err != nil {
		return nil, err
	}
	if event == nil {
		return nil, errNoEvent
	}
	pkt.Event = string(event)
	if n.srv.opts.Parser == parser.JSON {
		pkt.frames = parser.Frames{Head: head, Attachments: atts}
		return pkt, nil
	}
	if pkt.Args, err = args.Values(); err != nil {
		return nil, err
	}
	err = n.srv.opts.Parser.NewEncoder().Encode(&pkt.frames, parser.Event, n.name, pkt.ID, pkt.Event, pkt.Args)
	pkt.frames.Attachments = copyAttachments(pkt.frames.Attachments)
	return pkt, err
}

// ArgsFromJSON returns the arguments of a JSON array and its attachments
// (an ack's answer from another node, say), as a handler sees them. data
// and atts are kept, not copied.
func ArgsFromJSON(data []byte, atts [][]byte) (*Args, error) {
	a := &Args{}
	_, err := decodeJSON(a, parser.Ack, data, atts)
	return a, err
}

// decodeJSON splits the JSON payload data of a packet of type typ (Event
// or Ack) and its attachments into a, through the JSON parser; for an
// Event it returns the event's name.
func decodeJSON(a *Args, typ parser.Type, data []byte, atts [][]byte) ([]byte, error) {
	if len(atts) > 0 {
		typ += parser.BinaryEvent - parser.Event
	}
	text := append(parser.AppendHeader(make([]byte, 0, 8+len(data)), typ, len(atts), "/", -1), data...)
	var st parser.DecodeState
	p := parser.Packet{Args: a}
	done, err := parser.JSON.Decode(&st, text, false, &p)
	for _, att := range atts {
		if err != nil {
			break
		}
		done, err = parser.JSON.Decode(&st, att, true, &p)
	}
	if err == nil && !done {
		err = fmt.Errorf("%w: attachments missing", parser.ErrInvalidPacket)
	}
	return p.Event, err
}
