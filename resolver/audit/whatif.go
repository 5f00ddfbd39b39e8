package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/verq/verq/catalog"
	"github.com/verq/verq/resolver"
)

// Effects of removing a version on one rule (RuleImpact.Effect).
const (
	// EffectBreaks: the rule pins the version (or its range matches nothing else, or the version it
	// moves to lacks a method it calls); its require or a call fails.
	EffectBreaks = "breaks"
	// EffectMoves: the rule's range re-resolves to another allowed version that has every method
	// the rule calls.
	EffectMoves = "moves"
	// EffectDefault: the rule requires the module unpinned and the version is the default; it will
	// follow whatever becomes the default.
	EffectDefault = "default_removed"
)

// Impact is the answer of WhatIfRemove: which rules depend on one module version and what happens
// to each if the version leaves the catalog.
type Impact struct {
	Runtime string `json:"runtime"`
	// Module and Version name the version removed.
	Module  string `json:"module"`
	Version string `json:"version"`
	// WasDefault is true when the version is the module's default.
	WasDefault bool `json:"was_default"`
	// Remaining are the other allowed (not deprecated, not blocked) versions, in semver order.
	Remaining []string `json:"remaining"`
	// Rules are the affected rules in report order.
	Rules []RuleImpact `json:"rules"`
	// Breaking counts the rules whose Effect is breaks.
	Breaking int `json:"breaking"`
}

// RuleImpact is what removing the version does to one rule.
type RuleImpact struct {
	Rule   string `json:"rule"`
	Source string `json:"source"`
	// Line and Column locate the rule's first require of the version.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Specs are the rule's specifiers that resolve to the version.
	Specs []string `json:"specs"`
	// Effect is breaks, moves or default_removed (the worst over Specs).
	Effect string `json:"effect"`
	// MovesTo is the version a range would resolve to instead; empty when none.
	MovesTo string `json:"moves_to,omitempty"`
	// Methods are the ManagementClient methods the rule calls on this module (auth0 only), sorted.
	Methods []string `json:"methods,omitempty"`
	// Lowest and Highest are the lowest and highest remaining allowed versions that have every
	// method in Methods (any remaining allowed version when Methods is empty); empty when none has.
	Lowest  string `json:"lowest,omitempty"`
	Highest string `json:"highest,omitempty"`
	// Alternatives are the remaining allowed versions with every method in Methods, in semver order.
	Alternatives []string `json:"alternatives"`
	// Message says what happens, in one sentence.
	Message string `json:"message"`
}

// WhatIfRemove reports what removing spec (an exact name@version) from opts.Runtime would do to
// the audited rules. It uses rep when given (rules is then ignored); with a nil rep it audits rules
// first. opts.Catalog is required (for the module's other versions); opts.Methods is used to find
// the versions that have every ManagementClient method a rule calls.
//
// A rule pinning the version breaks. A rule whose range matches the version moves to the highest
// remaining match (it breaks when there is none, or when that version lacks a method the rule
// calls). A rule requiring the module unpinned is affected only when the version is the default.
// For each affected rule the lowest and highest remaining allowed version having every method the
// rule calls are given (for modules other than auth0: the remaining allowed versions).
func WhatIfRemove(ctx context.Context, rep *Report, rules []Rule, spec string, opts Options) (*Impact, error) {
	if opts.Catalog == nil {
		return nil, errors.New("audit: what-if needs Options.Catalog to list the module's versions")
	}
	sp, err := resolver.ParseSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("audit: what-if: %w", err)
	}
	if sp.Version == "" || sp.IsRange() || sp.Subpath != "" {
		return nil, fmt.Errorf("audit: what-if: %q must name one exact version, e.g. auth0@2.9.1", spec)
	}
	if rep == nil {
		if rep, err = Run(ctx, rules, opts); err != nil {
			return nil, err
		}
	}
	rt := rep.Runtime
	if rt == "" {
		rt = opts.runtime()
	}
	mod, err := opts.Catalog.Module(rt, sp.Name)
	if err != nil {
		return nil, fmt.Errorf("audit: what-if: module %s in runtime %q: %w", sp.Name, rt, err)
	}
	if _, ok := mod.Lookup(sp.Version); !ok {
		return nil, fmt.Errorf("audit: what-if: %s is not in runtime %q (listed: %s)", spec, rt, strings.Join(listed(mod), ", "))
	}
	imp := &Impact{Runtime: rt, Module: sp.Name, Version: sp.Version, WasDefault: mod.Default == sp.Version, Remaining: []string{}, Rules: []RuleImpact{}}
	var resolvable []string // remaining versions a range may still resolve to (allowed or deprecated)
	for _, v := range mod.Versions {
		if v.Version == sp.Version {
			continue
		}
		if v.Status == catalog.StatusAllowed {
			imp.Remaining = append(imp.Remaining, v.Version)
		}
		if v.Status != catalog.StatusBlocked {
			resolvable = append(resolvable, v.Version)
		}
	}
	slices.SortFunc(imp.Remaining, compareVersions)
	slices.SortFunc(resolvable, compareVersions)
	methods := newMethodIndex(opts.Methods)

	for _, rr := range rep.Rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ri, ok := ruleImpact(rr, sp.Name, sp.Version, imp, resolvable, methods)
		if !ok {
			continue
		}
		if ri.Effect == EffectBreaks {
			imp.Breaking++
		}
		imp.Rules = append(imp.Rules, ri)
	}
	return imp, nil
}

