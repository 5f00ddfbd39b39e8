package sandbox

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/dop251/goja_nodejs/url"

	"github.com/verq/verq/registry"
	nodebuffer "github.com/verq/verq/registry/node/buffer"
)

// vm is one goja runtime of an Executor with everything bound to it: the evaluated rule functions,
// the module cache, the host, the event loop. It is used by one execution at a time; its JS state
// (the `global` object, prototypes, loaded modules) persists across those executions until recycled.
type vm struct {
	ex *Executor
	rt *goja.Runtime

	fns           []goja.Callable           // rule functions, in Ruleset order
	callArgs      [3]goja.Value             // (user, context, callback) of the rule being called
	exportPath    []*goja.Object            // the exporter's path buffer, kept between executions (emptied)
	callbacks     []goja.Value              // the callback of each rule, built on first use
	modules       map[string]goja.Value     // require cache by Resolution.Key()
	locals        map[any]any               // registry.LocalHost values; nil until first use
	errorCtor     *goja.Object              // the original Error constructor
	unauthCtr     *goja.Object              // the original UnauthorizedError constructor
	host          *host                     // registry.Host of this runtime
	loop          loop                      // timers, immediates, posted jobs
	cur           *execution                // the execution using the runtime; loop goroutine only
	current       atomic.Pointer[execution] // cur, for other goroutines (Host.Context)
	flush         goja.Callable             // a no-op JS function: calling it runs queued promise jobs
	jsonStringify goja.Callable
	proxied       map[*goja.Object]*goja.Object // guarded proxy → class (for instanceof)
	hasInstance   *goja.Object                  // Symbol.hasInstance of guarded classes             // the guarded JSON.stringify (console %j uses it)
	inJS          atomic.Int64                  // monotonic ns when the current JS entry started; 0 outside JS
	rejected      map[*goja.Promise]int         // unhandled rejections → rule index that was current
	rejOrder      []*goja.Promise               // rejection order
	broken        bool                          // must not be reused (interrupted, crashed, over a limit)
	postMu        sync.Mutex                    // guards posted
	posted        []postedJob                   // jobs posted from other goroutines (Reserve completions)
	wake          chan struct{}                 // signalled when a job is posted or the execution is stopped
	timerObjs     map[*goja.Object]*timer       // Timeout/Immediate objects handed to JS
	watchdog      *time.Timer                   // the watchdog timer of the executions on this vm; nil until the first
	timerProt     *goja.Object                  // prototype of Timeout objects
}

// newVM builds a fresh runtime: hardened options, the sandbox globals, the Config.Globals installers,
// and every rule evaluated once.
func (e *Executor) newVM() (*vm, error) {
	rt := goja.New()
	v := &vm{
		ex:        e,
		rt:        rt,
		modules:   make(map[string]goja.Value),
		rejected:  make(map[*goja.Promise]int),
		wake:      make(chan struct{}, 1),
		timerObjs: make(map[*goja.Object]*timer),
	}
	v.host = &host{vm: v}
	rt.SetFieldNameMapper(hiddenMethods{})
	rt.SetMaxCallStackSize(e.cfg.Limits.MaxCallStackSize)
	rt.SetParserOptions(parser.WithDisableSourceMaps)
	rt.SetPromiseRejectionTracker(v.trackRejection)
	v.errorCtor = rt.Get("Error").(*goja.Object)
	noop, err := rt.RunProgram(noopProgram)
	if err != nil {
		return nil, err
	}
	v.flush, _ = goja.AssertFunction(noop)

	if err := v.installGlobals(); err != nil {
		return nil, err
	}
	for i, install := range e.cfg.Globals {
		if err := v.safeInstall(install); err != nil {
			return nil, fmt.Errorf("sandbox: tenant %q: Config.Globals[%d]: %w", e.cfg.Tenant, i, err)
		}
	}
	v.fns = make([]goja.Callable, len(e.rs.programs))
	for i, prg := range e.rs.programs {
		val, err := rt.RunProgram(prg)
		if err != nil {
			return nil, fmt.Errorf("sandbox: rule %q: evaluating the script: %w", e.rs.rules[i].Name, err)
		}
		fn, ok := goja.AssertFunction(val)
		if !ok {
			return nil, fmt.Errorf("sandbox: rule %q: the script did not evaluate to a function", e.rs.rules[i].Name)
		}
		v.fns[i] = fn
	}
	return v, nil
}

