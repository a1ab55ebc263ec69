package sio

import (
	"strconv"
	"testing"
)

// Event keys are interned — one per name and once-ness — up to
// maxEventKeys names; past it each registration gets a key of its own,
// still naming its event.
func TestEventKeysAreInternedAndBounded(t *testing.T) {
	on, once := eventKeyOf("chat", false), eventKeyOf("chat", true)
	if on != eventKeyOf("chat", false) || once != eventKeyOf("chat", true) || on == once {
		t.Fatal("a name's keys are not interned")
	}
	if on.name != "chat" || on.once || once.name != "chat" || !once.once {
		t.Fatalf("keys %+v %+v", *on, *once)
	}
	for i := 0; len(*eventKeys.m.Load()) < maxEventKeys; i++ {
		eventKeyOf("fill-"+strconv.Itoa(i), false)
	}
	k := eventKeyOf("past the bound", true)
	if k == eventKeyOf("past the bound", true) || k.name != "past the bound" || !k.once {
		t.Fatalf("past the bound: %+v", *k)
	}
	if len(*eventKeys.m.Load()) != maxEventKeys || eventKeyOf("chat", false) != on {
		t.Fatal("the table grew past its bound, or lost a key")
	}
}
