package audit

import (
	"context"
	"testing"
)

// BenchmarkAudit10kRules audits 10,000 synthetic rules of about 1 kB each (see syntheticRules)
// with the default number of workers.
func BenchmarkAudit10kRules(b *testing.B) {
	rules := syntheticRules(10000)
	opts := testOptions(b)
	bytes := 0
	for _, r := range rules {
		bytes += len(r.Script)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Run(context.Background(), rules, opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Rules) != len(rules) {
			b.Fatalf("%d rule reports", len(rep.Rules))
		}
	}
}

// BenchmarkAnalyze measures the static analysis of one typical rule.
func BenchmarkAnalyze(b *testing.B) {
	script := syntheticRules(2)[1].Script
	legacy := func(name string) bool { _, ok := legacyGlobals[name]; return ok }
	b.SetBytes(int64(len(script)))
	b.ReportAllocs()
	for b.Loop() {
		analyze(script, legacy)
	}
}