// noopProgram evaluates to a function that does nothing.
var noopProgram = mustCompileInternal("<sandbox:noop>", "(function () {})")

// safeInstall runs a GlobalInstaller, turning a panic into an error.
func (v *vm) safeInstall(install registry.GlobalInstaller) (err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("installer panicked: %v", x)
		}
	}()
	return install(v.rt, v.host)
}

// installGlobals defines the sandbox's own globals. The exact set is pinned by TestGlobals.
func (v *vm) installGlobals() error {
	rt := v.rt
	g := rt.GlobalObject()
	set := func(name string, val goja.Value) error {
		return g.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	if err := set("global", g); err != nil {
		return err
	}
	// goja's GoError constructor is not ECMAScript and nothing in the sandbox needs it
	if err := g.Delete("GoError"); err != nil {
		return err
	}

	cfg := rt.NewObject()
	keys := make([]string, 0, len(v.ex.cfg.Configuration))
	for k := range v.ex.cfg.Configuration {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := cfg.Set(k, v.ex.cfg.Configuration[k]); err != nil {
			return err
		}
	}
	if err := set("configuration", cfg); err != nil {
		return err
	}

	ctor, err := rt.RunProgram(errorClassesProgram)
	if err != nil {
		return fmt.Errorf("sandbox: defining UnauthorizedError: %w", err)
	}
	v.unauthCtr = ctor.(*goja.Object)
	if err := set("UnauthorizedError", ctor); err != nil {
		return err
	}

	if err := set("require", v.nativeFunc("require", 1, v.jsRequire)); err != nil {
		return err
	}
	if err := set("console", v.newConsole()); err != nil {
		return err
	}
	if err := v.installTimers(set); err != nil {
		return err
	}
	if err := v.installLazyNodeGlobals(); err != nil {
		return err
	}
	if v.ex.cfg.LegacyGlobals {
		if err := v.installLegacyGlobals(); err != nil {
			return err
		}
	}
	return v.installGuards()
}

// installLazyNodeGlobals defines Buffer (verq's buffer core module class over goja_nodejs's) and URL
// and URLSearchParams (goja_nodejs) as globals that are built on first access: most executions never touch them, and building them is the
// larger part of a fresh runtime's cost.
func (v *vm) installLazyNodeGlobals() error {
	rt := v.rt
	g := rt.GlobalObject()
	var urlExports *goja.Object
	urlModule := func() *goja.Object {
		if urlExports == nil {
			m := rt.NewObject()
			urlExports = rt.NewObject()
			_ = m.Set("exports", urlExports)
			url.Require(rt, m)
		}
		return urlExports
	}
	lazy := map[string]func() goja.Value{
		"Buffer": func() goja.Value {
			// verq's buffer core module completes goja_nodejs's Buffer (every encoding, isBuffer,
			// byteLength, …); require('buffer').Buffer finds this global and returns the same class
			ctor, err := nodebuffer.New(rt)
			if err != nil {
				panic(v.newError("ERR_INTERNAL", err.Error()))
			}
			return v.guardBuffer(ctor)
		},
		"URL":             func() goja.Value { return urlModule().Get("URL") },
		"URLSearchParams": func() goja.Value { return urlModule().Get("URLSearchParams") },
	}
	for _, name := range []string{"Buffer", "URL", "URLSearchParams"} {
		name, build := name, lazy[name]
		var getter, setter *goja.Object
		resolve := func(val goja.Value) {
			_ = g.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		}
		getter = v.nativeFunc("get "+name, 0, func(goja.FunctionCall) goja.Value {
			val := build()
			resolve(val)
			return val
		})
		setter = v.nativeFunc("set "+name, 1, func(call goja.FunctionCall) goja.Value {
			resolve(call.Argument(0))
			return goja.Undefined()
		})
		if err := g.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	return nil
}
