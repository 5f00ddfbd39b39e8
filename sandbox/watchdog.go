package sandbox

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

const (
	// watchdogTick is how often deadlines and the heap are checked.
	watchdogTick = 5 * time.Millisecond
	// watchdogLinger is how long an idle watchdog goroutine waits for new executions before exiting.
	watchdogLinger = 250 * time.Millisecond
	// memoryMinStreak is how long an execution must have been running JS without a break before the
	// memory watchdog may stop it: allocating past the limit takes longer than that, while ordinary
	// rule code returns to the loop far sooner.
	memoryMinStreak = 20 * time.Millisecond
	// memoryGCInterval rate-limits the garbage collections the watchdog forces to confirm that the
	// heap is really over the limit (and not merely full of garbage).
	memoryGCInterval = 100 * time.Millisecond
)

// epoch is the origin of the monotonic clock used for in-JS streaks.
var epoch = time.Now()

// monotonic is the time since epoch on the monotonic clock.
func monotonic() time.Duration { return time.Since(epoch) }

// watchdog enforces deadlines and the memory limit of one Executor's running executions from a
// goroutine of its own, which runs while executions are active and exits when idle.
type watchdog struct {
	e       *Executor
	mu      sync.Mutex
	active  map[*execution]struct{}
	running bool

	// goroutine-owned state
	list    []*execution
	samples []metrics.Sample
	lastGC  time.Time
	victim  *execution
}

func newWatchdog(e *Executor) *watchdog {
	return &watchdog{
		e:      e,
		active: make(map[*execution]struct{}),
		samples: []metrics.Sample{
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/gc/heap/live:bytes"},
		},
	}
}

// add registers a starting execution and makes sure the goroutine runs.
func (w *watchdog) add(ex *execution) {
	w.mu.Lock()
	w.active[ex] = struct{}{}
	if !w.running {
		w.running = true
		go w.loop()
	}
	w.mu.Unlock()
}

// remove unregisters an execution.
func (w *watchdog) remove(ex *execution) {
	w.mu.Lock()
	delete(w.active, ex)
	w.mu.Unlock()
}

func (w *watchdog) loop() {
	t := time.NewTicker(watchdogTick)
	defer t.Stop()
	idleSince := time.Now()
	for now := range t.C {
		w.mu.Lock()
		if len(w.active) == 0 {
			if now.Sub(idleSince) >= watchdogLinger {
				w.running = false
				w.victim = nil
				w.mu.Unlock()
				return
			}
			w.mu.Unlock()
			continue
		}
		idleSince = now
		w.list = w.list[:0]
		for ex := range w.active {
			w.list = append(w.list, ex)
		}
		_, victimActive := w.active[w.victim]
		w.mu.Unlock()

		for _, ex := range w.list {
			if !now.Before(ex.deadline) {
				ex.stop(stopDeadline)
			}
		}
		if limit := w.e.cfg.Limits.MaxMemoryBytes; limit > 0 && !victimActive {
			w.checkMemory(uint64(limit), now)
		}
		clear(w.list)
	}
}

// checkMemory stops the execution that has been running JS the longest when the heap is over limit.
// A forced collection first confirms that live data, not garbage, is over the limit.
func (w *watchdog) checkMemory(limit uint64, now time.Time) {
	metrics.Read(w.samples[:1])
	if heapBytes(w.samples[0]) <= limit {
		return
	}
	var (
		victim *execution
		streak time.Duration
		mono   = monotonic()
	)
	for _, ex := range w.list {
		in := ex.vm.inJS.Load()
		if in == 0 {
			continue
		}
		if s := mono - time.Duration(in); s >= memoryMinStreak && s > streak {
			victim, streak = ex, s
		}
	}
	if victim == nil || now.Sub(w.lastGC) < memoryGCInterval {
		return
	}
	w.lastGC = now
	runtime.GC()
	metrics.Read(w.samples[1:])
	live := heapBytes(w.samples[1])
	if live <= limit {
		return
	}
	w.victim = victim
	victim.stopMu.Lock()
	victim.heapAtStop = live
	victim.stopMu.Unlock()
	victim.stop(stopMemory)
	w.e.cfg.Logger.Warn("sandbox: execution stopped by the memory watchdog",
		"tenant", w.e.cfg.Tenant, "heap_bytes", live, "limit_bytes", limit)
}

// heapBytes reads a uint64 metric sample, 0 when unsupported.
func heapBytes(s metrics.Sample) uint64 {
	if s.Value.Kind() == metrics.KindUint64 {
		return s.Value.Uint64()
	}
	return 0
}
