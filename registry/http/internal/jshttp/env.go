// Package jshttp holds what verq's JavaScript HTTP modules (request, axios, node-fetch) share: the
// asynchronous call path from the loop to the egress core and back, and conversions between Go HTTP
// values and the JavaScript values those modules expose (bodies, Buffers, header objects, Node-style
// errors, query strings).
//
// An Env belongs to one runtime; every method must be called on the goroutine that owns it, except
// where a comment says otherwise.
package jshttp

import (
	"context"
	"fmt"
	"net/http"
	"runtime"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
)

// Env is one module instance's view of its runtime and host.
type Env struct {
	// RT is the runtime the module is loaded into.
	RT *goja.Runtime
	// Host is the execution host the module was loaded with.
	Host registry.Host

	jsonParse     goja.Callable
	jsonStringify goja.Callable
	bufferFrom    goja.Callable
	bufferCtor    goja.Value
	uint8Array    goja.Value
}

// NewEnv returns the Env of a module loaded into rt.
func NewEnv(rt *goja.Runtime, host registry.Host) *Env {
	e := &Env{RT: rt, Host: host}
	json := rt.Get("JSON").ToObject(rt)
	e.jsonParse, _ = goja.AssertFunction(json.Get("parse"))
	e.jsonStringify, _ = goja.AssertFunction(json.Get("stringify"))
	e.uint8Array = rt.Get("Uint8Array")
	return e
}

// Call is one outbound request prepared on the loop.
type Call struct {
	// Req is the request to send; its context is replaced by the execution's.
	Req *http.Request
	// Opts are the per-call options (timeout, redirects, size limit).
	Opts egress.CallOptions
}

// Start sends c through the host's client off the loop goroutine and calls done with the outcome
// on the loop. The call is bound to the execution's context as it is now; the returned function
// cancels it (done then receives context.Canceled). If the execution ends first, done never runs.
func (e *Env) Start(c Call, done func(*egress.Response, error)) (cancel func()) {
	ctx, cancel := context.WithCancel(e.Host.Context())
	client := e.Host.HTTPClient()
	settle := e.Host.Reserve()
	go func() {
		resp, err := egress.Do(ctx, client, c.Req, c.Opts)
		cancel()
		settle(func(*goja.Runtime) { done(resp, err) })
	}()
	return cancel
}

// Invoke calls a JavaScript callback from a settled call. An exception thrown by the callback is
// the rule's uncaught exception: it is re-panicked for the host's loop to report, as Node.js would
// crash the process with it.
func Invoke(fn goja.Callable, this goja.Value, args ...goja.Value) {
	if _, err := fn(this, args...); err != nil {
		panic(err)
	}
}

// Must re-panics a non-nil error from a promise resolving function (only uncatchable errors such
// as interrupts are returned there).
func Must(err error) {
	if err != nil {
		panic(err)
	}
}

// ParseJSON is JSON.parse(s); the error is the SyntaxError when s is not JSON.
func (e *Env) ParseJSON(s string) (v goja.Value, err error) {
	return e.jsonParse(goja.Undefined(), e.RT.ToValue(s))
}

// StringifyJSON is JSON.stringify(v); it throws (panics) like JSON.stringify on cycles and BigInts.
func (e *Env) StringifyJSON(v goja.Value) string {
	out, err := e.jsonStringify(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	if goja.IsUndefined(out) {
		return ""
	}
	return out.String()
}

// Func wraps a native function so that a Go runtime panic inside it (a bug) reaches JavaScript as
// an Error naming the function instead of unwinding into the host. JavaScript exceptions and
// goja's own control panics pass through.
func (e *Env) Func(name string, fn func(goja.FunctionCall) goja.Value) goja.Value {
	return e.RT.ToValue(func(call goja.FunctionCall) goja.Value {
		defer e.recoverInto(name)
		return fn(call)
	})
}

// Method defines a non-enumerable guarded method on obj, the way class methods look.
func (e *Env) Method(obj *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	if err := obj.DefineDataProperty(name, e.Func(name, fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
}

// Set defines an enumerable guarded function property on obj.
func (e *Env) Set(obj *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	if err := obj.Set(name, e.Func(name, fn)); err != nil {
		panic(err)
	}
}

// Constructor returns a guarded constructor named name whose instances inherit its prototype.
func (e *Env) Constructor(name string, fn func(goja.ConstructorCall) *goja.Object) *goja.Object {
	ctor := e.RT.ToValue(func(call goja.ConstructorCall) *goja.Object {
		defer e.recoverInto(name)
		return fn(call)
	}).ToObject(e.RT)
	SetName(e.RT, ctor, name)
	return ctor
}

// SetName sets a function's name property.
func SetName(rt *goja.Runtime, fn *goja.Object, name string) {
	if err := fn.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
}

func (e *Env) recoverInto(name string) {
	x := recover()
	if x == nil {
		return
	}
	switch v := x.(type) {
	case runtime.Error:
		panic(e.RT.NewGoError(fmt.Errorf("internal error in %s: %v", name, v)))
	default:
		panic(x)
	}
}

// Throw panics with a JavaScript TypeError carrying msg.
func (e *Env) Throw(msg string, args ...any) {
	panic(e.RT.NewTypeError(fmt.Sprintf(msg, args...)))
}
