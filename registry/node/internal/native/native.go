// Package native holds the helpers verq's core modules share when they expose Go functions to
// JavaScript: a panic guard, Node.js-style argument errors and byte conversions.
//
// Every function here must be called on the goroutine that owns the runtime.
package native

import (
	"fmt"
	"runtime"

	"github.com/dop251/goja"
)

// Func is the shape of a native JavaScript function.
type Func = func(goja.FunctionCall) goja.Value

// Guard wraps fn so that a Go runtime panic inside it (a bug, never expected) reaches JavaScript as
// an Error naming the function instead of unwinding into the host. JavaScript exceptions, goja's
// interrupts and stack overflows pass through untouched.
func Guard(rt *goja.Runtime, name string, fn Func) Func {
	return func(call goja.FunctionCall) goja.Value {
		defer recoverInto(rt, name)
		return fn(call)
	}
}

// Recover is Guard for functions of other shapes (constructors): defer it at their top.
func Recover(rt *goja.Runtime, name string) {
	recoverValue(rt, name, recover())
}

// recoverInto converts a Go panic in progress into a thrown JavaScript Error.
func recoverInto(rt *goja.Runtime, name string) {
	recoverValue(rt, name, recover())
}

func recoverValue(rt *goja.Runtime, name string, x interface{}) {
	if x == nil {
		return
	}
	switch e := x.(type) {
	case goja.Value, *goja.Exception, *goja.InterruptedError, *goja.StackOverflowError:
		panic(x)
	case runtime.Error:
		panic(NewError(rt, "Error", "ERR_INTERNAL_ASSERTION", fmt.Sprintf("internal error in %s: %v", name, e)))
	case error:
		panic(NewError(rt, "Error", "ERR_INTERNAL_ASSERTION", fmt.Sprintf("internal error in %s: %v", name, e)))
	default:
		// Unknown panic values may belong to goja itself (its internal error types): let goja
		// decide what they mean.
		panic(x)
	}
}

// Set defines a guarded native method on obj.
func Set(rt *goja.Runtime, obj *goja.Object, prefix, name string, fn Func) {
	if err := obj.Set(name, Guard(rt, prefix+name, fn)); err != nil {
		panic(err)
	}
}

// Hidden defines a guarded, non-enumerable native method on obj (the way class methods look).
func Hidden(rt *goja.Runtime, obj *goja.Object, prefix, name string, fn Func) {
	f := rt.ToValue(Guard(rt, prefix+name, fn))
	if err := obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
}

// Throw panics with err so that goja throws it; a *goja.Exception keeps its original value.
func Throw(err error) {
	if err != nil {
		panic(err)
	}
}

// Call calls fn with this and args and rethrows any exception into the running JavaScript.
func Call(fn goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := fn(this, args...)
	Throw(err)
	return v
}