func listed(m catalog.Module) []string {
	out := make([]string, 0, len(m.Versions))
	for _, v := range m.Versions {
		out = append(out, v.Version)
	}
	return out
}

// effectRank orders effects from mildest to worst.
func effectRank(e string) int {
	switch e {
	case EffectMoves:
		return 1
	case EffectDefault:
		return 2
	case EffectBreaks:
		return 3
	}
	return 0
}

// ruleImpact computes the impact on one rule, and false when the rule does not use the version.
func ruleImpact(rr RuleReport, name, version string, imp *Impact, resolvable []string, methods *methodIndex) (RuleImpact, bool) {
	ri := RuleImpact{Rule: rr.Name, Source: rr.Source, Specs: []string{}, Alternatives: []string{}}
	var reasons []string
	for _, rq := range rr.Requires {
		if rq.Module != name || rq.Version != version {
			continue
		}
		effect, why := EffectBreaks, ""
		switch rq.How {
		case string(resolver.HowDefault):
			effect, why = EffectDefault, fmt.Sprintf("%s follows the default, which is being removed", rq.Spec)
		case string(resolver.HowRange):
			to := highestMatch(rq.Requested, resolvable)
			if to == "" {
				why = fmt.Sprintf("%s matches no other version", rq.Spec)
			} else {
				effect, why = EffectMoves, fmt.Sprintf("%s moves to %s", rq.Spec, to)
				ri.MovesTo = to
			}
		default:
			why = fmt.Sprintf("%s pins the version", rq.Spec)
		}
		if ri.Specs = append(ri.Specs, rq.Spec); len(ri.Specs) == 1 {
			ri.Line, ri.Column = rq.Line, rq.Column
		}
		if effectRank(effect) > effectRank(ri.Effect) {
			ri.Effect = effect
		}
		reasons = append(reasons, why)
	}
	if len(ri.Specs) == 0 {
		return ri, false
	}
	var calls []MethodCall
	if name == "auth0" {
		seen := map[string]bool{}
		for _, c := range rr.Calls {
			if c.Version == version && slices.Contains(ri.Specs, c.Spec) {
				calls = append(calls, c)
				if !seen[c.Method] {
					seen[c.Method] = true
					ri.Methods = append(ri.Methods, c.Method)
				}
			}
		}
		slices.Sort(ri.Methods)
	}
	unchecked := len(calls) > 0 && methods == nil
	for _, v := range imp.Remaining {
		if unchecked || methods.hasAll(v, calls) {
			ri.Alternatives = append(ri.Alternatives, v)
		}
	}
	if n := len(ri.Alternatives); n > 0 {
		ri.Lowest, ri.Highest = ri.Alternatives[0], ri.Alternatives[n-1]
	}
	if ri.MovesTo != "" && !unchecked && !methods.hasAll(ri.MovesTo, calls) {
		ri.Effect = EffectBreaks
		reasons = append(reasons, fmt.Sprintf("%s lacks a method the rule calls", ri.MovesTo))
	}
	msg := strings.Join(reasons, "; ")
	switch {
	case ri.Lowest == "" && len(ri.Methods) > 0:
		msg += "; no remaining allowed version has every method the rule calls"
	case ri.Lowest == "":
		msg += "; no allowed version remains"
	case ri.Effect != EffectMoves && ri.Lowest == ri.Highest:
		msg += fmt.Sprintf("; use %s@%s", name, ri.Lowest)
	case ri.Effect != EffectMoves:
		msg += fmt.Sprintf("; use a version from %s to %s", ri.Lowest, ri.Highest)
	}
	if unchecked {
		msg += " (methods not checked: no method table)"
	}
	ri.Message = msg
	return ri, true
}

// highestMatch returns the highest version of versions (ascending) matching the range, or "".
func highestMatch(rng string, versions []string) string {
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return ""
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if v, err := semver.NewVersion(versions[i]); err == nil && c.Check(v) {
			return versions[i]
		}
	}
	return ""
}
