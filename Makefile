# sioloop — make test runs everything CI runs; slow suites are opt-in.
GO      ?= go
FUZZTIME ?= 200000x
PORT    ?= 3917

.PHONY: test vet unit fuzz-short conformance demo bench fuzz soak

## test: vet, unit and interop tests (race detector on), short fuzzing, the official conformance suites
test: vet unit fuzz-short conformance

vet:
	$(GO) vet ./...
	cd interop/goclient && $(GO) vet -mod=mod ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

## unit: every Go test, with -race; interop tests install their npm clients themselves; interop/goclient is a module of its own (the Go client's dependencies stay out of go.mod; -mod=mod lets it follow a change of sioloop's go.mod without a tidy)
unit:
	$(GO) test -race -count=1 -timeout 10m ./...
	cd interop/goclient && $(GO) test -mod=mod -race -count=1 -timeout 5m ./...

## fuzz-short: each fuzz target briefly, from the seed corpus captured from socket.io-client (interop/testdata/capture-fuzz-seeds.mjs) (FUZZTIME: 200,000 inputs each; a count, not a duration, because a time-limited run can end with Go's spurious "context deadline exceeded" under load); `make fuzz FUZZTIME=10m` for long runs
fuzz-short fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./wsframe/
	$(GO) test -run '^$$' -fuzz '^FuzzParseRequest$$' -fuzztime $(FUZZTIME) ./loop/
	$(GO) test -run '^$$' -fuzz '^FuzzAcceptHeaders$$' -fuzztime $(FUZZTIME) ./loop/
	$(GO) test -run '^$$' -fuzz '^FuzzInflate$$' -fuzztime $(FUZZTIME) ./loop/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodePayload$$' -fuzztime $(FUZZTIME) ./eio/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodePacket$$' -fuzztime $(FUZZTIME) ./eio/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodePayloadV3$$' -fuzztime $(FUZZTIME) ./eio/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodePacket$$' -fuzztime $(FUZZTIME) ./parser/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./parser/msgpack/
	$(GO) test -run '^$$' -fuzz '^FuzzClientMessages$$' -fuzztime $(FUZZTIME) ./sio/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCluster$$' -fuzztime $(FUZZTIME) ./redisadapter/
	$(GO) test -run '^$$' -fuzz '^FuzzMsgpackToJSON$$' -fuzztime $(FUZZTIME) ./redisadapter/
	$(GO) test -run '^$$' -fuzz '^FuzzParseSIO$$' -fuzztime $(FUZZTIME) ./cmd/sio-bench/

## conformance: the official engine.io and socket.io suites against examples/conformance, on the gnet engine and mounted on net/http
conformance:
	scripts/conformance.sh all $(PORT)
	scripts/conformance.sh all $(PORT) nethttp

## soak: 50,000 sessions (WebSocket and polling, closed cleanly, reset, with a GET held, gone between GETs) in waves of 5,000; goroutines, open files, timers, rooms and heap must return to their baseline after each wave (make test runs 3,000)
soak:
	$(GO) test -run '^TestChurnReturnsToBaseline$$' -count=1 -timeout 30m -v ./loop/ -args -churn 50000

## demo: the chat demo on http://127.0.0.1:3000 (installs the official client bundle first)
demo:
	cd examples/chat && npm ci --no-audit --no-fund --loglevel=error && $(GO) run .

## bench: the codec and core micro-benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./wsframe/ ./eio/ ./loop/ ./parser/... ./sio/ ./internal/...

## bench-cluster: broadcasts across a two-node Redis cluster, sioloop and Node in every pairing (bench/cluster.sh); QUICK=1 for about a minute
.PHONY: bench-cluster
bench-cluster:
	QUICK=$(QUICK) bench/cluster.sh

## bench-compare: sioloop vs the official Node server on one core each (bench/README.md); QUICK=1 for a <3 min run
.PHONY: bench-compare
bench-compare:
	QUICK=$(QUICK) bench/compare.sh
