package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/sandbox"
)

// printResult prints a human summary of one execution.
func (a *app) printResult(env *execEnv, res *sandbox.Result, verbose bool) {
	a.printf("outcome: %s", res.Outcome)
	if res.Error != "" {
		a.printf(" — %s", res.Error)
	}
	a.printf(" (%s)\n", fmtUS(float64(res.DurationUS)))
	if f := res.Failure; f != nil && f.Stack != "" && res.Outcome != sandbox.OutcomeUnauthorized {
		a.printf("%s\n", indent(f.Stack, "  "))
	}
	a.printf("\nrules:\n")
	rows := [][]string{{"  RULE", "RAN", "TIME"}}
	for _, r := range res.Rules {
		rows = append(rows, []string{"  " + r.Name, yesNo(r.Ran), fmtUS(float64(r.DurationUS))})
	}
	_ = a.table(rows)

	a.printChanges("user", env.user, res.User)
	a.printChanges("context", env.context, res.Context)

	if len(res.Logs) > 0 {
		a.printf("\nconsole:\n")
		for _, l := range res.Logs {
			a.printf("  [%s] %-5s %s\n", l.Rule, l.Level, strings.ReplaceAll(l.Message, "\n", "\n        "))
		}
		if res.LogsTruncated {
			a.printf("  (console output truncated)\n")
		}
	}
	if len(res.Requires) > 0 {
		a.printf("\nrequires:\n")
		rows := [][]string{{"  RULE", "SPEC", "RESOLVED", "HOW", "STATUS", "SERVED BY"}}
		for _, r := range res.Requires {
			resolved, status := r.Resolved, r.Status
			if r.Reason != "" {
				status += ": " + r.Reason
			}
			if r.Error != "" {
				resolved, status = "—", "error: "+r.Error
			}
			spec := r.Spec
			if r.Global != "" {
				spec = r.Spec + " (global " + r.Global + ")"
			}
			rows = append(rows, []string{"  " + r.Rule, spec, resolved, r.How, status, registry.Kind(r.Kind).Label()})
		}
		_ = a.table(rows)
	}
	if len(res.HTTP) > 0 {
		a.printf("\nhttp:\n")
		rows := [][]string{{"  RULE", "METHOD", "HOST", "STATUS", "TIME"}}
		for _, c := range res.HTTP {
			status := fmt.Sprint(c.Status)
			if c.Error != "" {
				status = "error: " + c.Error
			}
			rows = append(rows, []string{"  " + c.Rule, c.Method, c.Host, status, fmtUS(float64(c.DurationUS))})
		}
		_ = a.table(rows)
	}
	for _, w := range res.Warnings {
		a.printf("warning: %s\n", w)
	}
	if verbose {
		a.printf("\nfinal user:\n%s\nfinal context:\n%s\n", prettyJSON(res.User), prettyJSON(res.Context))
	}
	a.printf("\nManagement API: %s\n", env.mgmtURL)
}

// printChanges prints the top-level keys of after that differ from before.
func (a *app) printChanges(label string, before, after map[string]any) {
	if after == nil {
		return
	}
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var lines []string
	for _, k := range names {
		b, inB := before[k]
		v, inA := after[k]
		switch {
		case inA && !inB:
			lines = append(lines, fmt.Sprintf("  + %s: %s", k, compactJSON(v)))
		case inB && !inA:
			lines = append(lines, fmt.Sprintf("  - %s", k))
		case !reflect.DeepEqual(normalize(b), normalize(v)):
			lines = append(lines, fmt.Sprintf("  ~ %s: %s → %s", k, compactJSON(b), compactJSON(v)))
		}
	}
	if len(lines) == 0 {
		a.printf("\n%s: unchanged\n", label)
		return
	}
	a.printf("\n%s changes:\n%s\n", label, strings.Join(lines, "\n"))
}

// normalize round-trips v through JSON so numbers compare equal whatever their Go type.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:197]) + "..."
	}
	return string(b)
}

func prettyJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
