package sandbox

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// fakeProvider serves a module whose exports are built by load.
type fakeProvider struct {
	info  registry.Info
	load  func(req *registry.LoadRequest) (goja.Value, error)
	loads atomic.Int64
}

func (p *fakeProvider) Info() registry.Info { return p.info }

func (p *fakeProvider) Load(req *registry.LoadRequest) (goja.Value, error) {
	p.loads.Add(1)
	return p.load(req)
}

// fakeResolver resolves specs from a fixed table; anything else fails like the real resolver.
type fakeResolver struct {
	modules map[string]*resolver.Resolution
	calls   atomic.Int64
}

func (r *fakeResolver) Resolve(runtime, spec string) (*resolver.Resolution, error) {
	r.calls.Add(1)
	if res, ok := r.modules[spec]; ok {
		cp := *res
		cp.Spec = spec
		cp.Runtime = runtime
		return &cp, nil
	}
	return nil, fmt.Errorf("Cannot find module '%s': module %q is not in catalog %q", spec, strings.SplitN(spec, "@", 2)[0], runtime)
}

// exportsProvider builds a provider whose exports come from a JS object literal evaluated in the runtime.
func exportsProvider(name, version string, kind registry.Kind, js string) *fakeProvider {
	return &fakeProvider{
		info: registry.Info{Name: name, Version: version, Kind: kind},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			return req.Runtime.RunString("(" + js + ")")
		},
	}
}

// testResolver has a core module "greet", a versioned module "lib@1.2.3" (default), a deprecated one,
// and a module whose native function panics.
func testResolver() *fakeResolver {
	greet := exportsProvider("greet", "", registry.KindCore, `{ hello: function (n) { return 'hello ' + n } }`)
	lib := exportsProvider("lib", "1.2.3", registry.KindGo, `{ version: '1.2.3', add: function (a, b) { return a + b } }`)
	old := exportsProvider("old", "0.1.0", registry.KindGo, `{ old: true }`)
	boom := &fakeProvider{
		info: registry.Info{Name: "boom", Version: "1.0.0", Kind: registry.KindGo},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			o := req.Runtime.NewObject()
			_ = o.Set("explode", func(goja.FunctionCall) goja.Value { panic("kaboom") })
			return o, nil
		},
	}
	res := func(name, version string, how resolver.How, p registry.Provider, status catalog.Status) *resolver.Resolution {
		return &resolver.Resolution{Name: name, Version: version, How: how, Status: status,
			Implementation: p.Info(), Provider: p}
	}
	return &fakeResolver{modules: map[string]*resolver.Resolution{
		"greet":      res("greet", "", resolver.HowCore, greet, catalog.StatusAllowed),
		"lib":        res("lib", "1.2.3", resolver.HowDefault, lib, catalog.StatusAllowed),
		"lib@1.2.3":  res("lib", "1.2.3", resolver.HowExact, lib, catalog.StatusAllowed),
		"lib@^1":     res("lib", "1.2.3", resolver.HowRange, lib, catalog.StatusAllowed),
		"old@0.1.0":  res("old", "0.1.0", resolver.HowExact, old, catalog.StatusDeprecated),
		"boom@1.0.0": res("boom", "1.0.0", resolver.HowExact, boom, catalog.StatusAllowed),
	}}
}

// mustExecutor compiles rules given as name → script (order = position) and builds an executor.
func mustExecutor(t testing.TB, cfg Config, scripts ...string) *Executor {
	t.Helper()
	var rules []Rule
	for i, s := range scripts {
		rules = append(rules, Rule{Name: fmt.Sprintf("rule-%d", i+1), Script: s, Order: i + 1, Enabled: true})
	}
	rs, err := Compile(rules)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if cfg.Resolver == nil {
		cfg.Resolver = testResolver()
	}
	e, err := NewExecutor(rs, cfg)
	if err != nil {
		t.Fatalf("NewExecutor: %v", err)
	}
	return e
}

func mustRun(t testing.TB, e *Executor, user, ctx map[string]any) *Result {
	t.Helper()
	res, err := e.Execute(context.Background(), user, ctx)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	return res
}
