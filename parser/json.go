package parser

import "fmt"

// JSON is the default Parser, socket.io-parser's format: a text message
// `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]`, each
// []byte of a payload sent after it as a binary message and named in the
// JSON by a placeholder {"_placeholder":true,"num":N}.
var JSON Parser = jsonParser{}

type jsonParser struct{}

// Reassembly errors: messages out of the order socket.io-parser's
// Decoder.add expects ("got binary data when not reconstructing a packet",
// "got plaintext data when reconstructing a packet").
var (
	errUnexpectedBinary = fmt.Errorf("%w: binary data when not reconstructing a packet", ErrInvalidPacket)
	errUnexpectedText   = fmt.Errorf("%w: text while reconstructing a packet", ErrInvalidPacket)
)

func (jsonParser) NewEncoder() Encoder { return new(jsonEncoder) }

// Encode is appendPacket into f.
func (e *jsonEncoder) Encode(f *Frames, typ Type, nsp string, id int64, event string, args []any) error {
	text, atts, err := e.appendPacket(f.Head, typ, nsp, id, event, args)
	f.Head, f.Binary, f.Attachments = text, false, atts
	return err
}

// Decode reads a text packet, or an attachment of the binary packet st
// is reassembling, as socket.io-parser's Decoder.add.
func (jsonParser) Decode(st *DecodeState, data []byte, binary bool, p *Packet) (bool, error) {
	if binary {
		pp := st.partial
		if pp == nil {
			return false, errUnexpectedBinary
		}
		// Copied (data is the session's) and never nil: an empty
		// attachment is an empty Buffer, not null.
		pp.attachments = append(pp.attachments, append(make([]byte, 0, len(data)), data...))
		if len(pp.attachments) < pp.need {
			return false, nil
		}
		st.partial = nil
		h, _ := decodePacket(pp.text) // decoded once already
		return true, fillPacket(p, h, pp.attachments)
	}
	if st.partial != nil {
		return false, errUnexpectedText
	}
	h, err := decodePacket(data)
	if err != nil {
		return false, err
	}
	if h.Attachments > 0 {
		st.partial = &partialPacket{text: append([]byte(nil), data...), need: h.Attachments}
		return false, nil
	}
	return true, fillPacket(p, h, nil)
}

// fillPacket fills p from a decoded header and its attachments, splitting
// the arguments of an EVENT or ACK into p.Args.
func fillPacket(p *Packet, h header, atts [][]byte) error {
	p.Type, p.Namespace, p.ID = h.Type, h.Namespace, h.ID
	p.Data, p.Event = nil, nil
	switch h.Type {
	case Event, BinaryEvent, Ack, BinaryAck:
		if err := p.Args.parse(h.Data); err != nil {
			return err
		}
		p.Args.setAttachments(atts)
		if h.Type == Event || h.Type == BinaryEvent {
			if p.Args.Len() == 0 {
				return nil
			}
			name, ok := eventName(p.Args.shift())
			if !ok {
				return errPayload
			}
			p.Event = name
		}
	default:
		p.Data = h.Data
	}
	return nil
}
