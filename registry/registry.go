// Package registry maps module names and versions to the implementations that serve them.
//
// # Basics
//
// An implementation is a [Provider]: it serves one module name over a semver range (a Go-native shim
// such as the auth0 ManagementClient, an HTTP client module) or, with an empty range, a core module
// (url, crypto, …). Providers are registered in a [Registry]. Stores that serve many names at once,
// such as stored npm packages, plug in as a [Source].
//
// The resolver asks the registry which provider serves an exact name@version the catalog allows; the
// sandbox then calls [Provider.Load] inside a goja runtime, passing a [Host] through which the
// implementation reaches the execution (its deadline, the event loop, outbound HTTP, nested requires).
//
// # Caveats
//
// A Registry is safe for concurrent lookups; registration is expected to happen before use but is
// also safe concurrently. Providers must be safe for concurrent Load calls on different runtimes.
// Load always runs on the goroutine that owns the runtime.
package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"

	"github.com/Masterminds/semver/v3"
	"github.com/dop251/goja"
)

// Kind says how an implementation is built.
type Kind string

const (
	// KindGo is a module implemented in Go (for example the auth0 ManagementClient shim).
	KindGo Kind = "go"
	// KindCore is a core (native) module such as url or crypto, required without a version.
	KindCore Kind = "core"
	// KindPackage is a real JavaScript package stored in verq's database.
	KindPackage Kind = "package"
)

// Label is the human name of the kind used by listings ("Go shim", "core module", "JS package").
func (k Kind) Label() string {
	switch k {
	case KindGo:
		return "Go shim"
	case KindCore:
		return "core module"
	case KindPackage:
		return "JS package"
	}
	return string(k)
}

// Info describes a provider.
type Info struct {
	// Name is the module name served, e.g. "auth0" or "crypto".
	Name string `json:"name"`
	// Range is the semver constraint of versions served, e.g. ">=2.0.0 <4"; empty for core modules
	// and for single-version package providers, which set Version instead.
	Range string `json:"range,omitempty"`
	// Version is set by providers that serve exactly one version (stored packages).
	Version string `json:"version,omitempty"`
	// Kind says how the implementation is built.
	Kind Kind `json:"kind"`
	// Description is one line for listings, e.g. "ManagementClient implemented in Go".
	Description string `json:"description,omitempty"`
	// License is the SPDX license of a stored package; empty for verq's own implementations.
	License string `json:"license,omitempty"`
}

// Host is what the sandbox offers an implementation while it loads or runs. Implementations hold on
// to it: calls made later (from JS callbacks) see the execution current at that time.
type Host interface {
	// Context is the current execution's context: it is done at the rule pipeline's deadline.
	Context() context.Context
	// Reserve keeps the event loop alive for one pending asynchronous operation. The returned function
	// must be called exactly once, from any goroutine; the function passed to it then runs on the
	// loop's goroutine with the runtime. If the execution has ended, the function is dropped.
	Reserve() func(func(*goja.Runtime))
	// HTTPClient is the client for outbound calls made on behalf of the rule, bound by the executor's
	// egress policy.
	HTTPClient() *http.Client
	// Require resolves and loads another module for the implementation (for example a core module a
	// stored package needs), with the same rules as the rule's own require.
	Require(spec string) (goja.Value, error)
}

// LocalHost is implemented by hosts that keep per-runtime state for implementations, such as the
// module table of a stored package whose files require each other. Local returns the value stored
// under key for this runtime, calling create to make it on first use; the value lives as long as the
// runtime. Keys should be unexported types of the implementing package, as with context values.
type LocalHost interface {
	Host
	Local(key any, create func() any) any
}

// LoadRequest is what Provider.Load receives.
type LoadRequest struct {
	// Runtime is the goja runtime the module is loaded into.
	Runtime *goja.Runtime
	// Host connects the implementation to the execution.
	Host Host
	// Name, Version and Subpath are the resolved module; Version is empty for core modules and
	// Subpath is empty unless the spec named one (e.g. "fp" for lodash@4.17.21/fp).
	Name, Version, Subpath string
}

// Provider is one implementation of a module.
type Provider interface {
	// Info describes the implementation.
	Info() Info
	// Load returns the module's exports (what require returns) for req.Version in req.Runtime. It is
	// called at most once per runtime, module version and subpath; the sandbox caches the result.
	Load(req *LoadRequest) (goja.Value, error)
}

