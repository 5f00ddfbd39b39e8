package sandbox

import (
	"runtime"
	"runtime/metrics"
	"time"
)

const (
	// watchdogTick is how often a long-running execution checks its deadline and the heap.
	watchdogTick = 5 * time.Millisecond
	// memoryMinStreak is how long an execution must have been running JS without a break before the
	// memory watchdog may stop it: allocating past the limit takes longer than that, while ordinary
	// rule code returns to the loop far sooner. Executions shorter than this are never checked.
	memoryMinStreak = 20 * time.Millisecond
	// memoryGCInterval rate-limits the garbage collections an execution forces to confirm that the
	// heap is really over the limit (and not merely full of garbage).
	memoryGCInterval = 100 * time.Millisecond
)

// epoch is the origin of the monotonic clock used for in-JS streaks.
var epoch = time.Now()

// monotonic is the time since epoch on the monotonic clock.
func monotonic() time.Duration { return time.Since(epoch) }

// watch arms the execution's watchdog: the runtime's timer (no goroutine) fires at the deadline,
// or, when the memory limit is on, first after memoryMinStreak and then every watchdogTick while the
// execution lasts. A short execution costs one timer reset and stop. The timer belongs to the vm and
// serves its executions in turn (it must be called while v.current is ex).
func (ex *execution) watch() {
	first := ex.deadline
	if ex.vm.ex.cfg.Limits.MaxMemoryBytes > 0 {
		if t := ex.start.Add(memoryMinStreak); t.Before(first) {
			first = t
		}
	}
	v := ex.vm
	ex.stopMu.Lock()
	if v.watchdog == nil {
		v.watchdog = time.AfterFunc(time.Until(first), v.watchdogFired)
	} else {
		v.watchdog.Reset(time.Until(first))
	}
	ex.stopMu.Unlock()
}

// watchdogFired runs on the timer's goroutine and ticks the vm's current execution. A firing that
// was already under way when the previous execution stopped the timer reaches the next execution
// (or none): for it, that is only an early tick.
func (v *vm) watchdogFired() {
	if ex := v.current.Load(); ex != nil {
		ex.tick()
	}
}

// tick stops the execution at its deadline, checks the heap, and re-arms. Ticks of one execution
// run one at a time.
func (ex *execution) tick() {
	ex.tickMu.Lock()
	defer ex.tickMu.Unlock()
	if ex.over.Load() {
		return
	}
	now := time.Now()
	if !now.Before(ex.deadline) {
		ex.stop(stopDeadline)
		return
	}
	if limit := ex.vm.ex.cfg.Limits.MaxMemoryBytes; limit > 0 && ex.overMemory(uint64(limit), now) {
		return
	}
	next := now.Add(watchdogTick)
	if next.After(ex.deadline) {
		next = ex.deadline
	}
	ex.stopMu.Lock()
	if !ex.ended && ex.reason == stopNone {
		ex.vm.watchdog.Reset(time.Until(next))
	}
	ex.stopMu.Unlock()
}

// overMemory stops the execution when it has been running JS for at least memoryMinStreak while the
// heap is over limit and the verdict of memoryVerdict is to stop, forcing a collection first only when
// the verdict asks for one. The heap is the whole process's: see the package documentation.
func (ex *execution) overMemory(limit uint64, now time.Time) bool {
	in := ex.vm.inJS.Load()
	if in == 0 || monotonic()-time.Duration(in) < memoryMinStreak {
		return false
	}
	if ex.samples == nil {
		ex.samples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"},
			{Name: "/gc/cycles/total:gc-cycles"}}
		metrics.Read(ex.samples)
		ex.firstCycle = heapBytes(ex.samples[2])
	} else {
		metrics.Read(ex.samples)
	}
	m := memorySample{heap: heapBytes(ex.samples[0]), live: heapBytes(ex.samples[1]),
		liveFresh: heapBytes(ex.samples[2]) > ex.firstCycle}
	stop, collect := memoryVerdict(m, limit)
	if collect {
		if now.Sub(ex.lastGC) < memoryGCInterval {
			return false
		}
		ex.lastGC = now
		runtime.GC()
		metrics.Read(ex.samples[1:2])
		m.live = heapBytes(ex.samples[1])
		stop = m.live > limit
	}
	if !stop {
		return false
	}
	ex.stopMu.Lock()
	ex.heapAtStop = m.live
	if m.heap > 2*limit {
		ex.heapAtStop = m.heap
	}
	ex.stopMu.Unlock()
	ex.stop(stopMemory)
	return true
}

// memorySample is one reading of the process heap: heap is every allocated object (garbage
// included), live what the last completed collection marked, liveFresh whether that collection
// ended after the execution's first reading (an older one may count memory that is gone).
type memorySample struct {
	heap, live uint64
	liveFresh  bool
}

// memoryVerdict decides from a sample whether to stop the execution at once (stop) or to force a
// collection and stop if live data is still over limit (collect). A heap over twice the limit stops
// at once: a collection takes long with such a heap, and the code allocating it (a string doubling
// itself, one uninterruptible copy per step) can double it again meanwhile. A fresh live figure over
// the limit needs no further confirmation either.
func memoryVerdict(m memorySample, limit uint64) (stop, collect bool) {
	switch {
	case m.heap <= limit:
		return false, false
	case m.heap > 2*limit, m.liveFresh && m.live > limit:
		return true, false
	}
	return false, true
}

// heapBytes reads a uint64 metric sample, 0 when unsupported.
func heapBytes(s metrics.Sample) uint64 {
	if s.Value.Kind() == metrics.KindUint64 {
		return s.Value.Uint64()
	}
	return 0
}
