package eio

// The long-polling transport: GETs are held until packets are queued,
// POSTs carry payloads of packets separated by 0x1e.

var (
	bodyOK   = []byte("ok")
	bodyNoop = []byte{'0' + byte(PacketNoop)}
)

// checkPolling is the official verify() for a polling request with a
// sid: the session must exist and still be on polling.
func (sh *Shard) checkPolling(s *Session, sid []byte) *RequestError {
	switch {
	case s == nil || s.state == stateClosed:
		return errUnknownSID
	case s.transport != transportPolling:
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
func (s *Session) post(body []byte, reply Responder) {
	err := DecodePayload(body, func(p Packet) error {
		s.onPacket(p)
		return nil
	})
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
	buf := sh.scratch[:0]
	first := true
	s.eachPending(func(p Packet) {
		buf = AppendPayloadPacket(buf, p, !first)
		first = false
	})
	sh.scratch = buf
	s.respondParked(200, buf)
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

func (s *Session) respondParked(status int, body []byte) {
	reply := s.parked
	s.parked = nil
	reply.Respond(status, ContentTypeText, body)
}
