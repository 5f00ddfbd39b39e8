package resolver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrBlocked is wrapped by an *Error whose Outcome is OutcomeBlocked: the catalog lists the version
// but forbids it.
var ErrBlocked = errors.New("version is blocked")

// Error is why a spec did not resolve. Resolve returns it (as error) for every failure; match the
// underlying cause with errors.Is (catalog.ErrRuntimeNotFound, catalog.ErrModuleNotFound,
// catalog.ErrVersionNotFound, ErrBlocked, registry.ErrNoImplementation) or errors.As (*SpecError).
// An *Error may be shared between callers (it is cached) and must not be modified.
type Error struct {
	// Spec is the specifier as written.
	Spec string `json:"spec"`
	// Runtime is the catalog the spec was resolved against.
	Runtime string `json:"runtime"`
	// Outcome classifies the failure; never OutcomeOK or OutcomeDeprecated.
	Outcome Outcome `json:"outcome"`
	// Detail is the human explanation after "Cannot find module '<spec>': ".
	Detail string `json:"detail"`
	// Allowed lists the resolvable (not blocked) versions of the module in the runtime, in semver
	// order, when the module is listed but the requested version is not resolvable.
	Allowed []string `json:"allowed,omitempty"`
	// Err is the underlying cause.
	Err error `json:"-"`
}

// Error returns "Cannot find module '<spec>': <detail>". A spec with unprintable characters is
// shown escaped.
func (e *Error) Error() string {
	return "Cannot find module '" + displaySpec(e.Spec) + "': " + e.Detail
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// displaySpec returns s for messages: escaped when it has unprintable characters, shortened when long.
func displaySpec(s string) string {
	short, suffix := s, ""
	if len(s) > 80 {
		cut := 80
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		short, suffix = s[:cut], fmt.Sprintf("… (%d bytes)", len(s))
	}
	for i := 0; i < len(short); i++ {
		if c := short[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q := strconv.Quote(short)
			return q[1:len(q)-1] + suffix
		}
	}
	return short + suffix
}

// maxListedVersions is how many allowed versions an error message spells out.
const maxListedVersions = 10

// allowedText renders " (allowed: a, b, …)" for error details.
func allowedText(allowed []string) string {
	switch {
	case len(allowed) == 0:
		return " (no version of it is allowed)"
	case len(allowed) <= maxListedVersions:
		return " (allowed: " + strings.Join(allowed, ", ") + ")"
	default:
		return fmt.Sprintf(" (allowed: %s, … %d more)", strings.Join(allowed[:maxListedVersions], ", "), len(allowed)-maxListedVersions)
	}
}
