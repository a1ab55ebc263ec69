package loop

import "time"

// LoopLag measures each loop's lag now: how long a task posted to its
// inbox waits before the loop runs it (the time the loop is busy with
// other work), by loop index; a loop that does not answer within 5s
// reports 5s. It costs one task per loop and nothing between calls (a
// metrics scrape calls it). Never call it on a loop. Safe from any
// goroutine.
func (srv *Server) LoopLag() []time.Duration {
	const limit = 5 * time.Second
	type answer struct {
		i   int
		lag time.Duration
	}
	n := int(srv.nshards.Load())
	lags := make([]time.Duration, n)
	for i := range lags {
		lags[i] = limit
	}
	answers := make(chan answer, n) // buffered: a late loop never blocks
	start := time.Now()
	for i := range n {
		if sh := srv.shardByIndex(i); sh != nil {
			sh.Execute(func() { answers <- answer{i, time.Since(start)} })
		}
	}
	timeout := time.After(limit)
	for range n {
		select {
		case a := <-answers:
			lags[a.i] = a.lag
		case <-timeout:
			return lags
		}
	}
	return lags
}
