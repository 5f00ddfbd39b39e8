// Package events is verq's "events" core module: Node's EventEmitter (on/addListener, once,
// off/removeListener, removeAllListeners, emit, listeners, rawListeners, listenerCount,
// eventNames, prependListener, prependOnceListener, setMaxListeners, the 'error' rules, the
// static once() promise, errorMonitor), written as a small JavaScript source compiled once and
// shared by every runtime.
//
// The module's exports are EventEmitter itself, with EventEmitter.EventEmitter pointing back to it,
// so both require('events') and require('events').EventEmitter work with util.inherits and class
// syntax. A listener count beyond getMaxListeners() prints Node's MaxListenersExceededWarning
// through console.warn once per event, when the runtime has a console.
package events

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/internal/native"
	"github.com/verq/verq/registry/node/util"
)

// Name is the module name.
const Name = "events"

//go:embed events.js
var source string

var program = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("node:events", source, true)
})

// Module is the "events" core module provider. The zero value is ready to use.
type Module struct{}

var _ registry.Provider = Module{}

// Info describes the module.
func (Module) Info() registry.Info {
	return registry.Info{Name: Name, Kind: registry.KindCore, Description: "Node.js EventEmitter"}
}

// Load returns the EventEmitter constructor.
func (Module) Load(req *registry.LoadRequest) (goja.Value, error) {
	prg, err := program()
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	rt := req.Runtime
	factoryV, err := rt.RunProgram(prg)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	factory, ok := goja.AssertFunction(factoryV)
	if !ok {
		return nil, fmt.Errorf("events: the module source did not evaluate to a function")
	}
	return factory(goja.Undefined(), helpers(rt))
}

// helpers are the natives the JavaScript side uses for Node-style errors and output.
func helpers(rt *goja.Runtime) *goja.Object {
	h := rt.NewObject()
	const p = "events."
	var inspect goja.Callable
	native.Set(rt, h, p, "inspect", func(call goja.FunctionCall) goja.Value {
		if inspect == nil {
			fn, err := util.InspectFunc(rt)
			native.Throw(err)
			inspect = fn
		}
		return native.Call(inspect, goja.Undefined(), call.Argument(0))
	})
	native.Set(rt, h, p, "error", func(call goja.FunctionCall) goja.Value {
		return native.NewError(rt, call.Argument(0).String(), call.Argument(1).String(), call.Argument(2).String())
	})
	native.Set(rt, h, p, "argTypeError", func(call goja.FunctionCall) goja.Value {
		return native.ArgTypeError(rt, call.Argument(0).String(), call.Argument(1).String(), call.Argument(2))
	})
	native.Set(rt, h, p, "outOfRange", func(call goja.FunctionCall) goja.Value {
		return native.OutOfRange(rt, call.Argument(0).String(), call.Argument(1).String(), call.Argument(2))
	})
	native.Set(rt, h, p, "warn", func(call goja.FunctionCall) goja.Value {
		if console, ok := rt.Get("console").(*goja.Object); ok {
			if warn, ok := goja.AssertFunction(console.Get("warn")); ok {
				native.Call(warn, console, call.Argument(0))
			}
		}
		return goja.Undefined()
	})
	return h
}
