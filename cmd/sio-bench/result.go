package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// result is the final output: keys in the order they were set, printed
// as a human summary and as one JSON line.
type result struct {
	keys []string
	vals map[string]any
}

func newResult() *result { return &result{vals: map[string]any{}} }

// set adds or replaces key. Floats are rounded (roundFloat); NaN and
// infinities are dropped (a rate over an empty window does not apply).
func (r *result) set(key string, v any) {
	if f, ok := v.(float64); ok {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		v = roundFloat(f)
	}
	if _, ok := r.vals[key]; !ok {
		r.keys = append(r.keys, key)
	}
	r.vals[key] = v
}

// roundFloat keeps 2 decimals, or 4 significant digits below 1.
func roundFloat(f float64) float64 {
	if f == 0 || math.Abs(f) >= 1 {
		return math.Round(f*100) / 100
	}
	scale := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(f))))
	return math.Round(f*scale) / scale
}

func (r *result) get(key string) (any, bool) {
	v, ok := r.vals[key]
	return v, ok
}

// MarshalJSON writes the keys in order.
func (r *result) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(r.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// print writes the human summary and then the JSON line.
func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "--- sio-bench %v\n", r.vals["scenario"])
	for _, k := range r.keys {
		if k == "scenario" {
			continue
		}
		fmt.Fprintf(w, "  %-24s %s\n", k, formatValue(r.vals[k]))
	}
	j, _ := json.Marshal(r)
	fmt.Fprintf(w, "%s\n", j)
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// perSec is n over d, NaN for an empty window.
func perSec(n int64, d time.Duration) float64 {
	if d <= 0 {
		return math.NaN()
	}
	return float64(n) / d.Seconds()
}

// pct is cpu over wall, in percent (above 100 with several cores busy).
func pct(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return math.NaN()
	}
	return 100 * float64(cpu) / float64(wall)
}

// usPer is cpu in µs per item.
func usPer(cpu time.Duration, n int64) float64 {
	if n <= 0 {
		return math.NaN()
	}
	return float64(cpu.Microseconds()) / float64(n)
}
