package resolver

import (
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

// Catalog is the read side of the catalog the resolver needs (*catalog.Store implements it).
type Catalog interface {
	// Module returns a runtime's entry for a module name. Errors wrap catalog.ErrRuntimeNotFound when
	// the runtime does not exist and catalog.ErrModuleNotFound when it does not list the module; any
	// other error is a failure to read the catalog.
	Module(runtime, name string) (catalog.Module, error)
	// Generation changes after every committed write. The resolver reads it before each lookup and
	// discards cached answers from other generations, so it must be cheap (an atomic load).
	Generation() uint64
}

// Option configures a Resolver.
type Option func(*Resolver)

// WithObserver reports every Resolve call, cached or not, to o. A nil o means no observer.
func WithObserver(o Observer) Option {
	return func(r *Resolver) { r.observer = o }
}

// WithCacheSize bounds the cache to n resolutions (default DefaultCacheSize). n <= 0 disables caching.
func WithCacheSize(n int) Option {
	return func(r *Resolver) { r.cacheSize = n }
}

// Resolver turns specifiers into resolutions against a catalog and a registry of implementations.
//
// Successful and failed answers are cached per (runtime, spec) together with the catalog's
// Generation; any catalog write makes every older answer invisible at once. Answers that depend on
// no catalog state (malformed specs) and transient catalog read errors are not cached. The registry
// is expected to be complete before resolution starts: an implementation registered later is seen
// after the next catalog write or Purge.
//
// A Resolver is safe for concurrent use.
type Resolver struct {
	cat       Catalog
	reg       *registry.Registry
	observer  Observer
	cacheSize int
	cache     *cache
	ranges    memo[*versionRange]   // compiled ranges by text
	versions  memo[*semver.Version] // parsed catalog versions by text
	epoch     time.Time             // monotonic origin for observed durations
}

// New returns a resolver reading cat (which must not be nil) and finding implementations in reg; a
// nil reg is an empty registry, in which every allowed module fails with OutcomeNoImplementation.
func New(cat Catalog, reg *registry.Registry, opts ...Option) *Resolver {
	if cat == nil {
		panic("resolver: New needs a non-nil Catalog")
	}
	if reg == nil {
		reg = registry.New()
	}
	r := &Resolver{cat: cat, reg: reg, cacheSize: DefaultCacheSize, epoch: time.Now(),
		ranges: memo[*versionRange]{max: rangeMemoSize}, versions: memo[*semver.Version]{max: versionMemoSize}}
	for _, o := range opts {
		o(r)
	}
	r.cache = newCache(r.cacheSize)
	return r
}

// Resolve resolves spec in the named runtime's catalog. On success it returns a shared, immutable
// *Resolution; otherwise the error is an *Error (Outcome says why; a malformed spec has Outcome
// OutcomeInvalidSpec and wraps a *SpecError). Every call is reported to the observer, if any.
func (r *Resolver) Resolve(runtime, spec string) (*Resolution, error) {
	var start time.Duration
	if r.observer != nil {
		start = time.Since(r.epoch) // one monotonic clock read; time.Now would take two
	}
	gen := r.cat.Generation()
	if r.cache != nil {
		if e := r.cache.get(runtime, spec, gen); e != nil {
			if r.observer != nil {
				r.observer.Observe(Event{Spec: spec, Runtime: runtime, Outcome: e.outcome, Resolution: e.res,
					Err: e.err, Cached: true, Duration: time.Since(r.epoch) - start})
			}
			return e.res, e.err
		}
	}
	res, rerr, cacheable := r.resolve(runtime, spec, nil)
	e := cacheEntry{gen: gen, res: res}
	if rerr != nil {
		e.err, e.outcome = rerr, rerr.Outcome
	} else {
		e.outcome = outcomeOf(res)
	}
	if cacheable && r.cache != nil {
		r.cache.put(runtime, spec, &e)
	}
	if r.observer != nil {
		r.observer.Observe(Event{Spec: spec, Runtime: runtime, Outcome: e.outcome, Resolution: res,
			Err: e.err, Duration: time.Since(r.epoch) - start})
	}
	return res, e.err
}

// Purge drops every cached answer, for example after registering implementations late.
func (r *Resolver) Purge() {
	if r.cache != nil {
		r.cache.purge()
	}
}

func outcomeOf(res *Resolution) Outcome {
	if res.Status == catalog.StatusDeprecated {
		return OutcomeDeprecated
	}
	return OutcomeOK
}
