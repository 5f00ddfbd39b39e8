package auth0

import (
	_ "embed"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0/internal/spec"
)

//go:embed glue.js
var glueSource string

// glueProgram is compiled once and shared by every runtime.
var glueProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("auth0-shim-glue.js", glueSource, true)
})

// glue is the per-runtime result of glue.js.
type glue struct {
	argumentError, apiError, sanitizedError, alphaError *goja.Object
	responseError, systemError, deferred, raise         goja.Callable
	stringify, parse                                    goja.Callable
}

func loadGlue(rt *goja.Runtime, host registry.Host) (*glue, error) {
	prog, err := glueProgram()
	if err != nil {
		return nil, fmt.Errorf("auth0: glue: %w", err)
	}
	fnv, err := rt.RunProgram(prog)
	if err != nil {
		return nil, fmt.Errorf("auth0: glue: %w", err)
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		return nil, fmt.Errorf("auth0: glue does not evaluate to a function")
	}
	res, err := fn(goja.Undefined(), rt.Get("Promise"), rt.ToValue(timerFunc(rt, host)))
	if err != nil {
		return nil, fmt.Errorf("auth0: glue: %w", err)
	}
	o := res.ToObject(rt)
	g := &glue{
		argumentError:  o.Get("ArgumentError").ToObject(rt),
		apiError:       o.Get("APIError").ToObject(rt),
		sanitizedError: o.Get("SanitizedError").ToObject(rt),
		alphaError:     o.Get("ApiError").ToObject(rt),
	}
	for name, dst := range map[string]*goja.Callable{
		"responseError": &g.responseError, "systemError": &g.systemError, "deferred": &g.deferred, "raise": &g.raise,
		"stringify": &g.stringify, "parse": &g.parse,
	} {
		f, ok := goja.AssertFunction(o.Get(name))
		if !ok {
			return nil, fmt.Errorf("auth0: glue.%s is not a function", name)
		}
		*dst = f
	}
	return g, nil
}

// timerFunc backs bluebird's .timeout(ms): it calls fn on the loop after ms unless cancelled, and
// keeps the loop alive meanwhile.
func timerFunc(rt *goja.Runtime, host registry.Host) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		ms := call.Argument(0).ToInteger()
		fn, ok := goja.AssertFunction(call.Argument(1))
		if !ok {
			panic(rt.NewTypeError("timer callback is not a function"))
		}
		done := host.Reserve()
		var once sync.Once
		t := time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
			once.Do(func() { done(func(*goja.Runtime) { _, _ = fn(goja.Undefined()) }) })
		})
		return rt.ToValue(func(goja.FunctionCall) goja.Value {
			if t.Stop() {
				once.Do(func() { done(func(*goja.Runtime) {}) })
			}
			return goja.Undefined()
		})
	}
}

// module is auth0@version loaded into one runtime: the constructor, the prototypes and the shared
// per-version state every client of this runtime uses.
type module struct {
	p       *Provider
	rt      *goja.Runtime
	host    registry.Host
	version string // the requested version (telemetry reports it)
	s       *spec.Surface
	f       spec.Features
	g       *glue

	ctor      *goja.Object
	proto     *goja.Object
	mgrProtos []*goja.Object // by index in s.Managers
	mgrIndex  map[string]int
	ownKeys   []string // instance own keys in order

	telemetry     string // default Auth0-Client value (base64url JSON)
	tokenProtoObj *goja.Object
}

func (p *Provider) newModule(rt *goja.Runtime, host registry.Host, version string) (*module, error) {
	s, err := spec.SurfaceOf(version)
	if err != nil {
		return nil, err
	}
	g, err := loadGlue(rt, host)
	if err != nil {
		return nil, err
	}
	m := &module{p: p, rt: rt, host: host, version: version, s: s, f: s.Features, g: g}
	m.telemetry = encodeTelemetry(defaultTelemetry(version, s))
	m.mgrIndex = make(map[string]int, len(s.Managers))
	if s.Features.TokenProviderKey {
		m.ownKeys = append(m.ownKeys, "tokenProvider")
	}
	for i, ms := range s.Managers {
		m.mgrIndex[ms.Name] = i
		m.ownKeys = append(m.ownKeys, ms.Name)
	}
	m.mgrProtos = make([]*goja.Object, len(s.Managers))
	if err := m.buildClientClass(); err != nil {
		return nil, err
	}
	return m, nil
}

// namedFunction returns a native function with the given name and length.
func (m *module) namedFunction(name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := m.rt.ToValue(fn).ToObject(m.rt)
	_ = f.DefineDataProperty("name", m.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = f.DefineDataProperty("length", m.rt.ToValue(length), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return f
}

// managerProto returns the prototype of manager i, built on first use: its methods and a
// constructor named after the manager class (reachable as management.users.constructor).
func (m *module) managerProto(i int) *goja.Object {
	if p := m.mgrProtos[i]; p != nil {
		return p
	}
	ms := &m.s.Managers[i]
	proto := m.rt.NewObject()
	cls := m.namedFunction(ms.Class, 1, func(goja.FunctionCall) goja.Value {
		panic(m.rt.NewTypeError("Class constructor %s cannot be invoked without 'new'", ms.Class))
	})
	_ = cls.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("constructor", cls, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	for j := range ms.Methods {
		mm := &ms.Methods[j]
		ep := mm.Endpoint
		fn := m.namedFunction(mm.Name, len(ep.Args), func(call goja.FunctionCall) goja.Value {
			mo, ok := call.This.Export().(*managerObj)
			if !ok {
				panic(m.rt.NewTypeError("%s.%s called on an object that is not a %s", ms.Name, mm.Name, ms.Class))
			}
			return m.invoke(mo.c, ep, call.Arguments)
		})
		_ = proto.DefineDataProperty(mm.Name, fn, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	m.mgrProtos[i] = proto
	return proto
}
