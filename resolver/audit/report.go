package audit

import (
	"fmt"
	"strings"
)

// Report is the result of auditing a set of rules against one runtime. It is plain data: safe to
// read concurrently, and serialisable (JSON field names are snake_case).
type Report struct {
	// Runtime is the catalog the requires were resolved against.
	Runtime string `json:"runtime"`
	// Rules has one entry per audited rule, in input order.
	Rules []RuleReport `json:"rules"`
	// Findings are all findings, ordered by rule (input order), then line, column and kind.
	Findings []Finding `json:"findings"`
	// ByModule aggregates the requires by module and version, sorted by module name then version.
	ByModule []ModuleUsage `json:"by_module"`
	// Summary counts rules, requires and findings.
	Summary Summary `json:"summary"`
}

// Summary counts what a Report holds.
type Summary struct {
	Rules    int `json:"rules"`
	Requires int `json:"requires"`
	Calls    int `json:"calls"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// RuleReport is the by-rule view: what one rule requires and which ManagementClient methods it
// calls.
type RuleReport struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	// Parsed is false when the rule did not parse; it then has no requires or calls.
	Parsed bool `json:"parsed"`
	// Requires are the rule's require calls in source order.
	Requires []Require `json:"requires"`
	// Calls are the ManagementClient method calls found on clients built from a required auth0.
	Calls []MethodCall `json:"calls,omitempty"`
	// Errors, Warnings and Notes count the rule's findings by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// Require is one require(...) call of a rule.
type Require struct {
	// Spec is the literal specifier; empty for a dynamic require.
	Spec string `json:"spec,omitempty"`
	// Line and Column locate the argument (the call itself when there is none).
	Line   int `json:"line"`
	Column int `json:"column"`
	// Kind is the kind of the finding the require produced (ok, unpinned, range, …).
	Kind string `json:"kind"`
	// Module is the module name; empty when the spec is dynamic or invalid.
	Module string `json:"module,omitempty"`
	// Version is the exact version the spec resolves to; empty when it does not resolve and for
	// core modules.
	Version string `json:"version,omitempty"`
	// Requested is the version text of the spec ("2.9.1", "^2.9"); empty when unpinned.
	Requested string `json:"requested,omitempty"`
	// How is exact, range, default or core when the spec resolves.
	How string `json:"how,omitempty"`
	// Resolved is name@version[/subpath] (the core name for core modules) when the spec resolves.
	Resolved string `json:"resolved,omitempty"`
}

// MethodCall is a call of a ManagementClient method on a client built from a required auth0.
type MethodCall struct {
	// Spec is the require specifier the client's module came from.
	Spec string `json:"spec"`
	// Version is the auth0 version Spec resolves to; empty when it does not resolve.
	Version string `json:"version,omitempty"`
	// Method is the flat method ("getUserRoles") or manager method ("users.getAll") called.
	Method string `json:"method"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Missing is true when Version is known not to have Method.
	Missing bool `json:"missing,omitempty"`
}

// Finding is one diagnostic of the audit.
type Finding struct {
	Rule   string `json:"rule"`
	Source string `json:"source"`
	// Line and Column are 1-based positions in the rule's own script text; Column counts UTF-16
	// code units (characters, for text without astral symbols).
	Line   int `json:"line"`
	Column int `json:"column"`
	// Severity is error, warning or note.
	Severity string `json:"severity"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Spec is the require specifier the finding is about, if any.
	Spec string `json:"spec,omitempty"`
	// Resolved is what Spec resolves to (name@version), if it resolves.
	Resolved string `json:"resolved,omitempty"`
	// Message is one human sentence.
	Message string `json:"message"`
}

// ModuleUsage is the by-module view: which rules require one module version.
type ModuleUsage struct {
	// Module is the module name.
	Module string `json:"module"`
	// Version is the resolved exact version; for a spec that does not resolve it is the requested
	// version text; empty for core modules and unresolved unpinned specs.
	Version string `json:"version,omitempty"`
	// Status is allowed, deprecated or core for what resolves, else the failing finding kind
	// (not_in_catalog, blocked, no_implementation).
	Status string `json:"status"`
	// Rules are the names of the requiring rules, sorted and unique.
	Rules []string `json:"rules"`
	// Specs are the distinct specifiers that led here, sorted.
	Specs []string `json:"specs"`
	// Requires counts require calls; Pinned, Ranged and Unpinned split them by how the version was named.
	Requires int `json:"requires"`
	Pinned   int `json:"pinned"`
	Ranged   int `json:"ranged"`
	Unpinned int `json:"unpinned"`
}

// Key returns module@version, or the module name when there is no version.
func (m ModuleUsage) Key() string {
	if m.Version == "" {
		return m.Module
	}
	return m.Module + "@" + m.Version
}

// Sentence describes the usage in one line, e.g. "auth0@2.9.1 is pinned by 3 rules: a, b, c".
func (m ModuleUsage) Sentence() string {
	n := len(m.Rules)
	rules := "rule"
	if n != 1 {
		rules = "rules"
	}
	list := strings.Join(m.Rules, ", ")
	switch {
	case m.Status == StatusCore:
		return fmt.Sprintf("%s (core) is required by %d %s: %s", m.Key(), n, rules, list)
	case m.Pinned == m.Requires && m.Requires > 0:
		return fmt.Sprintf("%s is pinned by %d %s: %s", m.Key(), n, rules, list)
	}
	var how []string
	if m.Pinned > 0 {
		how = append(how, fmt.Sprintf("%d pinned", m.Pinned))
	}
	if m.Ranged > 0 {
		how = append(how, fmt.Sprintf("%d by range", m.Ranged))
	}
	if m.Unpinned > 0 {
		how = append(how, fmt.Sprintf("%d unpinned", m.Unpinned))
	}
	return fmt.Sprintf("%s is required by %d %s (%s): %s", m.Key(), n, rules, strings.Join(how, ", "), list)
}

// Module statuses used in ModuleUsage.Status besides the failing finding kinds.
const (
	StatusAllowed    = "allowed"
	StatusDeprecated = "deprecated"
	StatusCore       = "core"
)

// Fails reports whether the report has a finding at or above level: "error" fails on errors,
// "warning" on warnings or errors, "note" on any finding. Any other level (including "" and
// "none") never fails; use CheckFailLevel to validate user input first.
func (r *Report) Fails(level string) bool {
	switch level {
	case SeverityError:
		return r.Summary.Errors > 0
	case SeverityWarning:
		return r.Summary.Errors+r.Summary.Warnings > 0
	case SeverityNote:
		return r.Summary.Errors+r.Summary.Warnings+r.Summary.Notes > 0
	}
	return false
}

// CheckFailLevel returns an error unless level is "", "none", "note", "warning" or "error".
func CheckFailLevel(level string) error {
	switch level {
	case "", "none", SeverityNote, SeverityWarning, SeverityError:
		return nil
	}
	return fmt.Errorf("audit: unknown fail level %q: use error, warning, note or none", level)
}
