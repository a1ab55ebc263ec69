package interop

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/metrics"
	"github.com/sioloop/sioloop/sio"
)

// TestMetricsMatchWhatTheClientsDid holds socket.io-client 4.8 clients
// connected (testdata/hold-clients.mjs), scrapes /metrics (served by the
// gnet engine's fallback handler) and checks the figures, parsed with
// Prometheus' own text-format parser, against what the clients did; then
// the server emits with acks and broadcasts to them, and the latency and
// fan-out histograms are checked against what it did.
func TestMetricsMatchWhatTheClientsDid(t *testing.T) {
	const clients, rooms, echoes, pings = 12, 3, 4, 2
	const perRoom = clients / rooms
	mux := http.NewServeMux()
	io := newSIOWith(nil, &loop.Options{Handler: mux})
	connected := make(chan *sio.Socket, clients)
	io.OnConnection(func(s *sio.Socket) { connected <- s })
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewCollector(io.Server, io.Loop()))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	base := "http://" + testserver.Start(t, io)

	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			waitNoSessions(t, base) // the previous clients' ends are counted
			before := scrape(t, base)
			env := []string{"HOLD_CLIENTS=" + strconv.Itoa(clients), "HOLD_ROOMS=" + strconv.Itoa(rooms),
				"HOLD_ECHOES=" + strconv.Itoa(echoes), "HOLD_TRANSPORT=" + transport}
			ready := func(line string) (string, bool) { return "", line == "ready" }
			nodetest.StartServer(t, testdataDir, env, ready, "node", "hold-clients.mjs", base)
			sockets := make([]*sio.Socket, clients)
			for i := range sockets {
				sockets[i] = <-connected
			}

			after := scrape(t, base)
			want := map[string]float64{
				`sioloop_connected_sockets{namespace="/",transport="` + transport + `"}`: clients,
				`sioloop_engine_sessions{transport="` + transport + `"}`:                 clients,
				`sioloop_rooms{namespace="/"}`:                                           rooms,
			}
			for k, v := range want {
				if after[k] != v {
					t.Errorf("%s = %v, want %v", k, after[k], v)
				}
			}
			// CONNECT, join, the echoes in; CONNECT's answer, the
			// contract's "auth" emit, the join's and the echoes' acks out.
			deltas := map[string]float64{
				"sioloop_connects_total":         clients,
				"sioloop_packets_received_total": clients * (echoes + 2),
				"sioloop_packets_sent_total":     clients * (echoes + 3),
				// Nothing volatile, everyone keeps up.
				"sioloop_volatile_dropped_total":          0,
				"sioloop_slow_consumer_disconnects_total": 0,
			}
			for k, v := range deltas {
				if _, ok := after[k]; !ok {
					t.Errorf("%s is not exported", k)
				}
				if d := after[k] - before[k]; d != v {
					t.Errorf("%s grew by %v, want %v", k, d, v)
				}
			}
			for _, k := range []string{"sioloop_received_bytes_total", "sioloop_sent_bytes_total"} {
				if after[k] <= before[k] {
					t.Errorf("%s did not grow: %v -> %v", k, before[k], after[k])
				}
			}
			if lag, ok := after[`sioloop_event_loop_lag_seconds{loop="0"}`]; !ok || lag < 0 || lag >= 5 {
				t.Errorf("loop 0 lag %v (present %v)", lag, ok)
			}
			// One handshake observed per client, each under 10 s.
			checkDeltas(t, before, after, map[string]float64{
				"sioloop_handshake_duration_seconds_count":           clients,
				`sioloop_handshake_duration_seconds_bucket{le="10"}`: clients,
			})
			if d := after["sioloop_handshake_duration_seconds_sum"] - before["sioloop_handshake_duration_seconds_sum"]; d <= 0 || d >= 10*clients {
				t.Errorf("handshake seconds grew by %v", d)
			}

			// pings answered per socket and one ignored past its timeout;
			// broadcasts to a room (answered, ignored past its timeout,
			// without ack) and to everyone.
			for _, s := range sockets {
				for k := range pings {
					if a, err := s.Timeout(10*time.Second).EmitWithAck("ping", k); err != nil {
						t.Fatalf("ping %d: %v", k, err)
					} else if n := string(a.Raw(0)); n != strconv.Itoa(k) {
						t.Fatalf("ping %d answered %s", k, n)
					}
				}
				if _, err := s.Timeout(50 * time.Millisecond).EmitWithAck("ignored"); err != sio.ErrTimeout {
					t.Fatalf("an ignored emit with ack ended with %v", err)
				}
			}
			broadcastAck := func(timeout time.Duration, room, event string) ([]*sio.Args, error) {
				type result struct {
					got []*sio.Args
					err error
				}
				done := make(chan result, 1)
				_ = io.To(room).Timeout(timeout).Emit(event, 7, func(got []*sio.Args, err error) { done <- result{got, err} })
				r := <-done
				return r.got, r.err
			}
			if got, err := broadcastAck(10*time.Second, "room-0", "ping"); err != nil || len(got) != perRoom {
				t.Fatalf("a broadcast ping got %d answers, %v", len(got), err)
			}
			if _, err := broadcastAck(100*time.Millisecond, "room-1", "ignored"); err != sio.ErrTimeout {
				t.Fatalf("an ignored broadcast with ack ended with %v", err)
			}
			_ = io.To("room-2").Emit("tick")
			_ = io.Emit("tick")

			acted := scrape(t, base)
			checkDeltas(t, after, acted, map[string]float64{
				"sioloop_ack_duration_seconds_count":           clients*pings + perRoom,
				`sioloop_ack_duration_seconds_bucket{le="10"}`: clients*pings + perRoom,
				"sioloop_ack_timeouts_total":                   clients + perRoom,
				"sioloop_broadcast_receivers_count":            4,
				"sioloop_broadcast_receivers_sum":              3*perRoom + clients,
				`sioloop_broadcast_receivers_bucket{le="2"}`:   0,
				`sioloop_broadcast_receivers_bucket{le="5"}`:   3, // perRoom (4)
				`sioloop_broadcast_receivers_bucket{le="20"}`:  4, // clients (12)
			})
		})
	}
}

// checkDeltas checks that each sample of want grew by its value from
// before to after.
func checkDeltas(t *testing.T, before, after, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if _, ok := after[k]; !ok {
			t.Errorf("%s is not exported", k)
			continue
		}
		if d := after[k] - before[k]; d != v {
			t.Errorf("%s grew by %v, want %v", k, d, v)
		}
	}
}

// scrape GETs /metrics and returns every sample as name{labels} → value,
// parsed with expfmt; a histogram as its _count, _sum and
// _bucket{le="…"} samples.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.Metric {
			if h := m.Histogram; h != nil {
				out[name+"_count"] = float64(h.GetSampleCount())
				out[name+"_sum"] = h.GetSampleSum()
				for _, b := range h.Bucket {
					out[name+"_bucket{le=\""+strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64)+"\"}"] = float64(b.GetCumulativeCount())
				}
				continue
			}
			key := name
			if len(m.Label) > 0 {
				key += "{"
				for i, l := range m.Label {
					if i > 0 {
						key += ","
					}
					key += fmt.Sprintf("%s=%q", l.GetName(), l.GetValue())
				}
				key += "}"
			}
			out[key] = value(m)
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	}
	return 0
}

// waitNoSessions waits, at most 10 s, until the server has no session.
func waitNoSessions(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		open := 0.0
		for k, v := range scrape(t, base) {
			if strings.HasPrefix(k, "sioloop_engine_sessions{") {
				open += v
			}
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v sessions still open after 10s", open)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
