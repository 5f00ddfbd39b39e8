package sandbox

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
)

// host is the registry.Host of one runtime. It follows the runtime from execution to execution.
type host struct {
	vm *vm
}

var _ registry.LocalHost = (*host)(nil)

// postedJob is a Reserve completion waiting for the loop.
type postedJob struct {
	ex   *execution
	rule int
	fn   func(*goja.Runtime)
}

// cancelledContext is what Context returns outside an execution.
var cancelledContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// Context is the current execution's context: done at the pipeline deadline, on cancellation, when the
// execution is stopped and when it ends. Outside an execution it is already done. It carries the
// execution's egress.Recorder: calls made with it through Config.HTTPClient are listed in
// Result.HTTP, attributed to the rule the running JS is attributed to when Context is called (call it
// on the runtime's goroutine when starting the call, as Reserve).
func (h *host) Context() context.Context {
	ex := h.vm.current.Load()
	if ex == nil {
		return cancelledContext
	}
	return ex.hostContext()
}

// Reserve keeps the current execution alive for one asynchronous operation. It must be called on the
// runtime's goroutine (from a native function or Load). The returned function may be called from any
// goroutine; only its first call counts. Its function runs on the loop goroutine unless the execution
// has ended by then, in which case it is dropped.
func (h *host) Reserve() func(func(*goja.Runtime)) {
	v := h.vm
	ex := v.cur
	if ex == nil || ex.over.Load() {
		return func(func(*goja.Runtime)) {}
	}
	ex.pending++
	rule := ex.attributed
	var once atomic.Bool
	return func(fn func(*goja.Runtime)) {
		if !once.CompareAndSwap(false, true) {
			return
		}
		if fn == nil {
			fn = func(*goja.Runtime) {}
		}
		v.post(postedJob{ex: ex, rule: rule, fn: fn})
	}
}

// post queues a job for the loop goroutine, unless its execution has ended.
func (v *vm) post(j postedJob) {
	if j.ex.over.Load() {
		return
	}
	v.postMu.Lock()
	v.posted = append(v.posted, j)
	v.postMu.Unlock()
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// HTTPClient is Config.HTTPClient (or the default client).
func (h *host) HTTPClient() *http.Client { return h.vm.ex.cfg.HTTPClient }

// Require resolves and loads another module with the rules of require(); it must be called on the
// runtime's goroutine. The attempt is recorded in the result like a rule's own require.
func (h *host) Require(spec string) (goja.Value, error) {
	return h.vm.require(spec)
}

// Local returns the value this runtime keeps under key, calling create to make it on first use
// (registry.LocalHost). The value lives as long as the runtime: it persists across executions on it
// and is dropped when the runtime is discarded (recycled after a timeout or crash, or not pooled).
// It must be called on the runtime's goroutine; create may itself call Local.
func (h *host) Local(key any, create func() any) any {
	v := h.vm
	if val, ok := v.locals[key]; ok {
		return val
	}
	val := create()
	if v.locals == nil {
		v.locals = make(map[any]any)
	}
	v.locals[key] = val
	return val
}