// Source is a store of implementations that are not registered one by one, such as stored npm
// packages. Find returns the provider for an exact name and version, or false.
type Source interface {
	Find(name, version string) (Provider, bool)
}

// GlobalInstaller installs a global (for example the Rules `auth0` object) into a fresh runtime.
// It runs once per runtime before any rule, on the runtime's goroutine.
type GlobalInstaller func(rt *goja.Runtime, host Host) error

// ErrNoImplementation means no provider serves the module version.
var ErrNoImplementation = errors.New("no implementation installed")

type entry struct {
	provider Provider
	info     Info
	cons     *semver.Constraints // nil for core providers
}

// Registry holds providers by module name. The zero value is not usable; call New.
type Registry struct {
	mu      sync.RWMutex
	byName  map[string][]entry
	sources []Source
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{byName: make(map[string][]entry)}
}

// Register adds a provider. A provider with an empty Range and Version must be of KindCore; a Range
// must be a valid semver constraint. Later registrations win over earlier ones for overlapping ranges.
func (r *Registry) Register(p Provider) error {
	info := p.Info()
	if info.Name == "" {
		return fmt.Errorf("registry: provider has no module name")
	}
	e := entry{provider: p, info: info}
	switch {
	case info.Range != "":
		c, err := semver.NewConstraint(info.Range)
		if err != nil {
			return fmt.Errorf("registry: provider %s: bad range %q: %w", info.Name, info.Range, err)
		}
		e.cons = c
	case info.Version != "":
		c, err := semver.NewConstraint("=" + info.Version)
		if err != nil {
			return fmt.Errorf("registry: provider %s: bad version %q: %w", info.Name, info.Version, err)
		}
		e.cons = c
	case info.Kind != KindCore:
		return fmt.Errorf("registry: provider %s: a non-core provider needs a Range or a Version", info.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byName[info.Name] = append(r.byName[info.Name], e)
	return nil
}

// MustRegister is Register that panics on error; for wiring fixed, known-good providers at startup.
func (r *Registry) MustRegister(ps ...Provider) *Registry {
	for _, p := range ps {
		if err := r.Register(p); err != nil {
			panic(err)
		}
	}
	return r
}

// AddSource appends a source consulted, in order, after the registered providers.
func (r *Registry) AddSource(s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources = append(r.sources, s)
}

// Core returns the provider of a core module, or false.
func (r *Registry) Core(name string) (Provider, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	es := r.byName[name]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].cons == nil {
			return es[i].provider, true
		}
	}
	return nil, false
}

// Lookup returns the provider serving name at an exact version, or false. Registered providers are
// consulted first (latest registration first), then sources in the order they were added.
func (r *Registry) Lookup(name, version string) (Provider, bool) {
	v, err := semver.StrictNewVersion(version)
	if err != nil {
		v, err = semver.NewVersion(version)
		if err != nil {
			return nil, false
		}
	}
	r.mu.RLock()
	es := r.byName[name]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].cons != nil && constraintAllows(es[i].cons, v) {
			p := es[i].provider
			r.mu.RUnlock()
			return p, true
		}
	}
	sources := r.sources
	r.mu.RUnlock()
	for _, s := range sources {
		if p, ok := s.Find(name, version); ok {
			return p, true
		}
	}
	return nil, false
}

// constraintAllows checks v against c. A prerelease is served by the provider whose range holds its
// release (a Go shim registered for ">=2.0.0 <4" serves 2.0.0-alpha.5), because a provider range
// names the implementation's API generation, not an npm-style install request.
func constraintAllows(c *semver.Constraints, v *semver.Version) bool {
	if c.Check(v) {
		return true
	}
	if v.Prerelease() == "" {
		return false
	}
	rel, err := v.SetPrerelease("")
	if err != nil {
		return false
	}
	return c.Check(&rel)
}

// Providers returns the Info of every registered provider, sorted by name then range. Sources are
// not enumerated.
func (r *Registry) Providers() []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Info
	for _, es := range r.byName {
		for _, e := range es {
			out = append(out, e.info)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Range+out[i].Version < out[j].Range+out[j].Version
	})
	return out
}
