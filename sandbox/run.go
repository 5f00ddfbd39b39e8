package sandbox

import (
	"container/heap"
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// panicError is a Go panic that escaped a native function which the sandbox does not own (a module's
// or a global installer's) and was recovered at the JS entry point.
type panicError struct{ value any }

// Error describes the panic.
func (p *panicError) Error() string { return fmt.Sprintf("native function panicked: %v", p.value) }

// jsThrow is a JS value thrown by panicking from Go code that ran outside goja's own call machinery
// (a posted job), recovered at the entry point.
type jsThrow struct{ value goja.Value }

// Error is a placeholder; the value is what matters.
func (j *jsThrow) Error() string { return "uncaught exception" }

// runLoop drives the pipeline: it starts rules, runs immediates, timers and posted jobs on the calling
// goroutine until the pipeline is done, stopped, or stalled.
func (v *vm) runLoop(ex *execution) {
	l := &v.loop
	for !ex.done {
		if r := ex.stopped(); r != stopNone {
			v.broken = true
			ex.failStop(r)
			return
		}
		if ex.next >= 0 {
			i := ex.next
			ex.next = -1
			v.callRule(ex, i)
			continue
		}
		if len(l.immediates) > 0 {
			v.runImmediates(ex)
			continue
		}
		if len(l.timers) > 0 {
			if t := l.timers[0]; !t.due.After(time.Now()) {
				v.runTimer(ex, t)
				continue
			}
		}
		if v.runPosted(ex) {
			continue
		}
		if ex.pending == 0 && !l.alive() {
			rule := ex.ruleName(ex.idx)
			ex.fail(OutcomeTimeout, &Failure{Rule: rule, Name: "TimeoutError", Code: "ETIMEDOUT",
				Message: fmt.Sprintf("%s: rule %q returned without calling callback and nothing is pending that could call it", TimeoutMessage, rule)})
			return
		}
		v.waitEvent()
	}
}

// waitEvent blocks until a job is posted, the execution is stopped, or the next timer is due.
func (v *vm) waitEvent() {
	l := &v.loop
	if len(l.timers) == 0 {
		<-v.wake
		return
	}
	d := time.Until(l.timers[0].due)
	if d <= 0 {
		return
	}
	if l.wait == nil {
		l.wait = time.NewTimer(d)
	} else {
		l.wait.Reset(d)
	}
	select {
	case <-v.wake:
		l.wait.Stop()
	case <-l.wait.C:
	}
}

// callRule starts rule i with the current user and context.
func (v *vm) callRule(ex *execution, i int) {
	ex.idx = i
	ex.ruleStart = time.Now()
	ex.res.Rules[i].Ran = true
	v.enter(ex, i, func() error {
		// the arguments live in the vm (a variadic slice would be allocated per call); goja copies
		// them onto its stack
		args := &v.callArgs
		args[0], args[1], args[2] = ex.user, ex.context, v.callback(ex, i)
		_, err := v.fns[i](goja.Undefined(), args[:]...)
		*args = [3]goja.Value{}
		return err
	})
}

// callback returns the callback handed to rule i. The function object is built once per runtime and
// rule (building a native function per invocation is a large part of a small rule's cost); calls are
// checked against the current execution: a call while rule i is not the rule the pipeline waits for,
// or a second call, is ignored with a warning. (A callback kept from an earlier execution in `global`
// and called while rule i runs again counts as rule i's call.)
func (v *vm) callback(ex *execution, i int) goja.Value {
	if v.callbacks == nil {
		v.callbacks = make([]goja.Value, len(v.fns))
	}
	if cb := v.callbacks[i]; cb != nil {
		return cb
	}
	name := ex.rules[i].Name
	cb := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		ex := v.cur
		if ex == nil || ex.over.Load() {
			return goja.Undefined()
		}
		if ex.called[i] || ex.idx != i || !ex.res.Rules[i].Ran {
			if ex.called[i] {
				ex.warn(fmt.Sprintf("rule %q called callback more than once; later calls are ignored", name))
			} else {
				ex.warn(fmt.Sprintf("rule %q called callback while it was not running; the call is ignored", name))
			}
			return goja.Undefined()
		}
		ex.called[i] = true
		ex.closeRule(i)
		if ex.done {
			return goja.Undefined()
		}
		if err := call.Argument(0); !goja.IsUndefined(err) && !goja.IsNull(err) {
			outcome, f := v.callbackFailure(i, err)
			ex.fail(outcome, f)
			return goja.Undefined()
		}
		if u := call.Argument(1); !goja.IsUndefined(u) {
			ex.user = u
		} else {
			ex.warn(fmt.Sprintf("rule %q called back without a user; the previous user is passed on", name))
		}
		if c := call.Argument(2); !goja.IsUndefined(c) {
			ex.context = c
		} else {
			ex.warn(fmt.Sprintf("rule %q called back without a context; the previous context is passed on", name))
		}
		if i+1 < len(v.fns) {
			ex.next = i + 1
		} else {
			ex.succeed()
		}
		return goja.Undefined()
	})
	v.callbacks[i] = cb
	return cb
}

// runImmediates runs the immediates queued before this turn, in order.
func (v *vm) runImmediates(ex *execution) {
	l := &v.loop
	batch := l.immediates
	l.immediates = nil
	for _, t := range batch {
		if ex.done || ex.stopped() != stopNone {
			return
		}
		if t.cleared {
			continue
		}
		t.cleared = true
		delete(l.byID, t.id)
		v.enter(ex, t.rule, func() error {
			_, err := t.fn(t.obj, t.args...)
			return err
		})
	}
}

