package main

import (
	"strings"
	"testing"
	"time"
)

// logWriter sends the benchmark's progress lines to t.Log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func sessionsForTest(t *testing.T, n int) int {
	if raceEnabled || testing.Short() {
		n /= 4
	}
	return n
}

// TestMillionSmall runs the benchmark at a small scale: run itself checks
// that every session connected, was pinged and ponged once per heartbeat
// round, got each broadcast to all exactly once and each room broadcast
// exactly once when in the room, and closed with the server.
func TestMillionSmall(t *testing.T) {
	cfg := config{
		Sessions:        sessionsForTest(t, 20000),
		Shards:          2,
		Rooms:           1000,
		RoomsPerSession: 3,
		Rounds:          3,
		Broadcasts:      2,
		PingInterval:    25 * time.Second,
		PingTimeout:     20 * time.Second,
		Close:           true,
		Log:             logWriter{t},
	}
	res, err := run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatal("run reported not ok")
	}
	if len(res.HeartbeatRoundsMs) != cfg.Rounds {
		t.Errorf("%d heartbeat rounds measured, want %d", len(res.HeartbeatRoundsMs), cfg.Rounds)
	}
	for i, d := range res.HeartbeatRoundsMs {
		if d <= 0 || d >= float64(cfg.PingInterval.Milliseconds()) {
			t.Errorf("heartbeat round %d took %.1f ms, not within the ping interval", i+1, d)
		}
	}
	if len(res.BroadcastAllMs) != cfg.Broadcasts || len(res.BroadcastRoomMs) != cfg.Broadcasts {
		t.Errorf("broadcasts measured: %d to all, %d to a room, want %d each",
			len(res.BroadcastAllMs), len(res.BroadcastRoomMs), cfg.Broadcasts)
	}
	// 3 consecutive rooms of 1000 per socket: room-7 holds 3 in 1000.
	if want := cfg.Sessions * 3 / 1000; res.RoomMembers != want {
		t.Errorf("room-7 has %d members, want %d", res.RoomMembers, want)
	}
	if res.HeapBytesPerSession <= 0 {
		t.Errorf("heap per session %.0f B: not measured", res.HeapBytesPerSession)
	}
}

// TestUnevenShards covers a session count the shards do not divide, three
// shards, sockets in no room, and browser headers in the handshake.
func TestUnevenShards(t *testing.T) {
	for _, rps := range []int{0, 2} {
		res, err := run(config{
			Sessions:        sessionsForTest(t, 3001),
			Shards:          3,
			Rooms:           10,
			RoomsPerSession: rps,
			Rounds:          2,
			Broadcasts:      1,
			PingInterval:    time.Second,
			PingTimeout:     500 * time.Millisecond,
			Headers:         true,
			Close:           true,
		})
		if err != nil {
			t.Fatalf("rooms per session %d: %v", rps, err)
		}
		if rps == 0 && res.RoomMembers != 0 {
			t.Errorf("no rooms joined, yet room-7 has %d members", res.RoomMembers)
		}
		if rps == 2 && res.RoomMembers == 0 {
			t.Errorf("room-7 has no members")
		}
	}
}

// TestFakeCountsWrites checks the fake WebSocket's classification.
func TestFakeCountsWrites(t *testing.T) {
	r := &runner{}
	f := &fakeWS{r: r}
	f.WriteMessage(false, []byte(`0{"sid":"x"}`))
	f.WriteMessage(false, []byte(`40{"sid":"y"}`))
	f.WriteMessage(false, []byte("2"))
	f.WriteMessage(false, []byte(`42["tick","x"]`))
	f.Close()
	if f.pings != 1 || f.events != 1 || f.closed != 1 || r.writes != 4 || r.pings != 1 || r.events != 1 || r.closes != 1 {
		t.Errorf("fake counted %+v, runner %d writes %d pings %d events %d closes", *f, r.writes, r.pings, r.events, r.closes)
	}
}
