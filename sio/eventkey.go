package sio

import (
	"strings"
	"sync"
	"sync/atomic"
)

// eventKey is the event a handler is registered for, and whether it runs
// once. Keys are interned (eventKeyOf), so a socket's handler entry is a
// key pointer and a func — 16 bytes, where the name's string header made
// it 32: the four handlers a connection handler typically registers
// per socket take one 64-byte object instead of 128 bytes.
type eventKey struct {
	name string
	once bool
}

// maxEventKeys bounds the interned names: an application that registers
// handlers under generated names (an event per request) gets a key of its
// own for each registration past it, never an ever-growing table.
const maxEventKeys = 4096

// eventKeys interns event keys for every server of the process: a
// copy-on-write map read without a lock (each socket's On looks up), the
// lock only serialising the rare insertions.
var eventKeys struct {
	mu sync.Mutex
	m  atomic.Pointer[map[string]*[2]eventKey] // by name; [0] on, [1] once
}

// eventKeyOf returns the interned key of event (once: for Once). Safe
// from any goroutine.
func eventKeyOf(event string, once bool) *eventKey {
	i := 0
	if once {
		i = 1
	}
	if m := eventKeys.m.Load(); m != nil {
		if ks := (*m)[event]; ks != nil {
			return &ks[i]
		}
	}
	eventKeys.mu.Lock()
	defer eventKeys.mu.Unlock()
	var old map[string]*[2]eventKey
	if m := eventKeys.m.Load(); m != nil {
		old = *m
		if ks := old[event]; ks != nil {
			return &ks[i]
		}
	}
	name := strings.Clone(event) // the table keeps it: not a slice of a larger string
	ks := &[2]eventKey{{name: name}, {name: name, once: true}}
	if len(old) >= maxEventKeys {
		return &ks[i]
	}
	m := make(map[string]*[2]eventKey, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[name] = ks
	eventKeys.m.Store(&m)
	return &ks[i]
}
