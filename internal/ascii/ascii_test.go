package ascii

import "testing"

func TestEqualFold(t *testing.T) {
	for _, c := range []struct {
		b, s string
		want bool
	}{
		{"Upgrade", "upgrade", true},
		{"WEBSOCKET", "websocket", true},
		{"websocket", "websockets", false},
		{"[", "{", false}, // '[' is 'Z'+1: only letters fold
		{"", "", true},
	} {
		if got := EqualFold([]byte(c.b), c.s); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %v", c.b, c.s, got)
		}
	}
}
