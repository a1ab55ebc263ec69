package metrics_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/metrics"
)

// The metrics on an endpoint of your choosing, here on the gnet engine's
// handler of other paths (a scrape runs on a goroutine, never on a loop).
func Example() {
	mux := http.NewServeMux()
	io := sioloop.Attach(loop.New(&loop.Options{Handler: mux}), nil)
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewCollector(io.Server, io.Loop()))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	log.Fatal(io.ListenAndServe(":3000"))
}

// A Collector gathers the figures on each scrape; a server not serving
// yet has only its counters at zero.
func ExampleNewCollector() {
	io := sioloop.NewServer(nil)
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewCollector(io.Server, nil))
	families, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		if f.GetType() == dto.MetricType_COUNTER {
			fmt.Println(f.GetName(), f.GetMetric()[0].GetCounter().GetValue())
		}
	}
	// Output:
	// sioloop_ack_timeouts_total 0
	// sioloop_connects_total 0
	// sioloop_packets_received_total 0
	// sioloop_packets_sent_total 0
	// sioloop_received_bytes_total 0
	// sioloop_sent_bytes_total 0
	// sioloop_slow_consumer_disconnects_total 0
	// sioloop_volatile_dropped_total 0
}
