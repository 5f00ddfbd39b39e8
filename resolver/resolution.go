package resolver

import (
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

// How says which rule of the grammar picked the version.
type How string

const (
	// HowExact: the spec named an exact version.
	HowExact How = "exact"
	// HowRange: the spec named a semver range; the highest allowed match was taken.
	HowRange How = "range"
	// HowDefault: the spec named no version; the module's default version was taken.
	HowDefault How = "default"
	// HowCore: the spec named a core module without a version.
	HowCore How = "core"
)

// Resolution is the answer for one spec in one runtime. It is immutable and may be shared.
type Resolution struct {
	// Spec is the specifier as written, e.g. "auth0@^2.9".
	Spec string `json:"spec"`
	// Runtime is the catalog the spec was resolved against.
	Runtime string `json:"runtime"`
	// Name is the module name, e.g. "auth0" or "@auth0/rule-utilities".
	Name string `json:"name"`
	// Version is the exact version chosen; empty for core modules.
	Version string `json:"version,omitempty"`
	// Requested is the version text of the spec ("2.9.1", "^2.9"); empty when unpinned.
	Requested string `json:"requested,omitempty"`
	// Subpath is the path inside the module ("fp" for lodash@4.17.21/fp); empty for the main entry.
	Subpath string `json:"subpath,omitempty"`
	// How says how the version was picked.
	How How `json:"how"`
	// Status is the catalog status of the chosen version (allowed or deprecated; blocked never resolves).
	Status catalog.Status `json:"status"`
	// Reason is the deprecation reason, if any.
	Reason string `json:"reason,omitempty"`
	// Implementation describes the provider that serves the module.
	Implementation registry.Info `json:"implementation"`
	// Provider loads the module into a runtime. Not serialised.
	Provider registry.Provider `json:"-"`
}

// Key is a stable identity of what was resolved: name@version[/subpath], or the core name.
func (r *Resolution) Key() string {
	k := r.Name
	if r.Version != "" {
		k += "@" + r.Version
	}
	if r.Subpath != "" {
		k += "/" + r.Subpath
	}
	return k
}

// Outcome classifies a resolution attempt for observers (audit, metrics).
type Outcome string

const (
	OutcomeOK               Outcome = "ok"                // resolved to an allowed version
	OutcomeDeprecated       Outcome = "deprecated"        // resolved, but the version is deprecated
	OutcomeInvalidSpec      Outcome = "invalid_spec"      // the spec is malformed or hostile
	OutcomeUnknownRuntime   Outcome = "unknown_runtime"   // the runtime does not exist
	OutcomeNotInCatalog     Outcome = "not_in_catalog"    // the module is not in the runtime's catalog
	OutcomeVersionNotFound  Outcome = "version_not_found" // the module is listed, the version (or range) is not
	OutcomeBlocked          Outcome = "blocked"           // the version is blocked
	OutcomeNoImplementation Outcome = "no_implementation" // allowed by the catalog, but nothing serves it
	OutcomeCatalogError     Outcome = "catalog_error"     // the catalog could not be read
)

// Event is what an Observer receives for every resolution attempt, cached or not.
type Event struct {
	Spec    string
	Runtime string
	Outcome Outcome
	// Resolution is set when Outcome is OK or Deprecated.
	Resolution *Resolution
	// Err is set otherwise.
	Err error
	// Cached is true when the answer came from the resolver's cache.
	Cached   bool
	Duration time.Duration
}

// Observer receives resolution events. Observe is called synchronously on the resolving goroutine and
// must be fast and safe for concurrent use (aggregate in memory, flush elsewhere).
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }
