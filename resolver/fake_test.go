package resolver

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

// fakeCatalog is an in-memory Catalog. Every write bumps the generation, like catalog.Store.
type fakeCatalog struct {
	mu       sync.RWMutex
	runtimes map[string]map[string]catalog.Module
	fail     error // returned by every Module call when set
	gen      atomic.Uint64
	reads    atomic.Int64
}

var _ Catalog = (*fakeCatalog)(nil)

func newFakeCatalog() *fakeCatalog {
	return &fakeCatalog{runtimes: make(map[string]map[string]catalog.Module)}
}

func (f *fakeCatalog) Module(runtime, name string) (catalog.Module, error) {
	f.reads.Add(1)
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.fail != nil {
		return catalog.Module{}, f.fail
	}
	mods, ok := f.runtimes[runtime]
	if !ok {
		return catalog.Module{}, fmt.Errorf("catalog: runtime %q: %w", runtime, catalog.ErrRuntimeNotFound)
	}
	m, ok := mods[name]
	if !ok {
		return catalog.Module{}, fmt.Errorf("catalog: %s in runtime %q: %w", name, runtime, catalog.ErrModuleNotFound)
	}
	m.Versions = slices.Clone(m.Versions)
	return m, nil
}

func (f *fakeCatalog) Generation() uint64 { return f.gen.Load() }

// put adds or replaces a module (creating the runtime) and bumps the generation.
func (f *fakeCatalog) put(runtime string, m catalog.Module) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.runtimes[runtime] == nil {
		f.runtimes[runtime] = make(map[string]catalog.Module)
	}
	f.runtimes[runtime][m.Name] = m
	f.gen.Add(1)
}

func (f *fakeCatalog) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
	f.gen.Add(1)
}

// fakeProvider is an implementation that loads a marker string.
type fakeProvider struct{ info registry.Info }

func (p *fakeProvider) Info() registry.Info { return p.info }

func (p *fakeProvider) Load(req *registry.LoadRequest) (goja.Value, error) {
	return req.Runtime.ToValue(p.info.Name + "@" + req.Version), nil
}

func goProvider(name, rng string) *fakeProvider {
	return &fakeProvider{registry.Info{Name: name, Range: rng, Kind: registry.KindGo, Description: name + " in Go"}}
}

func coreProvider(name string) *fakeProvider {
	return &fakeProvider{registry.Info{Name: name, Kind: registry.KindCore}}
}

func pkgProvider(name, version string) *fakeProvider {
	return &fakeProvider{registry.Info{Name: name, Version: version, Kind: registry.KindPackage}}
}

func ver(v string) catalog.Version { return catalog.Version{Version: v, Status: catalog.StatusAllowed} }

func deprecated(v, reason string) catalog.Version {
	return catalog.Version{Version: v, Status: catalog.StatusDeprecated, Reason: reason}
}

func blocked(v, reason string) catalog.Version {
	return catalog.Version{Version: v, Status: catalog.StatusBlocked, Reason: reason}
}

func core(name string, st catalog.Status, reason string) catalog.Module {
	return catalog.Module{Name: name, Core: true,
		Versions: []catalog.Version{{Version: catalog.NativeVersion, Status: st, Reason: reason}}}
}

// fixture returns the catalog and registry most tests use.
//
// Runtime "default": auth0 (default 2.9.1; 2.27.0 deprecated; 2.1.0 blocked; prereleases),
// @auth0/rule-utilities, lodash, foo (no implementation), nodefault (no Default set), baddefault
// (Default not listed), blockeddefault, and the core modules url, crypto, assert, assert/strict,
// child_process (blocked), punycode (deprecated), zlib (no implementation).
// Runtime "node18": auth0 2.9.1 and 2.30.0, and url both as core module and as the npm package 0.10.3.
func fixture(t testing.TB) (*fakeCatalog, *registry.Registry) {
	t.Helper()
	cat := newFakeCatalog()
	cat.put("default", catalog.Module{Name: "auth0", Default: "2.9.1", Versions: []catalog.Version{
		ver("2.9.1"), ver("2.0.0-alpha.5"), ver("2.0.0-alpha.6"), ver("2.30.0"),
		deprecated("2.27.0", "upgrade to 2.30.0"), blocked("2.1.0", "leaks tokens in logs"), ver("2.6.0"),
		blocked("3.0.0", "not reviewed yet"),
	}})
	cat.put("default", catalog.Module{Name: "@auth0/rule-utilities", Default: "0.2.0",
		Versions: []catalog.Version{ver("0.2.0"), ver("0.1.0")}})
	cat.put("default", catalog.Module{Name: "lodash", Default: "4.17.21",
		Versions: []catalog.Version{ver("4.17.21"), ver("4.17.19")}})
	cat.put("default", catalog.Module{Name: "foo", Default: "1.0.0", Versions: []catalog.Version{ver("1.0.0")}})
	cat.put("default", catalog.Module{Name: "nodefault", Versions: []catalog.Version{ver("1.2.0"), ver("1.3.0")}})
	cat.put("default", catalog.Module{Name: "baddefault", Default: "9.9.9", Versions: []catalog.Version{ver("1.0.0")}})
	cat.put("default", catalog.Module{Name: "blockeddefault", Default: "1.0.0",
		Versions: []catalog.Version{blocked("1.0.0", "broken"), ver("1.1.0")}})
	for _, n := range []string{"url", "crypto", "assert", "assert/strict", "zlib"} {
		cat.put("default", core(n, catalog.StatusAllowed, ""))
	}
	cat.put("default", core("child_process", catalog.StatusBlocked, "no processes in the sandbox"))
	cat.put("default", core("punycode", catalog.StatusDeprecated, "use the url module"))

	cat.put("node18", catalog.Module{Name: "auth0", Default: "2.30.0",
		Versions: []catalog.Version{ver("2.30.0"), ver("2.9.1")}})
	cat.put("node18", catalog.Module{Name: "url", Core: true, Versions: []catalog.Version{
		{Version: catalog.NativeVersion, Status: catalog.StatusAllowed}, ver("0.10.3")}})

	reg := registry.New().MustRegister(
		goProvider("auth0", ">=2.0.0 <4"),
		pkgProvider("@auth0/rule-utilities", "0.2.0"),
		pkgProvider("@auth0/rule-utilities", "0.1.0"),
		goProvider("lodash", ">=4 <5"),
		goProvider("nodefault", "1.x"),
		goProvider("blockeddefault", "1.x"),
		pkgProvider("url", "0.10.3"),
		coreProvider("url"), coreProvider("crypto"), coreProvider("assert"), coreProvider("assert/strict"),
		coreProvider("child_process"), coreProvider("punycode"),
	)
	return cat, reg
}

// recorder is an Observer that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Observe(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}
