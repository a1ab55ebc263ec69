package loop

import (
	"context"
	"sync"

	"github.com/sioloop/sioloop/eio"
	"github.com/valyala/bytebufferpool"
)

// taskOp names what a task asks its loop to do.
type taskOp uint8

const (
	opTick       taskOp = iota // wake the loop: Run advances the wheels
	opPoll                     // to the session's loop: a GET for sid
	opPost                     // to the session's loop: a POST body for sid
	opPollClosed               // to the session's loop: a held GET's conn went away
	opRespond                  // to the conn's loop: write an HTTP response
	opRefuse                   // to the conn's loop: refuse its request (status: the eio.ErrorCode, ctype: the message)
	opFunc                     // run fn (eio.Executor, for the layers above)
)

// task is one unit of cross-loop work: a small value, not a closure, so
// posting one allocates nothing but the payload it carries (opFunc, the
// layers above's own work, carries a closure).
type task struct {
	op     taskOp
	binary bool
	flags  eio.RequestFlags // opPoll, opPost: what eio.Server.Check read
	status int
	ctype  string
	c      *conn
	route  *route
	sid    eio.SID
	buf    *bytebufferpool.ByteBuffer // payload, owned by the task
	fn     func()
}

// inbox is a loop's multi-producer queue of tasks with a doorbell: a
// producer appends under a short lock and wakes the loop (gnet Execute)
// only when the bell was not already rung, so a burst costs one wake-up.
// Tasks from one producer run in the order posted. gnet's own Execute is
// not FIFO under load (see ARCHITECTURE.md), hence this queue.
//
// Bounded: a goroutine that is not a loop (a user's goroutine calling
// Emit, a net/http handler handing over a request) waits while inboxCap
// tasks are queued, until the loop takes its next batch — backpressure,
// as a full channel gives. A loop never waits: two loops posting to each
// other's full inbox would deadlock. What loops post is bounded by their
// own input instead — one task per request in flight on a connection (a
// connection reads no further request meanwhile), one per broadcast a
// handler makes per loop.
type inbox struct {
	mu      sync.Mutex
	tasks   []task
	rung    bool
	waiting int       // producers waiting for room
	room    sync.Cond // signalled when the loop takes a batch (L: &mu)
	spare   []task    // the drained batch's storage, reused; owner loop only
}

// inboxCap is the most tasks an inbox takes from goroutines that are not
// loops before they wait: 16,384 tasks of 88 bytes, 1.4 MiB per loop
// (twice that with the batch the loop is running).
const inboxCap = 1 << 14

// post queues t for sh's loop. Safe from any goroutine; off the loops it
// waits while the inbox is full.
func (sh *shard) post(t task) {
	q := &sh.inbox
	q.mu.Lock()
	for len(q.tasks) >= inboxCap && !sh.srv.onALoop() {
		select {
		case <-sh.srv.done: // the loops have returned: nothing runs tasks
			q.mu.Unlock()
			if t.buf != nil {
				bytebufferpool.Put(t.buf)
			}
			return
		default:
		}
		q.waiting++
		q.room.Wait()
		q.waiting--
	}
	q.tasks = append(q.tasks, t)
	ring := !q.rung
	q.rung = true
	q.mu.Unlock()
	if ring {
		if err := sh.loop.Execute(context.Background(), sh); err != nil {
			// The engine is shutting down: nothing will run the tasks.
			sh.dropTasks()
		}
	}
}

// tick wakes the loop to advance its wheels, unless its bell is rung
// already: then it runs soon and advances them anyway. The ticker never
// waits for room, and queues no tick behind work. Safe from any
// goroutine.
func (sh *shard) tick() {
	q := &sh.inbox
	q.mu.Lock()
	rung := q.rung
	q.mu.Unlock()
	if !rung {
		sh.post(task{op: opTick})
	}
}

// Run drains the inbox; gnet calls it on the loop when the bell rang.
func (sh *shard) Run(context.Context) error {
	q := &sh.inbox
	q.mu.Lock()
	batch := q.tasks
	q.tasks = q.spare[:0]
	q.rung = false
	if q.waiting > 0 {
		q.room.Broadcast()
	}
	q.mu.Unlock()
	sh.advance()
	for i := range batch {
		sh.run(&batch[i])
		batch[i] = task{}
	}
	q.spare = batch[:0]
	sh.flush()
	return nil
}

func (sh *shard) dropTasks() {
	q := &sh.inbox
	q.mu.Lock()
	for i := range q.tasks {
		if b := q.tasks[i].buf; b != nil {
			bytebufferpool.Put(b)
		}
	}
	q.tasks = q.tasks[:0]
	q.rung = false
	if q.waiting > 0 {
		q.room.Broadcast()
	}
	q.mu.Unlock()
}
