package eio

// The long-polling transport: GETs are held until packets are queued,
// POSTs carry payloads of packets separated by 0x1e.

var (
	bodyOK = []byte("ok")
	// The bodies of a payload of one bare packet, in v4 and v3 framing.
	bodyNoop, bodyNoopV3   = []byte{'0' + byte(PacketNoop)}, []byte("1:6")
	bodyClose, bodyCloseV3 = []byte{'0' + byte(PacketClose)}, []byte("1:1")
)

// bareBody returns the long-polling body of a lone noop or close packet
// (t) in the session's framing.
func (s *Session) bareBody(t PacketType) []byte {
	switch {
	case t == PacketNoop && s.eio3:
		return bodyNoopV3
	case t == PacketNoop:
		return bodyNoop
	case s.eio3:
		return bodyCloseV3
	}
	return bodyClose
}

// checkPolling is the official verify() for a polling request with a
// sid: the session must exist, still be on polling and speak the
// request's protocol revision.
func (sh *Shard) checkPolling(s *Session, f RequestFlags) *RequestError {
	switch {
	case s == nil || s.state == stateClosed:
		return errUnknownSID
	case s.transport != transportPolling:
		return errBadRequest
	case s.eio3 != (f&FlagEIO3 != 0):
		return errBadRequest
	}
	return nil
}

// poll handles a GET. Runs on the owner loop.
func (s *Session) poll(reply Responder) {
	if s.parked != nil {
		// Two GETs at once: the official server fails the second and
		// closes the session, which answers the first with a close packet.
		respondError(reply, errBadRequest)
		s.closeWith(ReasonTransportError)
		return
	}
	s.parked = reply
	s.unpolled = false
	if s.pending != nil {
		s.flushPoll()
	}
	// During an upgrade the GET waits for the next tick of the upgrade
	// check (websocket.go), as in engine.io.
}

// post handles a POST body. Runs on the owner loop.
func (s *Session) post(f RequestFlags, body []byte, reply Responder) {
	onPacket := func(p Packet) error {
		s.onPacket(p)
		return nil
	}
	var err error
	switch {
	case f&FlagBinaryBody != 0 && s.eio3:
		err = decodeBinaryPayloadV3(body, onPacket)
	case f&FlagBinaryBody != 0:
		// engine.io: onError("invalid content"), then 400 with no body.
		s.closeWith(ReasonTransportError)
		reply.Respond(400, "", nil)
		return
	case s.eio3:
		err = decodePayloadV3(body, onPacket)
	default:
		err = DecodePayload(body, onPacket)
	}
	if err != nil {
		// As the official server: the packets before the bad one are
		// delivered, the session closes with "parse error" (a held GET
		// gets the close packet), and the POST itself is answered "ok" —
		// engine.io answers every complete POST so, whatever it held.
		s.closeWith(ReasonParseError)
	}
	reply.Respond(200, ContentTypeHTML, bodyOK)
}

// PollClosed tells the session that the connection of its held GET reply
// went away before the answer; the official server closes the session
// with "transport error".
func (s *Session) PollClosed(reply Responder) {
	if s.parked == reply {
		s.parked = nil
		s.closeWith(ReasonTransportError)
	}
}

// flushPoll answers the held GET with every queued packet.
func (s *Session) flushPoll() {
	sh := s.shard
	buf, ctype := sh.scratch[:0], ContentTypeText
	if s.eio3 {
		buf, ctype = s.appendPendingV3(buf)
	} else {
		first := true
		s.eachPending(func(p Packet) {
			buf = AppendPayloadPacket(buf, p, !first)
			first = false
		})
	}
	sh.scratch = buf
	s.respondParked(200, ctype, buf)
	if s.state == stateClosing {
		if s.closeQueued {
			s.closed(ReasonForcedClose)
		} else {
			s.queueClose(true) // for the next GET
		}
		return
	}
	s.drained()
}

func (s *Session) respondParked(status int, contentType string, body []byte) {
	reply := s.parked
	s.parked = nil
	reply.Respond(status, contentType, body)
}

// appendPendingV3 appends the queued packets to dst as one v3 payload and
// empties the queue: the binary payload when one of them is binary and
// the client takes binary (engine.io's encodePayload: "supportsBinary &&
// hasBinary(packets)"), else text. It returns the answer's content type.
func (s *Session) appendPendingV3(dst []byte) ([]byte, string) {
	if !s.b64 && s.pendingBinary() {
		s.eachPending(func(p Packet) { dst = appendBinaryPayloadV3(dst, p) })
		return dst, ContentTypeBinary
	}
	s.eachPending(func(p Packet) { dst = appendPayloadV3(dst, p) })
	return dst, ContentTypeText
}
