package redisadapter

import (
	"encoding/json"
	"reflect"
	"testing"
)

// clusterSamples are ClusterAdapter messages as the official adapter
// writes them (JSON.stringify's member order: type, data, uid, nsp).
var clusterSamples = []string{
	`{"type":3,"data":{"packet":{"type":2,"data":["chat",{"a":[1,"}]\"{"]},null],"nsp":"/"},"opts":{"rooms":["r1"],"except":["r2","é\"x"],"flags":{"volatile":true}}},"uid":"0123456789abcdef","nsp":"/"}`,
	`{"type":3,"data":{"packet":{"type":2,"data":["ask"],"nsp":"/"},"requestId":"abc","opts":{"rooms":[],"except":[],"flags":{"timeout":4000}}},"uid":"u","nsp":"/"}`,
	`{"type":4,"data":{"opts":{"rooms":["id"],"except":[]},"rooms":["j"]},"uid":"u","nsp":"/admin"}`,
	`{"type":6,"data":{"opts":{"rooms":[],"except":[]},"close":true},"uid":"u","nsp":"/"}`,
	`{"type":8,"data":{"requestId":"r","sockets":[{"id":"x","handshake":{},"rooms":["x"],"data":{"node":"n"}}]},"uid":"u","nsp":"/"}`,
	`{"type":9,"data":{"packet":["sse",{"x":1}],"requestId":"r"},"uid":"u","nsp":"/"}`,
	`{"type":11,"data":{"requestId":"r","clientCount":12},"uid":"u","nsp":"/"}`,
	`{"type":12,"data":{"requestId":"r","packet":"go1.0"},"uid":"u","nsp":"/"}`,
	`{"type":10,"data":{"requestId":"r"},"uid":"u","nsp":"/"}`,
	`{ "type" : 2 , "uid" : "u\u0041" , "nsp" : "/" } `,
	`{"type":13,"uid":"u","nsp":"/"}`,
}

// decodeCluster reads what encoding/json reads from the same messages.
func TestDecodeClusterAsEncodingJSON(t *testing.T) {
	for _, in := range clusterSamples {
		got, _, err := decodeCluster([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		var want clusterMsg
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if want.Data != nil && want.Data.Opts != nil && want.Data.Opts.Flags != nil {
			want.Data.Opts.Flags.Timeout = 0 // not read: the receiving side has no use for it
		}
		if !reflect.DeepEqual(canonical(got), canonical(&want)) {
			t.Errorf("%s:\n got  %s\n want %s", in, canonical(got), canonical(&want))
		}
	}
	for _, in := range []string{``, `{`, `[]`, `{"type":"3"}`, `{"type":3,"data":{"opts":{"rooms":[1]}}}`, `{"type":3}x`, `{"uid":"u"`, `{"data":{"packet":{"data":[}}}`} {
		if _, _, err := decodeCluster([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// canonical returns m as JSON with its raw members compacted, to compare.
func canonical(m *clusterMsg) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// FuzzDecodeCluster: whatever comes from Redis, decoding never panics,
// and the packet found in a broadcast is delimited within the message.
func FuzzDecodeCluster(f *testing.F) {
	for _, s := range clusterSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, _, err := decodeCluster(b)
		if err != nil || m.Data == nil {
			return
		}
		_ = jsonMembers(m.Data.Packet, func(key, v []byte) {})
	})
}
