// Package quiesce waits for a count kept on the event loops to reach
// zero, for a graceful shutdown: the outbound bytes still queued, the
// acks still awaited, the sessions still closing. Nothing on the packet
// path signals these counts (that would cost every packet something for
// the sake of one shutdown), so they are sampled.
package quiesce

import (
	"context"
	"time"
)

// Period is how often Wait samples its count.
const Period = 10 * time.Millisecond

// Wait calls count every Period until it returns zero, an error, or ctx
// ends (then ctx's error). count gathers its figure from the loops and
// must itself give up when ctx ends: a stopped loop never answers.
func Wait(ctx context.Context, count func(context.Context) (int, error)) error {
	tick := time.NewTicker(Period)
	defer tick.Stop()
	for {
		n, err := count(ctx)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Sum runs count on each of the n loops through post (which runs its
// argument on loop i) and adds up the results, waiting up to ctx.
func Sum(ctx context.Context, n int, post func(i int, fn func()), count func(i int) int) (int, error) {
	results := make(chan int, n)
	for i := range n {
		post(i, func() { results <- count(i) })
	}
	sum := 0
	for range n {
		select {
		case v := <-results:
			sum += v
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return sum, nil
}
