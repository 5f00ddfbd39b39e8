package sandbox

import (
	"context"
	"fmt"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/http/egress"
)

// stopReason says why an execution was stopped from outside the JS it runs.
type stopReason int32

const (
	stopNone      stopReason = iota
	stopDeadline             // the pipeline deadline passed
	stopCancelled            // the caller's context was cancelled
	stopMemory               // the memory watchdog chose this execution
)

// execution is one run of the pipeline on one vm. Fields marked "loop" are only touched on the
// goroutine running the execution; the stop state is shared with the watchdog and other goroutines.
type execution struct {
	vm       *vm
	ctx      context.Context
	start    time.Time
	deadline time.Time
	rules    []Rule

	// shared state
	stopMu     sync.Mutex
	reason     stopReason
	stopFlag   atomic.Bool // a stop was requested; read by guards without the lock
	ended      bool
	over       atomic.Bool // ended, readable without the lock
	hostCtx    context.Context
	hostCancel context.CancelFunc
	ruleCtx    []context.Context // hostCtx with a Recorder per attributed rule (index rule+1), built on first use
	attribNow  atomic.Int32      // attributed+1, for Host.Context on other goroutines
	heapAtStop uint64

	// watchdog state, guarded by tickMu
	tickMu     sync.Mutex
	samples    []metrics.Sample
	firstCycle uint64 // GC cycles completed at the first heap reading
	lastGC     time.Time

	// loop state
	idx        int // rule whose callback the pipeline waits for
	next       int // rule to start at the next turn, -1 for none
	attributed int // rule the running JS is attributed to (-1: none)
	ruleStart  time.Time
	user       goja.Value
	context    goja.Value
	done       bool
	res        *Result
	pending    int    // outstanding Host.Reserve operations
	called     []bool // called[i]: rule i called back
	calledBuf  [8]bool
	logBytes   int
	records    [2]*record // the top-level user and context
	warned     map[string]bool
}

// stop interrupts the execution for reason, unless it has ended or was already stopped. It may be
// called from any goroutine.
func (ex *execution) stop(reason stopReason) {
	ex.stopMu.Lock()
	defer ex.stopMu.Unlock()
	if ex.ended || ex.reason != stopNone {
		return
	}
	ex.reason = reason
	// interrupt first: a guard that sees stopFlag throws, and the VM must already refuse to run the
	// catch block that would swallow it
	ex.vm.rt.Interrupt(reason)
	ex.stopFlag.Store(true)
	if ex.hostCancel != nil {
		ex.hostCancel()
	}
	select {
	case ex.vm.wake <- struct{}{}:
	default:
	}
}

// stopped returns the stop reason, stopNone while running.
func (ex *execution) stopped() stopReason {
	if !ex.stopFlag.Load() {
		return stopNone
	}
	ex.stopMu.Lock()
	defer ex.stopMu.Unlock()
	return ex.reason
}

// end marks the execution over: later stops are ignored, the host context is cancelled. It returns
// the stop reason, if any, so the caller knows whether the runtime may carry a pending interrupt.
func (ex *execution) end() stopReason {
	ex.stopMu.Lock()
	defer ex.stopMu.Unlock()
	ex.ended = true
	ex.over.Store(true)
	if t := ex.vm.watchdog; t != nil {
		t.Stop()
	}
	if ex.hostCancel != nil {
		ex.hostCancel()
	}
	return ex.reason
}

// hostContext is the context handed to implementations: done at the deadline, on cancellation, and
// when the execution ends or is stopped. It carries an egress.Recorder that lists the HTTP calls made
// with it in the result, attributed to the rule the running JS is attributed to. It is built on first
// use (one per attributed rule), so executions that make no outbound call pay nothing for it.
func (ex *execution) hostContext() context.Context {
	slot := int(ex.attribNow.Load())
	ex.stopMu.Lock()
	defer ex.stopMu.Unlock()
	if ex.hostCtx == nil {
		ex.hostCtx, ex.hostCancel = context.WithDeadline(ex.ctx, ex.deadline)
		if ex.ended || ex.reason != stopNone {
			ex.hostCancel()
		}
	}
	if slot < 0 || slot > len(ex.rules) {
		slot = 0
	}
	if ex.ruleCtx == nil {
		ex.ruleCtx = make([]context.Context, len(ex.rules)+1)
	}
	if ex.ruleCtx[slot] == nil {
		ex.ruleCtx[slot] = egress.WithRecorder(ex.hostCtx, httpRecorder{ex: ex, rule: slot - 1})
	}
	return ex.ruleCtx[slot]
}

