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
)

// TestMetricsMatchWhatTheClientsDid holds socket.io-client 4.8 clients
// connected (testdata/hold-clients.mjs), scrapes /metrics (served by the
// gnet engine's fallback handler) and checks the figures, parsed with
// Prometheus' own text-format parser, against what the clients did.
func TestMetricsMatchWhatTheClientsDid(t *testing.T) {
	const clients, rooms, echoes = 12, 3, 4
	mux := http.NewServeMux()
	io := newSIOWith(nil, &loop.Options{Handler: mux})
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
		})
	}
}

// scrape GETs /metrics and returns every sample as name{labels} → value,
// parsed with expfmt.
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
