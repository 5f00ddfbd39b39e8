package audit

import (
	"cmp"
	"slices"

	"github.com/verq/verq/resolver"
)

// assemble builds the report from per-rule results in input order.
func assemble(runtime string, results []ruleResult) *Report {
	rep := &Report{Runtime: runtime, Rules: make([]RuleReport, 0, len(results)), Findings: []Finding{}}
	for _, r := range results {
		rep.Rules = append(rep.Rules, r.report)
		rep.Findings = append(rep.Findings, r.findings...)
		rep.Summary.Requires += len(r.report.Requires)
		rep.Summary.Calls += len(r.report.Calls)
		rep.Summary.Errors += r.report.Errors
		rep.Summary.Warnings += r.report.Warnings
		rep.Summary.Notes += r.report.Notes
	}
	rep.Summary.Rules = len(results)
	rep.ByModule = byModule(rep.Rules)
	return rep
}

// byModule groups the requires of all rules by module and version.
func byModule(rules []RuleReport) []ModuleUsage {
	type key struct{ module, version, status string }
	idx := map[key]int{}
	var out []ModuleUsage
	type seen struct{ rules, specs map[string]bool }
	var sets []seen
	for _, rr := range rules {
		for _, rq := range rr.Requires {
			if rq.Module == "" || rq.Kind == KindInvalidSpec {
				continue
			}
			k := key{module: rq.Module}
			switch {
			case rq.Resolved == "":
				k.version, k.status = rq.Requested, rq.Kind
			case rq.Kind == KindCore:
				k.status = StatusCore
			case rq.Kind == KindDeprecated:
				k.version, k.status = rq.Version, StatusDeprecated
			default:
				k.version, k.status = rq.Version, StatusAllowed
			}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, ModuleUsage{Module: k.module, Version: k.version, Status: k.status, Rules: []string{}, Specs: []string{}})
				sets = append(sets, seen{rules: map[string]bool{}, specs: map[string]bool{}})
			}
			m := &out[i]
			m.Requires++
			switch {
			case rq.Kind == KindCore:
			case rq.How == string(resolver.HowRange) || (rq.How == "" && isRangeText(rq.Requested)):
				m.Ranged++
			case rq.Requested == "":
				m.Unpinned++
			default:
				m.Pinned++
			}
			if set := sets[i]; !set.rules[rr.Name] {
				set.rules[rr.Name] = true
				m.Rules = append(m.Rules, rr.Name)
			}
			if set := sets[i]; !set.specs[rq.Spec] {
				set.specs[rq.Spec] = true
				m.Specs = append(m.Specs, rq.Spec)
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Rules)
		slices.Sort(out[i].Specs)
	}
	slices.SortFunc(out, func(a, b ModuleUsage) int {
		return cmp.Or(cmp.Compare(a.Module, b.Module), compareVersions(a.Version, b.Version), cmp.Compare(a.Status, b.Status))
	})
	if out == nil {
		out = []ModuleUsage{}
	}
	return out
}

// isRangeText reports whether a requested version text is a range rather than an exact version.
func isRangeText(v string) bool {
	if v == "" {
		return false
	}
	return resolver.Spec{Name: "x", Version: v}.IsRange()
}