// httpRecorder lists an execution's outbound calls for one rule.
type httpRecorder struct {
	ex   *execution
	rule int
}

// RecordHTTP adds the call to the result unless the execution has ended (a call still in flight
// when the pipeline ends is cancelled with it and not listed). It may be called from any goroutine.
func (r httpRecorder) RecordHTTP(c egress.Call) {
	ex := r.ex
	ex.stopMu.Lock()
	defer ex.stopMu.Unlock()
	if ex.ended {
		return
	}
	ex.res.HTTP = append(ex.res.HTTP, HTTPCall{Rule: ex.ruleName(r.rule), Method: c.Method, Host: c.Host,
		Status: c.Status, DurationUS: c.DurationUS, Error: c.Error})
}

// ruleName names rule i, "" when i is not a rule.
func (ex *execution) ruleName(i int) string {
	if i < 0 || i >= len(ex.rules) {
		return ""
	}
	return ex.rules[i].Name
}

// warn records a warning once per distinct text.
func (ex *execution) warn(msg string) {
	if ex.warned == nil {
		ex.warned = make(map[string]bool)
	}
	if ex.warned[msg] {
		return
	}
	ex.warned[msg] = true
	ex.res.Warnings = append(ex.res.Warnings, msg)
}

// closeRule records rule i's duration if it is still open.
func (ex *execution) closeRule(i int) {
	if i < 0 || i >= len(ex.res.Rules) {
		return
	}
	if r := &ex.res.Rules[i]; r.Ran && r.DurationUS < 0 {
		r.DurationUS = time.Since(ex.ruleStart).Microseconds()
	}
}

// fail ends the pipeline with a failure, unless it already ended.
func (ex *execution) fail(outcome Outcome, f *Failure) {
	if ex.done {
		return
	}
	ex.done = true
	ex.closeRule(ex.idx)
	ex.res.Outcome = outcome
	ex.res.Failure = f
	switch {
	case outcome == OutcomeUnauthorized && f.Description != "":
		ex.res.Error = f.Description
	default:
		ex.res.Error = f.Message
	}
}

// succeed ends the pipeline successfully.
func (ex *execution) succeed() {
	if ex.done {
		return
	}
	ex.done = true
	ex.res.Outcome = OutcomeOK
}

// failStop turns a stop reason into the pipeline's outcome.
func (ex *execution) failStop(reason stopReason) {
	rule := ex.ruleName(ex.idx)
	switch reason {
	case stopDeadline:
		within := ex.deadline.Sub(ex.start).Round(time.Millisecond)
		ex.fail(OutcomeTimeout, &Failure{Rule: rule, Name: "TimeoutError", Code: "ETIMEDOUT",
			Message: fmt.Sprintf("%s: rule %q did not call back within %s", TimeoutMessage, rule, within)})
	case stopCancelled:
		ex.fail(OutcomeTimeout, &Failure{Rule: rule, Name: "AbortError", Code: "ABORT_ERR",
			Message: fmt.Sprintf("execution cancelled (%v) while rule %q was running", context.Cause(ex.ctx), rule)})
	case stopMemory:
		if r := ex.ruleName(ex.attributed); r != "" {
			rule = r
		}
		limit := ex.vm.ex.cfg.Limits.MaxMemoryBytes
		ex.vm.ex.cfg.Logger.Warn("sandbox: execution stopped by the memory watchdog",
			"tenant", ex.vm.ex.cfg.Tenant, "rule", rule, "heap_bytes", ex.heapAtStop, "limit_bytes", limit)
		ex.fail(OutcomeError, &Failure{Rule: rule, Name: "RangeError", Code: "ERR_MEMORY_LIMIT",
			Message: fmt.Sprintf("memory limit exceeded: the heap reached %d MiB (limit %d MiB) while rule %q was allocating; execution stopped",
				ex.heapAtStop>>20, limit>>20, rule)})
	}
}
