package parser

// Test-only access to the JSON parser's parts.

// Header is the JSON packet header DecodePacket returns.
type Header = header

// JSONEncoder is the JSON parser's encoder.
type JSONEncoder = jsonEncoder

var (
	DecodePacket = decodePacket
	EventName    = eventName
)

// AppendPacket is appendPacket.
func (e *jsonEncoder) AppendPacket(dst []byte, typ Type, nsp string, id int64, event string, args []any) ([]byte, [][]byte, error) {
	return e.appendPacket(dst, typ, nsp, id, event, args)
}

func (a *Args) Parse(data []byte) error     { return a.parse(data) }
func (a *Args) SetAttachments(att [][]byte) { a.setAttachments(att) }
func (a *Args) Attachments() [][]byte       { return a.att }
func (a *Args) Shift() []byte               { return a.shift() }
func (a *Args) Reset()                      { a.reset() }
