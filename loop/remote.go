package loop

import "github.com/sioloop/sioloop/eio"

// remoteConn is a conn seen from another loop: the session's loop answers
// a long-polling request by posting a task to the conn's loop. It is the same pointer as the conn, typed differently, so
// handing one out allocates nothing; its methods never read the conn.
type remoteConn conn

// Respond implements eio.Responder across loops. Safe from any loop.
func (rc *remoteConn) Respond(status int, contentType string, body []byte) {
	cn := (*conn)(rc)
	cn.sh.post(task{op: opRespond, c: cn, status: status, ctype: contentType, buf: copyBuf(body)})
}

// Refuse implements eio.Refuser across loops: the conn's loop reports the
// refusal with the request it kept (conn.Refuse). Safe from any loop.
func (rc *remoteConn) Refuse(err *eio.RequestError) {
	cn := (*conn)(rc)
	cn.sh.post(task{op: opRefuse, c: cn, status: int(err.Code), ctype: err.Message})
}
