package sandbox

import (
	"container/heap"
	"math"
	"time"

	"github.com/dop251/goja"
)

// maxTimerDelay is Node's TIMEOUT_MAX: larger (or invalid) delays become 1 ms.
const maxTimerDelay = 2147483647

// timer is a pending setTimeout/setInterval/setImmediate callback.
type timer struct {
	id        int64
	due       time.Time
	interval  time.Duration // > 0 for setInterval
	fn        goja.Callable
	args      []goja.Value
	rule      int // rule index the callback's output is attributed to
	seq       uint64
	index     int // position in the heap; -1 when not queued
	immediate bool
	unref     bool
	cleared   bool
	obj       *goja.Object
}

// timerHeap orders timers by due time, then by creation.
type timerHeap []*timer

// Len, Less, Swap, Push and Pop implement heap.Interface.
func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}

// loop is the event loop state of one runtime. It is only touched on the goroutine running the
// execution; other goroutines reach it through vm.post.
type loop struct {
	timers     timerHeap
	immediates []*timer
	byID       map[int64]*timer
	seq        uint64
	nextID     int64
	wait       *time.Timer
}

// alive reports whether a referenced timer or immediate is pending.
func (l *loop) alive() bool {
	for _, t := range l.immediates {
		if !t.cleared {
			return true
		}
	}
	for _, t := range l.timers {
		if !t.unref {
			return true
		}
	}
	return false
}

// reset drops every pending timer; called when an execution ends.
func (l *loop) reset() {
	for _, t := range l.timers {
		t.cleared = true
		t.index = -1
	}
	for _, t := range l.immediates {
		t.cleared = true
	}
	clear(l.timers)
	l.timers = l.timers[:0]
	clear(l.immediates)
	l.immediates = l.immediates[:0]
	clear(l.byID)
}

// installTimers defines setTimeout, clearTimeout, setInterval, clearInterval, setImmediate and
// clearImmediate. Timers never outlive the execution that created them.
func (v *vm) installTimers(set func(string, goja.Value) error) error {
	rt := v.rt
	v.loop.byID = make(map[int64]*timer)
	proto := rt.NewObject()
	self := func(call goja.FunctionCall) *timer {
		if o, ok := call.This.(*goja.Object); ok {
			return v.timerObjs[o]
		}
		return nil
	}
	methods := []struct {
		name string
		fn   func(goja.FunctionCall) goja.Value
	}{
		{"ref", func(call goja.FunctionCall) goja.Value {
			if t := self(call); t != nil {
				t.unref = false
			}
			return call.This
		}},
		{"unref", func(call goja.FunctionCall) goja.Value {
			if t := self(call); t != nil {
				t.unref = true
			}
			return call.This
		}},
		{"hasRef", func(call goja.FunctionCall) goja.Value {
			t := self(call)
			return rt.ToValue(t != nil && !t.unref)
		}},
		{"refresh", func(call goja.FunctionCall) goja.Value {
			if t := self(call); t != nil && !t.cleared && t.index >= 0 && !t.immediate {
				d := t.interval
				if d == 0 {
					d = time.Millisecond
				}
				t.due = time.Now().Add(d)
				heap.Fix(&v.loop.timers, t.index)
			}
			return call.This
		}},
		{"close", func(call goja.FunctionCall) goja.Value {
			if t := self(call); t != nil {
				v.clearTimer(t)
			}
			return call.This
		}},
	}
	for _, m := range methods {
		if err := proto.Set(m.name, v.nativeFunc(m.name, 0, m.fn)); err != nil {
			return err
		}
	}
	toPrimitive := v.nativeFunc("[Symbol.toPrimitive]", 0, func(call goja.FunctionCall) goja.Value {
		if t := self(call); t != nil {
			return rt.ToValue(t.id)
		}
		return rt.ToValue(math.NaN())
	})
	if err := proto.SetSymbol(goja.SymToPrimitive, toPrimitive); err != nil {
		return err
	}
	v.timerProt = proto

	defs := []struct {
		name   string
		length int
		fn     func(goja.FunctionCall) goja.Value
	}{
		{"setTimeout", 2, func(call goja.FunctionCall) goja.Value { return v.schedule(call, false, false) }},
		{"setInterval", 2, func(call goja.FunctionCall) goja.Value { return v.schedule(call, true, false) }},
		{"setImmediate", 1, func(call goja.FunctionCall) goja.Value { return v.schedule(call, false, true) }},
		{"clearTimeout", 1, v.jsClearTimer},
		{"clearInterval", 1, v.jsClearTimer},
		{"clearImmediate", 1, v.jsClearTimer},
	}
	for _, d := range defs {
		if err := set(d.name, v.nativeFunc(d.name, d.length, d.fn)); err != nil {
			return err
		}
	}
	return nil
}

// schedule implements setTimeout/setInterval/setImmediate.
func (v *vm) schedule(call goja.FunctionCall, repeat, immediate bool) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(v.newTypeError("ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received `+describeValue(call.Argument(0))))
	}
	ex := v.cur
	if ex == nil {
		panic(v.newError("ERR_INVALID_STATE", "timers are only available while rules run"))
	}
	l := &v.loop
	l.seq++
	l.nextID++
	t := &timer{id: l.nextID, fn: fn, rule: ex.attributed, seq: l.seq, index: -1, immediate: immediate}
	argStart := 2
	if immediate {
		argStart = 1
	}
	if len(call.Arguments) > argStart {
		t.args = append([]goja.Value(nil), call.Arguments[argStart:]...)
	}
	obj := v.rt.NewObject()
	_ = obj.SetPrototype(v.timerProt)
	t.obj = obj
	v.timerObjs[obj] = t
	l.byID[t.id] = t
	if immediate {
		l.immediates = append(l.immediates, t)
		return obj
	}
	delay := call.Argument(1).ToFloat()
	if !(delay >= 1 && delay <= maxTimerDelay) {
		delay = 1
	}
	d := time.Duration(delay * float64(time.Millisecond))
	if repeat {
		t.interval = d
	}
	t.due = time.Now().Add(d)
	heap.Push(&l.timers, t)
	return obj
}

// jsClearTimer implements clearTimeout/clearInterval/clearImmediate for timer objects and their ids.
func (v *vm) jsClearTimer(call goja.FunctionCall) goja.Value {
	arg := call.Argument(0)
	var t *timer
	switch a := arg.(type) {
	case *goja.Object:
		t = v.timerObjs[a]
	default:
		if goja.IsNumber(arg) || goja.IsString(arg) {
			t = v.loop.byID[arg.ToInteger()]
		}
	}
	if t != nil {
		v.clearTimer(t)
	}
	return goja.Undefined()
}

func (v *vm) clearTimer(t *timer) {
	if t.cleared {
		return
	}
	t.cleared = true
	delete(v.loop.byID, t.id)
	if t.index >= 0 {
		heap.Remove(&v.loop.timers, t.index)
	}
	// cleared immediates are skipped when their turn comes
}
