package admin

import (
	"sort"
	"time"
)

// statsBase is what every server_stats carries unchanged.
type statsBase struct {
	ServerID string `json:"serverId"`
	Hostname string `json:"hostname"`
	PID      int    `json:"pid"`
}

// serverStats is the server_stats event's payload.
type serverStats struct {
	statsBase
	Uptime              float64           `json:"uptime"` // seconds
	ClientsCount        int               `json:"clientsCount"`
	PollingClientsCount int               `json:"pollingClientsCount"`
	AggregatedEvents    []aggregatedEvent `json:"aggregatedEvents"`
	Namespaces          []namespaceStats  `json:"namespaces"`
}

// aggregatedEvent counts one kind of event in one second.
type aggregatedEvent struct {
	Timestamp int64  `json:"timestamp"` // ms, a whole second
	Type      string `json:"type"`
	SubType   string `json:"subType,omitempty"`
	Count     uint64 `json:"count"`
}

type namespaceStats struct {
	Name         string `json:"name"`
	SocketsCount int    `json:"socketsCount"`
}

// statsLoop emits server_stats now and every statsInterval until Close.
func (a *Admin) statsLoop() {
	defer close(a.done)
	t := time.NewTicker(statsInterval)
	defer t.Stop()
	for {
		a.emitStats(time.Now())
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
	}
}

// emitStats sends server_stats: the server's figures and what happened
// since the last one (the npm package buckets each event in its second;
// here the whole interval goes into the second of now).
func (a *Admin) emitStats(now time.Time) {
	st, err := a.io.Stats()
	if err != nil {
		return
	}
	out := serverStats{statsBase: a.base, Uptime: now.Sub(started).Seconds(), PollingClientsCount: st.Sessions["polling"]}
	for _, n := range st.Sessions {
		out.ClientsCount += n
	}
	ts := now.Truncate(time.Second).UnixMilli()
	add := func(typ, sub string, n uint64) {
		if n > 0 {
			out.AggregatedEvents = append(out.AggregatedEvents, aggregatedEvent{Timestamp: ts, Type: typ, SubType: sub, Count: n})
		}
	}
	add("rawConnection", "", a.opened.Swap(0))
	a.mu.Lock()
	reasons := make([]string, 0, len(a.closes))
	for r := range a.closes {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		add("rawDisconnection", r, a.closes[r])
		delete(a.closes, r)
	}
	last := a.last
	a.last = st
	a.mu.Unlock()
	add("packetsIn", "", st.PacketsIn-last.PacketsIn)
	add("packetsOut", "", st.PacketsOut-last.PacketsOut)
	add("bytesIn", "", st.BytesIn-last.BytesIn)
	add("bytesOut", "", st.BytesOut-last.BytesOut)
	if out.AggregatedEvents == nil {
		out.AggregatedEvents = []aggregatedEvent{}
	}
	for _, nsp := range a.io.Namespaces() {
		n := 0
		for k, c := range st.Sockets {
			if k.Namespace == nsp.Name() {
				n += c
			}
		}
		out.Namespaces = append(out.Namespaces, namespaceStats{Name: nsp.Name(), SocketsCount: n})
	}
	a.emit("server_stats", out)
}
