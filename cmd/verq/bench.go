package main

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/verq/verq/sandbox"
)

// benchReport is the output of `verq bench`; latencies are in microseconds.
type benchReport struct {
	N           int            `json:"n"`
	Rules       int            `json:"rules"`
	Concurrency int            `json:"concurrency"`
	P50         float64        `json:"p50_us"`
	P90         float64        `json:"p90_us"`
	P99         float64        `json:"p99_us"`
	Max         float64        `json:"max_us"`
	Mean        float64        `json:"mean_us"`
	PerSecond   float64        `json:"per_second"`
	WallSeconds float64        `json:"wall_seconds"`
	Outcomes    map[string]int `json:"outcomes"`
}

// runBench executes the env's rules n times over conc workers after a warm-up and reports latency
// percentiles and throughput.
func runBench(ctx context.Context, env *execEnv, n, conc, warmup int) (*benchReport, error) {
	for i := 0; i < warmup; i++ {
		if _, err := env.executor.Execute(ctx, cloneMap(env.user), cloneMap(env.context)); err != nil {
			return nil, err
		}
	}
	lat := make([]time.Duration, n)
	outcomes := make([]sandbox.Outcome, n)
	// Inputs are cloned before timing starts so the figures measure the executor only.
	users := make([]map[string]any, n)
	ctxs := make([]map[string]any, n)
	for i := range users {
		users[i], ctxs[i] = cloneMap(env.user), cloneMap(env.context)
	}
	var next int
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				res, err := env.executor.Execute(ctx, users[i], ctxs[i])
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				outcomes[i] = res.Outcome
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	if ctx.Err() != nil {
		return nil, errors.New("interrupted")
	}
	rep := &benchReport{N: n, Rules: len(env.ruleset.Rules()), Concurrency: conc, Outcomes: map[string]int{}, WallSeconds: wall.Seconds()}
	for _, o := range outcomes {
		rep.Outcomes[string(o)]++
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	pct := func(p float64) float64 { return us(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
	rep.P50, rep.P90, rep.P99 = pct(0.50), pct(0.90), pct(0.99)
	rep.Max = us(lat[len(lat)-1])
	rep.Mean = us(sum) / float64(n)
	rep.PerSecond = float64(n) / wall.Seconds()
	return rep, nil
}
