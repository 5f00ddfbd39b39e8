package audit

import (
	"log/slog"
	"time"
)

// UsageRecord is one require a rule made at run time, as the sandbox reports it: what the recorder
// counts. Tenant, Runtime, Rule, Spec and Resolved identify the aggregate; Error only annotates it.
type UsageRecord struct {
	// Tenant is the tenant whose rule ran (the sandbox executor's tenant).
	Tenant string
	// Runtime is the catalog the spec was resolved against.
	Runtime string
	// Rule is the rule that called require; "" for requires made while installing globals.
	Rule string
	// Spec is the specifier as written.
	Spec string
	// Resolved is what the spec resolved to, name@version[/subpath] or a core module name; "" when
	// it did not resolve.
	Resolved string
	// Error is the failure message when the require failed (did not resolve, or its module did not
	// load); "" on success. It is not part of the aggregate's identity: a failing require counts as an
	// error of its (tenant, runtime, rule, spec, resolved) key and the latest message is kept, so
	// messages never multiply the number of keys.
	Error string
}

// UsageRow is the stored aggregate of one (tenant, runtime, rule, spec, resolved) key. It is plain
// data, serialisable (JSON field names are snake_case).
type UsageRow struct {
	Tenant  string `json:"tenant"`
	Runtime string `json:"runtime"`
	// Rule is "" for requires made while installing globals.
	Rule string `json:"rule"`
	Spec string `json:"spec"`
	// Resolved is name@version[/subpath], or the core module name; "" for requires that did not
	// resolve.
	Resolved string `json:"resolved,omitempty"`
	// Module is the module name: from Resolved, or, for a require that did not resolve, the name the
	// spec asks for ("" when the spec is not a valid specifier).
	Module string `json:"module,omitempty"`
	// Version is the exact version of Resolved; "" for core modules and for requires that did not
	// resolve.
	Version string `json:"version,omitempty"`
	// Count is the number of require calls; Errors how many of them failed.
	Count  uint64 `json:"count"`
	Errors uint64 `json:"errors,omitempty"`
	// LastError is the latest failure message (at most MaxUsageErrorBytes), if any call failed.
	LastError string `json:"last_error,omitempty"`
	// FirstSeen and LastSeen bound the calls, in UTC, to the recorder's clock resolution.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// UsageFilter selects rows for ReadUsage. Empty fields match everything; set fields match exactly.
type UsageFilter struct {
	Tenant  string
	Runtime string
	Rule    string
	// Module matches UsageRow.Module.
	Module string
	// Version matches UsageRow.Version; it needs Module. "2.9" is not "2.9.0": give the exact version.
	Version string
}

// UsageOptions configures NewUsageRecorder. The zero value is usable.
type UsageOptions struct {
	// FlushInterval is how often Start's goroutine writes the aggregates to the database.
	// Default DefaultUsageFlushInterval.
	FlushInterval time.Duration
	// MaxKeys bounds the keys held in memory between two flushes; the requires of further new keys are
	// counted as dropped (UsageStats.Dropped) until the next flush makes room. Default
	// DefaultUsageMaxKeys.
	MaxKeys int
	// Now is the clock. Default time.Now. Record reads a cached copy that Start's goroutine refreshes
	// every UsageClockResolution (and every Flush refreshes), so first and last seen times are
	// precise to about a second.
	Now func() time.Time
	// Logger receives flush failures and dropped-key warnings. nil discards them.
	Logger *slog.Logger
}

// Defaults and bounds of the usage recorder.
const (
	// DefaultUsageFlushInterval is the default UsageOptions.FlushInterval.
	DefaultUsageFlushInterval = 10 * time.Second
	// DefaultUsageMaxKeys is the default UsageOptions.MaxKeys.
	DefaultUsageMaxKeys = 100_000
	// UsageClockResolution is how often a started recorder refreshes the time Record stamps.
	UsageClockResolution = time.Second
	// MaxUsageFieldBytes bounds each of tenant, runtime, rule, spec and resolved; longer values are cut
	// (at a UTF-8 boundary) before they are counted, so hostile specs cannot make keys large.
	MaxUsageFieldBytes = 512
	// MaxUsageErrorBytes bounds the kept error message.
	MaxUsageErrorBytes = 512
)

// UsageStats describes a recorder's state, for logs and metrics.
type UsageStats struct {
	// Keys is the number of keys held in memory.
	Keys int `json:"keys"`
	// Dropped counts requires not recorded because MaxKeys was reached.
	Dropped uint64 `json:"dropped"`
	// Flushes counts flushes that wrote to the database; FlushErrors those that failed (their
	// counts are kept in memory and written by the next flush).
	Flushes     uint64 `json:"flushes"`
	FlushErrors uint64 `json:"flush_errors"`
}
