package catalog

import (
	"errors"
	"time"
)

// Status is the state of one module version in a runtime's catalog.
type Status string

const (
	// StatusAllowed versions resolve normally.
	StatusAllowed Status = "allowed"
	// StatusDeprecated versions still resolve, but every resolution is reported with the reason.
	StatusDeprecated Status = "deprecated"
	// StatusBlocked versions are listed but never resolve; resolution fails with the reason.
	StatusBlocked Status = "blocked"
)

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	return s == StatusAllowed || s == StatusDeprecated || s == StatusBlocked
}

// NativeVersion is the version string the canirequire list format uses for core (native) modules.
const NativeVersion = "native"

// DefaultRuntime is the name of the built-in runtime that is created on first use and lists exactly
// what verq can serve.
const DefaultRuntime = "default"

// Version is one allowed (or deprecated, or blocked) version of a module.
type Version struct {
	// Version is an exact semantic version without a leading "v" (prereleases allowed), e.g. "2.9.1".
	Version string `json:"version"`
	// Status is allowed, deprecated or blocked.
	Status Status `json:"status"`
	// Reason explains a deprecation or a block; empty for allowed versions.
	Reason string `json:"reason,omitempty"`
	// Note is free text, e.g. "imported from range ~0.9.0".
	Note string `json:"note,omitempty"`
	// Added is when the version entered this runtime's catalog.
	Added time.Time `json:"added"`
}

// Module is one module of a runtime's catalog under one name: a core (native) module, a package
// with an ordered list of exact versions, or both at once. Node's core modules have npm namesakes
// ("url" is core, "url@0.10.3" the npm package; "querystring" and "crypto" too), and a runtime may
// list both: an unpinned require ("url") gets the core module, a versioned one ("url@0.10.3") only
// ever matches the package versions.
type Module struct {
	// Name is the module name as required, e.g. "auth0", "@auth0/rule-utilities", "crypto", "assert/strict".
	Name string `json:"name"`
	// Core is true exactly when Versions holds the "native" entry ([NativeVersion]): the module is a
	// core module, required without a version, and that entry carries the core module's status and
	// reason. A versioned spec never matches it.
	Core bool `json:"core,omitempty"`
	// Default is the package version an unpinned require resolves to when the module is not core,
	// and the version an export lists first. It names a package version, never "native"; it is empty
	// when the module has no package versions (or every one of them is blocked).
	Default string `json:"default,omitempty"`
	// Homepage is an optional URL shown by listings.
	Homepage string `json:"homepage,omitempty"`
	// Notes is optional free text shown by listings.
	Notes string `json:"notes,omitempty"`
	// Versions are in catalog order (import order, then additions appended); the "native" entry of a
	// core module is one of them, wherever it was listed.
	Versions []Version `json:"versions,omitempty"`
}

// Lookup returns the entry for an exact version string and whether it exists.
func (m *Module) Lookup(version string) (Version, bool) {
	for _, v := range m.Versions {
		if v.Version == version {
			return v, true
		}
	}
	return Version{}, false
}

// packageCount returns how many of m's versions are package versions (not "native").
func (m *Module) packageCount() int {
	n := 0
	for _, v := range m.Versions {
		if v.Version != NativeVersion {
			n++
		}
	}
	return n
}

// RuntimeInfo describes one named runtime (catalog).
type RuntimeInfo struct {
	// Name identifies the runtime, e.g. "default", "node18".
	Name string `json:"name"`
	// NodeVersion is the node_version written on canirequire exports, e.g. "v18.20.4".
	NodeVersion string `json:"node_version,omitempty"`
	// Builtin is true for the runtime created from the embedded built-in list.
	Builtin bool `json:"builtin,omitempty"`
	// Description is optional free text, e.g. "verq built-in: the modules verq serves itself".
	Description string `json:"description,omitempty"`
	// Modules and Versions count the runtime's entries (a core module's "native" entry counts as one version).
	Modules  int `json:"modules"`
	Versions int `json:"versions"`
	// Created is when the runtime was first written.
	Created time.Time `json:"created"`
}

// Change is one entry of the append-only change history.
type Change struct {
	// Seq is the history sequence number, increasing from 1.
	Seq uint64 `json:"seq"`
	// Time is when the write committed.
	Time time.Time `json:"time"`
	// Actor is a free-form string naming who made the change (user, token name, "builtin").
	Actor string `json:"actor"`
	// Runtime is the runtime the change applies to.
	Runtime string `json:"runtime"`
	// Action is one of "add", "remove", "default", "deprecate", "block", "allow", "info" (homepage, notes,
	// node_version), "import", "create-runtime".
	Action string `json:"action"`
	// Module and Version name the entry changed; empty where the action is runtime-wide.
	Module  string `json:"module,omitempty"`
	Version string `json:"version,omitempty"`
	// Detail is a human sentence: the reason, or an import summary.
	Detail string `json:"detail,omitempty"`
}

// Sentinel errors; match them with errors.Is.
var (
	// ErrRuntimeNotFound means the named runtime does not exist in the store.
	ErrRuntimeNotFound = errors.New("runtime not found")
	// ErrModuleNotFound means the module is not in the runtime's catalog.
	ErrModuleNotFound = errors.New("module not found")
	// ErrVersionNotFound means the version is not listed for the module.
	ErrVersionNotFound = errors.New("version not found")
	// ErrInvalid means an argument (name, version, status, list file) is malformed.
	ErrInvalid = errors.New("invalid input")
	// ErrLocked means another process holds the database and the lock timeout expired.
	ErrLocked = errors.New("database is locked")
	// ErrNotCatalog means the file exists but is not a verq database (or is corrupt).
	ErrNotCatalog = errors.New("not a verq database")
	// ErrReadOnly means a write was attempted on a store opened read-only.
	ErrReadOnly = errors.New("store is read-only")
)
