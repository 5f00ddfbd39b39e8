// Package util is verq's "util" core module: Node's util.format, util.inspect (Node.js 20's output
// rules: depth, breakLength 80 line fitting, compact=3 grouping, array column grouping, circular
// references, Map/Set/Promise/Proxy/Buffer/Error rendering, inspect.custom), inherits, promisify
// (with promisify.custom), callbackify, deprecate, isDeepStrictEqual, util.types and the legacy
// is* predicates.
//
// The module is written in JavaScript compiled once per process and instantiated per runtime;
// the few things JavaScript cannot see (promise state, proxy targets, which objects are native
// Maps, Dates or Errors) come from Go helpers. Go code that needs Node's formatting, such as a
// console, uses [NewFormatter] or [InspectFunc].
//
// Differences from Node: error stacks are goja's; deprecate and MaxListeners warnings go to
// console.warn (when the runtime has a console) instead of process warnings; Map and Set
// iterators print without their entries; TextEncoder and TextDecoder are not provided.
package util

import (
	_ "embed"
	"fmt"
	"math/big"
	"reflect"
	"sync"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/internal/native"
)

// Name is the module name.
const Name = "util"

var (
	//go:embed inspect.js
	inspectSource string
	//go:embed util.js
	utilSource string
)

var (
	inspectProgram = sync.OnceValues(func() (*goja.Program, error) {
		return goja.Compile("node:util/inspect", inspectSource, true)
	})
	utilProgram = sync.OnceValues(func() (*goja.Program, error) {
		return goja.Compile("node:util", utilSource, true)
	})
)

// Module is the "util" core module provider. The zero value is ready to use.
type Module struct{}

var _ registry.Provider = Module{}

// Info describes the module.
func (Module) Info() registry.Info {
	return registry.Info{Name: Name, Kind: registry.KindCore, Description: "Node.js util: format, inspect, inherits, promisify, types"}
}

// Load returns the module exports. They are built on first use (building them runs the module's
// JavaScript, which costs far more than a require that is never used): the returned object
// forwards every property access to the real exports.
func (Module) Load(req *registry.LoadRequest) (goja.Value, error) {
	if _, err := inspectProgram(); err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	if _, err := utilProgram(); err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	return req.Runtime.NewDynamicObject(&lazyExports{rt: req.Runtime, host: req.Host}), nil
}

// build instantiates the module's exports in rt.
func build(rt *goja.Runtime, host registry.Host) (*goja.Object, error) {
	h := helpers(rt, host)
	core, err := instantiate(rt, inspectProgram, h)
	if err != nil {
		return nil, err
	}
	v, err := instantiate(rt, utilProgram, h, core)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("util: the module source did not return an object")
	}
	return o, nil
}

// lazyExports is the util module object: a goja DynamicObject that builds the real exports the
// first time any property is touched and forwards to them.
type lazyExports struct {
	rt   *goja.Runtime
	host registry.Host
	obj  *goja.Object
}

func (l *lazyExports) real() *goja.Object {
	if l.obj == nil {
		o, err := build(l.rt, l.host)
		native.Throw(err)
		l.obj = o
	}
	return l.obj
}

func (l *lazyExports) Get(key string) goja.Value { return l.real().Get(key) }

func (l *lazyExports) Set(key string, val goja.Value) bool { return l.real().Set(key, val) == nil }

func (l *lazyExports) Has(key string) bool {
	v := l.real().Get(key)
	return v != nil
}

func (l *lazyExports) Delete(key string) bool { return l.real().Delete(key) == nil }

func (l *lazyExports) Keys() []string { return l.real().Keys() }

// instantiate runs a compiled factory program and calls the factory with args.
func instantiate(rt *goja.Runtime, prg func() (*goja.Program, error), args ...goja.Value) (goja.Value, error) {
	p, err := prg()
	if err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	f, err := rt.RunProgram(p)
	if err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	factory, ok := goja.AssertFunction(f)
	if !ok {
		return nil, fmt.Errorf("util: the module source did not evaluate to a function")
	}
	return factory(goja.Undefined(), args...)
}

// core instantiates the inspect/format core in rt.
func core(rt *goja.Runtime) (*goja.Object, error) {
	v, err := instantiate(rt, inspectProgram, helpers(rt, nil))
	if err != nil {
		return nil, err
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("util: the inspect core is not an object")
	}
	return o, nil
}

// InspectFunc returns a new instance of util.inspect for rt (call it as inspect(value[, options])).
// It must be called on the runtime's goroutine; callers keep the result rather than calling
// InspectFunc again.
func InspectFunc(rt *goja.Runtime) (goja.Callable, error) {
	c, err := core(rt)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(c.Get("inspect"))
	if !ok {
		return nil, fmt.Errorf("util: inspect is not a function")
	}
	return fn, nil
}

// Formatter formats values as util.format does (printf-style first argument, others inspected).
type Formatter func(args ...goja.Value) (string, error)

// NewFormatter returns a util.format for rt, for example to implement console.log. Use the
// Formatter on the runtime's goroutine only.
func NewFormatter(rt *goja.Runtime) (Formatter, error) {
	c, err := core(rt)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(c.Get("format"))
	if !ok {
		return nil, fmt.Errorf("util: format is not a function")
	}
	return func(args ...goja.Value) (string, error) {
		v, err := fn(goja.Undefined(), args...)
		if err != nil {
			return "", err
		}
		return v.String(), nil
	}, nil
}

var (
	typePromise     = reflect.TypeOf((*goja.Promise)(nil))
	typeProxy       = reflect.TypeOf(goja.Proxy{})
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typeMapEntries  = reflect.TypeOf([][2]interface{}(nil))
	typeSetValues   = reflect.TypeOf([]interface{}(nil))
	typeBigInt      = reflect.TypeOf((*big.Int)(nil))
	typeString      = reflect.TypeOf("")
)

// kindOf classifies the objects JavaScript cannot identify reliably: "promise", "proxy", "map",
// "set", "date", "regexp", "error", "boxed", "arguments", "array", "arraybuffer", "typedarray",
// or "" for anything else.
func kindOf(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return ""
	}
	switch o.ClassName() {
	case "Date":
		return "date"
	case "RegExp":
		return "regexp"
	case "Error":
		return "error"
	case "Number", "String", "Boolean":
		return "boxed"
	case "Arguments":
		return "arguments"
	case "Array":
		return "array"
	case "Object":
	default:
		return ""
	}
	switch t := o.ExportType(); {
	case t == typePromise:
		return "promise"
	case t == typeProxy:
		return "proxy"
	case t == typeMapEntries:
		return "map"
	case t == typeSetValues:
		return "set"
	case t == typeArrayBuffer:
		return "arraybuffer"
	case t == typeBigInt, t == typeString:
		return "boxed"
	case t != nil && t.Kind() == reflect.Slice && isNumeric(t.Elem().Kind()):
		return "typedarray"
	}
	return ""
}

func isNumeric(k reflect.Kind) bool {
	switch k {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// helpers are the natives the JavaScript side needs.
func helpers(rt *goja.Runtime, host registry.Host) *goja.Object {
	h := rt.NewObject()
	const p = "util."
	native.Set(rt, h, p, "kind", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(kindOf(call.Argument(0)))
	})
	native.Set(rt, h, p, "proxy", func(call goja.FunctionCall) goja.Value {
		o, ok := call.Argument(0).(*goja.Object)
		if !ok || o.ExportType() != typeProxy {
			return goja.Undefined()
		}
		px := o.Export().(goja.Proxy)
		target, handler := goja.Value(goja.Null()), goja.Value(goja.Null())
		if t := px.Target(); t != nil {
			target = t
		}
		if hd := px.Handler(); hd != nil {
			handler = hd
		}
		return rt.NewArray(target, handler)
	})
	native.Set(rt, h, p, "promise", func(call goja.FunctionCall) goja.Value {
		o, ok := call.Argument(0).(*goja.Object)
		if !ok || o.ExportType() != typePromise {
			return rt.NewArray("pending", goja.Undefined())
		}
		pr := o.Export().(*goja.Promise)
		switch pr.State() {
		case goja.PromiseStateFulfilled:
			return rt.NewArray("fulfilled", pr.Result())
		case goja.PromiseStateRejected:
			return rt.NewArray("rejected", pr.Result())
		}
		return rt.NewArray("pending", goja.Undefined())
	})
	native.Set(rt, h, p, "argTypeError", func(call goja.FunctionCall) goja.Value {
		return native.ArgTypeError(rt, call.Argument(0).String(), call.Argument(1).String(), call.Argument(2))
	})
	native.Set(rt, h, p, "error", func(call goja.FunctionCall) goja.Value {
		return native.NewError(rt, call.Argument(0).String(), call.Argument(1).String(), call.Argument(2).String())
	})
	native.Set(rt, h, p, "warn", func(call goja.FunctionCall) goja.Value {
		if console, ok := rt.Get("console").(*goja.Object); ok {
			if warn, ok := goja.AssertFunction(console.Get("warn")); ok {
				native.Call(warn, console, call.Argument(0))
			}
		}
		return goja.Undefined()
	})
	native.Set(rt, h, p, "nextTick", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(native.ArgTypeError(rt, "callback", "of type function", call.Argument(0)))
		}
		if host == nil {
			// Without an event loop, run it as a promise job.
			then, _ := goja.AssertFunction(rt.Get("Promise").ToObject(rt).Get("resolve"))
			pr := native.Call(then, rt.Get("Promise")).ToObject(rt)
			thenFn, _ := goja.AssertFunction(pr.Get("then"))
			native.Call(thenFn, pr, call.Argument(0))
			return goja.Undefined()
		}
		host.Reserve()(func(*goja.Runtime) { native.Call(fn, goja.Undefined()) })
		return goja.Undefined()
	})
	return h
}
