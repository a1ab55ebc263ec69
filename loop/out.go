package loop

import (
	"sync"
	"unsafe"

	"github.com/sioloop/sioloop/eio"
	"github.com/valyala/bytebufferpool"
	"golang.org/x/sys/unix"
)

// A conn's output. Private bytes (HTTP responses, frames built for this
// conn alone, the headers of shared frames) are coalesced in one pooled
// buffer; shared packets (eio.Shared: a broadcast's, written to many
// conns) are referenced between them, never copied. At the end of a loop
// iteration the shard writes each dirty conn's output with one writev.
//
// What the kernel does not take stays queued as references, so a
// broadcast held for a hundred stalled receivers is held once. Only the
// rest of the segment the kernel cut in two is handed to gnet, whose
// buffer then makes it watch the socket for writability. A conn with
// output left is blocked: each flush of its shard retries it once gnet's
// buffer is empty and tells its session when the backlog is written out
// (eio.Session.Drained).
//
// The kernel's own send queue (a few MB per socket) counts in the
// connection's backlog (conn.Backlog, SIOCOUTQ): the kernel absorbs that
// much from a stalled client before user space sees a byte of backlog.
// So does the write-stall rule, which watches that the peer keeps
// acknowledging bytes whether they wait here or in the kernel (stall.go).

// outQueue is a conn's output not yet handed to the socket.
//
// Ownership: the conn's loop.
type outQueue struct {
	priv   *bytebufferpool.ByteBuffer // private bytes; priv.B[:sealed] are in segs
	sealed int
	segs   []segment // in order; segs[:head] are written
	head   int
	shared int // shared segments in segs[head:]
	queued int // bytes in segs[head:]
}

// segment is a run of bytes to write: private (in priv) or shared (m's).
type segment struct {
	b []byte
	m *eio.Shared
}

var outPool = sync.Pool{New: func() any { return new(outQueue) }}

// queue returns the conn's output queue, scheduling its flush.
func (cn *conn) queue() *outQueue {
	if cn.out == nil {
		q := outPool.Get().(*outQueue)
		q.priv = bytebufferpool.Get()
		cn.out = q
		if !cn.blocked {
			cn.sh.dirty = append(cn.sh.dirty, cn)
		}
	}
	return cn.out
}

// buffer returns the conn's private output buffer, scheduling its flush.
func (cn *conn) buffer() *bytebufferpool.ByteBuffer { return cn.queue().priv }

// seal closes the private bytes appended since the last segment into one.
func (q *outQueue) seal() {
	if n := len(q.priv.B); n > q.sealed {
		q.segs = append(q.segs, segment{b: q.priv.B[q.sealed:n:n]})
		q.queued += n - q.sealed
		q.sealed = n
	}
}

// addShared queues m after the private bytes written so far.
func (q *outQueue) addShared(m *eio.Shared) {
	q.seal()
	m.Retain()
	q.segs = append(q.segs, segment{b: m.Bytes(), m: m})
	q.shared++
	q.queued += len(m.Bytes())
}

// size returns the bytes queued, sealed or not.
func (q *outQueue) size() int { return q.queued + len(q.priv.B) - q.sealed }

// consume marks n bytes from the head as written, releasing the shared
// packets written in full (and skipping empty segments).
func (q *outQueue) consume(n int) {
	q.queued -= n
	for q.head < len(q.segs) {
		s := &q.segs[q.head]
		if n < len(s.b) {
			s.b = s.b[n:]
			return
		}
		n -= len(s.b)
		if s.m != nil {
			s.m.Release()
			q.shared--
		}
		*s = segment{}
		q.head++
	}
}

// empty reports whether everything was handed to the socket.
func (q *outQueue) empty() bool { return q.head == len(q.segs) && q.sealed == len(q.priv.B) }

// free releases what q holds and returns it to the pool.
func (q *outQueue) free() {
	for i := q.head; i < len(q.segs); i++ {
		if m := q.segs[i].m; m != nil {
			m.Release()
		}
	}
	clear(q.segs)
	bytebufferpool.Put(q.priv)
	*q = outQueue{segs: q.segs[:0]}
	outPool.Put(q)
}

// write hands q to the socket; gnet's buffer is empty. Private-only
// output goes through gnet's Write (gnet keeps what the kernel refuses,
// as before shared packets existed); with shared packets, one writev of
// our own, and what the kernel refuses stays in q but for the rest of the
// segment it cut, handed to gnet. It returns the bytes handed over.
// Runs on the loop; a failed write closes the conn from inside gnet.
func (cn *conn) write(q *outQueue) int {
	q.seal()
	if q.shared == 0 {
		n := q.queued
		for q.head < len(q.segs) && !cn.closed {
			b := q.segs[q.head].b
			q.consume(len(b))
			_, _ = cn.c.Write(b)
		}
		return n
	}
	handed := 0
	for q.head < len(q.segs) && !cn.closed {
		n, all, err := cn.sh.writev(cn.c.Fd(), q.segs[q.head:])
		q.consume(n)
		handed += n
		if all && err == nil {
			continue // the kernel took it all: the segments past maxIov next
		}
		if q.head < len(q.segs) {
			// Refused (or failed): gnet takes the rest of the head
			// segment and watches the socket — or reports the error and
			// closes the conn.
			b := q.segs[q.head].b
			q.consume(len(b))
			handed += len(b)
			_, _ = cn.c.Write(b)
		}
		break
	}
	return handed
}

// handAll gives gnet everything queued, for a conn about to close: gnet
// writes what the kernel takes and tries the rest once as it closes.
func (cn *conn) handAll(q *outQueue) {
	q.seal()
	for q.head < len(q.segs) && !cn.closed {
		b := q.segs[q.head].b
		q.consume(len(b))
		_, _ = cn.c.Write(b)
	}
}

// maxIov is the most iovecs one writev takes (Linux UIO_MAXIOV).
const maxIov = 1024

// writev writes segs (the first maxIov of them) to fd with one system
// call: the bytes the kernel took, whether that was all of them, and the
// error (EAGAIN is none: the kernel took nothing). Runs on the loop: iov
// is the shard's scratch.
func (sh *shard) writev(fd int, segs []segment) (n int, all bool, err error) {
	iov := sh.iov[:0]
	total := 0
	for i := range segs {
		if len(iov) == maxIov {
			break
		}
		if b := segs[i].b; len(b) > 0 {
			v := unix.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
			total += len(b)
		}
	}
	if len(iov) == 0 {
		return 0, true, nil
	}
	r, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	clear(iov) // keep no buffer alive
	sh.iov = iov[:0]
	switch {
	case e == unix.EAGAIN:
		return 0, false, nil
	case e != 0:
		return 0, false, e
	}
	return int(r), int(r) == total, nil
}

// kernelQueued returns the bytes in fd's send queue that the peer has not
// acknowledged (SIOCOUTQ), 0 if the kernel does not say.
func kernelQueued(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ)
	if err != nil {
		return 0
	}
	return n
}
