package wsframe

import "unicode/utf8"

// checkHeader applies the RFC 6455 rules a server checks on a frame header
// from a client, given whether a fragmented message is in flight and
// whether permessage-deflate was negotiated. It returns the first rule
// broken, in this order: mask, RSV bits, opcode, control frame rules,
// fragmentation order.
func checkHeader(h Header, fragmented, deflate bool) error {
	switch {
	// Section 5.1: "The server MUST close the connection upon receiving a
	// frame that is not masked."
	case !h.Masked:
		return errNotMasked

	// Section 5.2: RSV1–3 "MUST be 0 unless an extension is negotiated that
	// defines meanings for non-zero values". RFC 7692 gives RSV1 to
	// permessage-deflate, on the first frame of a data message only.
	case h.Rsv&^rsv1 != 0:
		return errRsv
	case h.Rsv == rsv1 && (!deflate || h.OpCode != OpText && h.OpCode != OpBinary):
		return errRsv

	// Section 5.2: "If an unknown opcode is received, the receiving endpoint
	// MUST _Fail the WebSocket Connection_."
	case !h.OpCode.known():
		return errOpCode

	// Section 5.5: "All control frames MUST have a payload length of 125
	// bytes or less and MUST NOT be fragmented."
	case h.OpCode.IsControl() && h.Length > maxControlPayload:
		return errControlTooLong
	case h.OpCode.IsControl() && !h.Fin:
		return errControlFragmented

	// Section 5.4: a fragmented message is a first frame with FIN clear
	// followed by continuation frames; only control frames may be injected
	// between them.
	case h.OpCode == OpContinuation && !fragmented:
		return errNoContinuation
	case (h.OpCode == OpText || h.OpCode == OpBinary) && fragmented:
		return errNotContinuation
	}
	return nil
}

// validCloseCode reports whether a close frame may carry code (RFC 6455
// section 7.4). 1000–1003 and 1007–1014 are defined (1012–1014 by the IANA
// registry the section sets up), 3000–4999 belong to libraries and
// applications. Everything else is invalid: below 1000 is unused, 1004 is
// reserved, 1005, 1006 and 1015 "MUST NOT be set as a status code in a
// Close control frame", 1016–2999 are reserved for future revisions, and
// the RFC defines nothing from 5000 up.
func validCloseCode(code CloseCode) bool {
	switch {
	case code >= 1000 && code <= 1003:
		return true
	case code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// parseCloseBody splits a close frame body into status code and reason and
// checks both (RFC 6455 section 5.5.1). An empty body means CloseNoStatus.
func parseCloseBody(body []byte) (code CloseCode, reason []byte, err error) {
	switch len(body) {
	case 0:
		return CloseNoStatus, nil, nil
	case 1:
		// "If there is a body, the first two bytes of the body MUST be a
		// 2-byte unsigned integer".
		return 0, nil, errCloseBodyShort
	}
	code = CloseCode(uint16(body[0])<<8 | uint16(body[1]))
	if !validCloseCode(code) {
		return 0, nil, errCloseCode
	}
	reason = body[2:]
	if !utf8.Valid(reason) {
		return 0, nil, errCloseReasonUTF8
	}
	return code, reason, nil
}

// incompleteRuneTail returns how many bytes at the end of p are the start
// of a UTF-8 sequence that more bytes could still complete (0 to
// utf8.UTFMax-1). Bytes that can never start a valid sequence are not
// counted, so checking p minus its tail still fails on them.
func incompleteRuneTail(p []byte) int {
	for i := 1; i < utf8.UTFMax && i <= len(p); i++ {
		if utf8.RuneStart(p[len(p)-i]) {
			if utf8.FullRune(p[len(p)-i:]) {
				return 0
			}
			return i
		}
	}
	return 0
}