// runTimer runs a due timer and re-arms intervals.
func (v *vm) runTimer(ex *execution, t *timer) {
	l := &v.loop
	heap.Remove(&l.timers, t.index)
	if t.interval > 0 {
		t.due = time.Now().Add(t.interval)
		heap.Push(&l.timers, t)
	} else {
		t.cleared = true
		delete(l.byID, t.id)
	}
	v.enter(ex, t.rule, func() error {
		_, err := t.fn(t.obj, t.args...)
		return err
	})
}

// runPosted runs the jobs other goroutines posted for this execution; jobs of ended executions are
// dropped. It reports whether any job ran.
func (v *vm) runPosted(ex *execution) bool {
	v.postMu.Lock()
	jobs := v.posted
	v.posted = nil
	v.postMu.Unlock()
	ran := false
	for _, j := range jobs {
		if j.ex != ex {
			continue
		}
		ex.pending--
		ran = true
		if ex.done || ex.stopped() != stopNone {
			continue
		}
		fn := j.fn
		v.enter(ex, j.rule, func() error {
			fn(v.rt)
			// run the promise jobs the completion queued (goja runs them when a JS call returns)
			_, err := v.flush(goja.Undefined())
			return err
		})
	}
	return ran
}

// enter runs one JS entry (a rule call, a timer, a job) attributed to rule, and turns whatever
// escaped it into the pipeline's outcome.
func (v *vm) enter(ex *execution, rule int, f func() error) {
	ex.attributed = rule
	ex.attribNow.Store(int32(rule + 1))
	v.inJS.Store(int64(monotonic()))
	err := protect(f)
	v.inJS.Store(0)
	if ex.stopFlag.Load() {
		// stopped from outside: whatever escaped is a consequence; the loop reports the stop reason
		v.broken = true
		return
	}
	if err != nil {
		v.entryError(ex, rule, err)
	}
	v.checkRejections(ex)
}

// protect runs f, recovering panics: goja's own control flow becomes its error types, anything else
// a panicError.
func protect(f func() error) (err error) {
	defer func() {
		if x := recover(); x != nil {
			switch p := x.(type) {
			case *goja.Exception:
				err = p
			case *goja.InterruptedError:
				err = p
			case *goja.StackOverflowError:
				err = p
			case goja.Value:
				err = &jsThrow{value: p}
			default:
				err = &panicError{value: x}
			}
		}
	}()
	return f()
}

// entryError classifies an error that escaped a JS entry.
func (v *vm) entryError(ex *execution, rule int, err error) {
	var (
		interrupted *goja.InterruptedError
		overflow    *goja.StackOverflowError
		exception   *goja.Exception
		thrown      *jsThrow
		crashed     *panicError
	)
	switch {
	case errors.As(err, &interrupted):
		v.broken = true // the loop reports the stop reason
		return
	case errors.As(err, &overflow):
		v.broken = true
		ex.fail(OutcomeError, &Failure{Rule: ex.ruleName(rule), Name: "RangeError", Code: "ERR_STACK_OVERFLOW",
			Message: "Maximum call stack size exceeded",
			Stack:   cleanStack("RangeError: Maximum call stack size exceeded\n"+overflow.String(), ex.rules)})
		return
	case errors.As(err, &exception):
		v.uncaught(ex, rule, exception.Value())
	case errors.As(err, &thrown):
		v.uncaught(ex, rule, thrown.value)
	case errors.As(err, &crashed):
		v.broken = true
		v.ex.cfg.Logger.Error("sandbox: native function panicked", "tenant", v.ex.cfg.Tenant, "rule", ex.ruleName(rule), "panic", fmt.Sprint(crashed.value))
		ex.fail(OutcomeError, &Failure{Rule: ex.ruleName(rule), Name: "InternalError", Code: "ERR_NATIVE_PANIC",
			Message: fmt.Sprintf("a native function panicked: %v; the runtime was discarded", crashed.value)})
	default:
		ex.fail(OutcomeError, &Failure{Rule: ex.ruleName(rule), Name: "Error", Message: err.Error()})
	}
}

// uncaught handles an exception that no JS code caught.
func (v *vm) uncaught(ex *execution, rule int, val goja.Value) {
	f := v.failureOf(ex, rule, val)
	if ex.done {
		ex.warn(fmt.Sprintf("rule %q threw after the pipeline finished: %s", f.Rule, f.Message))
		return
	}
	ex.fail(OutcomeError, f)
}

// trackRejection is the runtime's promise rejection tracker.
func (v *vm) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		rule := -1
		if v.cur != nil {
			rule = v.cur.attributed
		}
		v.rejected[p] = rule
		v.rejOrder = append(v.rejOrder, p)
	case goja.PromiseRejectionHandle:
		delete(v.rejected, p)
	}
}

// checkRejections fails the pipeline on a promise rejection left unhandled by the entry that just
// ran (Node's unhandled-rejection check after the microtask queue drains).
func (v *vm) checkRejections(ex *execution) {
	if len(v.rejOrder) == 0 {
		return
	}
	order := v.rejOrder
	v.rejOrder = nil
	for _, p := range order {
		rule, ok := v.rejected[p]
		if !ok {
			continue
		}
		delete(v.rejected, p)
		f := v.failureOf(ex, rule, p.Result())
		if f.Code == "" {
			f.Code = "ERR_UNHANDLED_REJECTION"
		}
		if ex.done {
			ex.warn(fmt.Sprintf("unhandled promise rejection in rule %q after the pipeline finished: %s", f.Rule, f.Message))
			continue
		}
		ex.fail(OutcomeError, f)
	}
}
