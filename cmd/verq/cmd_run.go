package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/verq/verq/sandbox"
)

//go:embed testuser.json
var defaultUserJSON []byte

//go:embed testcontext.json
var defaultContextJSON []byte

// execFlags are the flags shared by run, bench and anything else that executes rules.
type execFlags struct {
	userFile, contextFile, configFile string
	config                            multiFlag
	timeout                           time.Duration
	mgmt                              mgmtFlags
	tenant                            tenantFlags
	tenantRules                       bool
	legacyGlobals                     bool
	egress                            egressFlags
	// recordUsage (verq run --record-usage) records the execution's requires in the catalog database.
	recordUsage bool
}

func (e *execFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.userFile, "user", "", "user JSON `file` (default: a sample user)")
	fs.StringVar(&e.contextFile, "context", "", "context JSON `file` (default: a sample context)")
	fs.Var(&e.config, "config", "configuration `KEY=VALUE` (repeatable)")
	fs.StringVar(&e.configFile, "config-file", "", "configuration JSON `file` ({\"KEY\": \"value\"})")
	fs.DurationVar(&e.timeout, "timeout", 20*time.Second, "pipeline deadline")
	fs.BoolVar(&e.tenantRules, "tenant-rules", false, "run the local tenant's enabled rules (and its rules-configs) instead of files")
	fs.BoolVar(&e.legacyGlobals, "legacy-globals", false, "give rules the old sandbox's globals (request, _, async, q, uuid, crypto, jwt, …), each required on first use")
	e.egress.register(fs)
	e.mgmt.register(fs)
	e.tenant.register(fs)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func runCommands() []*command {
	var (
		ef          execFlags
		n, conc     int
		warmup      int
		showVerbose bool
	)
	return []*command{
		{
			path: "run", usage: "run RULE.js|DIR|EXPORT.json… [--user F] [--context F] [--config K=V]… [--config-file F] [--timeout D] [--mgmt-url URL] [--json]",
			summary: "run rules through the Rules pipeline and show outcome, changes, logs, requires and timings",
			flags: func(fs *flag.FlagSet) {
				ef.register(fs)
				fs.BoolVar(&showVerbose, "v", false, "also print the full final user and context")
				fs.BoolVar(&ef.recordUsage, "record-usage", false, "record the requires in the catalog database (opened read-write) for verq audit --usage")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				env, err := a.newExecEnv(ctx, &ef, args)
				if err != nil {
					return err
				}
				defer env.Close()
				res, err := env.executor.Execute(ctx, cloneMap(env.user), cloneMap(env.context))
				if err != nil {
					return err
				}
				if env.usage != nil {
					recordRequires(env.usage, "cli", a.runtimeName(), res)
					if err := env.usage.Close(); err != nil {
						return fmt.Errorf("recording usage: %w", err)
					}
				}
				if a.g.json {
					if err := a.printJSON(res); err != nil {
						return err
					}
				} else {
					a.printResult(env, res, showVerbose)
				}
				switch res.Outcome {
				case sandbox.OutcomeOK:
					return nil
				case sandbox.OutcomeUnauthorized:
					return exitError{code: 3}
				default:
					return exitError{code: 4}
				}
			},
		},
		{
			path: "bench", usage: "bench RULE.js… [-n N] [--concurrency C] [--json]",
			summary: "measure what rules cost: p50/p90/p99 latency and executions per second",
			flags: func(fs *flag.FlagSet) {
				ef.register(fs)
				fs.IntVar(&n, "n", 10000, "number of executions")
				fs.IntVar(&conc, "concurrency", 1, "concurrent executions")
				fs.IntVar(&warmup, "warmup", 100, "executions before measuring")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if n <= 0 || conc <= 0 || warmup < 0 {
					return usagef("-n and --concurrency must be positive")
				}
				env, err := a.newExecEnv(ctx, &ef, args)
				if err != nil {
					return err
				}
				defer env.Close()
				rep, err := runBench(ctx, env, n, conc, warmup)
				if err != nil {
					return err
				}
				if a.g.json {
					return a.printJSON(rep)
				}
				a.printf("%d executions of %d rule(s), concurrency %d\n", rep.N, rep.Rules, rep.Concurrency)
				a.printf("outcomes: %s\n", formatCounts(rep.Outcomes))
				return a.table([][]string{
					{"P50", "P90", "P99", "MAX", "MEAN", "PER SECOND"},
					{fmtUS(rep.P50), fmtUS(rep.P90), fmtUS(rep.P99), fmtUS(rep.Max), fmtUS(rep.Mean), fmt.Sprintf("%.0f", rep.PerSecond)},
				})
			},
		},
	}
}

func fmtUS(us float64) string {
	if us >= 1000 {
		return fmt.Sprintf("%.2fms", us/1000)
	}
	return fmt.Sprintf("%.1fµs", us)
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func readJSONObject(path string, fallback []byte) (map[string]any, error) {
	data := fallback
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		data = b
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		name := path
		if name == "" {
			name = "built-in sample"
		}
		return nil, fmt.Errorf("%s: not a JSON object: %w", name, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s: expected a JSON object, got null", path)
	}
	return m, nil
}

// cloneMap deep-copies a JSON-shaped map so every execution starts from the same input.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
