package resolver

import (
	"fmt"

	"github.com/verq/verq/catalog"
)

// Explanation is the account of one resolution, for `verq resolve SPEC` and the HTTP API. It
// serialises to JSON as is.
type Explanation struct {
	// Spec and Runtime are the input.
	Spec    string `json:"spec"`
	Runtime string `json:"runtime"`
	// Parsed is the parsed spec; nil when the spec is malformed.
	Parsed *Spec `json:"parsed,omitempty"`
	// Range is true when the spec names a semver range.
	Range bool `json:"range,omitempty"`
	// Steps are the decisions taken, in order, as sentences.
	Steps []string `json:"steps"`
	// Candidates are the catalog versions of the module that were considered, in catalog order.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Outcome classifies the result.
	Outcome Outcome `json:"outcome"`
	// Resolution is the result on success.
	Resolution *Resolution `json:"resolution,omitempty"`
	// Error is the failure message (the *Error's text) on failure, and Err the *Error itself.
	Error string `json:"error,omitempty"`
	Err   *Error `json:"failure,omitempty"`
}

// Candidate is one catalog version considered while resolving.
type Candidate struct {
	Version string         `json:"version"`
	Status  catalog.Status `json:"status"`
	Reason  string         `json:"reason,omitempty"`
	// Default marks the module's default version.
	Default bool `json:"default,omitempty"`
	// Matches is true when the version satisfies the spec (equal to an exact version, inside a range,
	// or the default of an unpinned spec), whatever its status.
	Matches bool `json:"matches"`
	// Chosen marks the version the spec resolved to.
	Chosen bool `json:"chosen,omitempty"`
}

// Explain resolves spec like Resolve but records every step. It neither reads nor fills the cache and
// does not notify the observer: it is a diagnostic, not a rule's require.
func (r *Resolver) Explain(runtime, spec string) *Explanation {
	ex := &Explanation{Spec: spec, Runtime: runtime, Steps: []string{}}
	res, err, _ := r.resolve(runtime, spec, ex)
	if err != nil {
		ex.Outcome, ex.Error, ex.Err = err.Outcome, err.Error(), err
		ex.stepf("failed: %s", err.Detail)
		return ex
	}
	ex.Outcome, ex.Resolution = outcomeOf(res), res
	for i := range ex.Candidates {
		ex.Candidates[i].Chosen = ex.Candidates[i].Version == res.Version && res.Version != ""
	}
	ex.stepf("resolved to %s (%s, served by %s)", res.Key(), res.Status, describe(res))
	return ex
}

// stepf records a step; it is a no-op on a nil Explanation.
func (ex *Explanation) stepf(format string, args ...any) {
	if ex != nil {
		ex.Steps = append(ex.Steps, fmt.Sprintf(format, args...))
	}
}

func describe(res *Resolution) string {
	info := res.Implementation
	s := info.Kind.Label()
	if info.Description != "" {
		s += " " + fmt.Sprintf("%q", info.Description)
	}
	switch {
	case info.Range != "":
		s += " for " + info.Name + " " + info.Range
	case info.Version != "":
		s += " " + info.Name + "@" + info.Version
	}
	return s
}
