package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/resolver"
)

// Rule is one rule script to audit.
type Rule struct {
	// Name is the rule's name, used in every view.
	Name string `json:"name"`
	// Script is the rule's source: a function expression, as stored by the Rules platform.
	Script string `json:"script"`
	// Source says where the rule came from: a file path, or "tenant" for rules read over the API.
	// It becomes the SARIF artifact location.
	Source string `json:"source"`
}

// Resolver resolves a spec against a runtime; *resolver.Resolver implements it. Failures must be
// *resolver.Error values, as the resolver returns them.
type Resolver interface {
	Resolve(runtime, spec string) (*resolver.Resolution, error)
}

// Catalog reads one module of a runtime's catalog; the catalog store implements it. It is only
// needed by WhatIfRemove.
type Catalog interface {
	Module(runtime, name string) (catalog.Module, error)
}

// Options configures Run and WhatIfRemove.
type Options struct {
	// Runtime is the catalog the requires are resolved against. Default: catalog.DefaultRuntime.
	Runtime string
	// Resolver resolves specs. Required. Run calls it once per distinct spec.
	Resolver Resolver
	// Catalog lists a module's versions. Required by WhatIfRemove only.
	Catalog Catalog
	// Methods is the ManagementClient method table. Default: none, and ManagementClient calls are
	// listed but not checked.
	Methods MethodTable
	// Workers is the number of rules analysed in parallel. Default: runtime.GOMAXPROCS(0).
	Workers int
}

func (o Options) runtime() string {
	if o.Runtime == "" {
		return catalog.DefaultRuntime
	}
	return o.Runtime
}

// Run audits rules against one runtime: it parses each rule, resolves each literal require, checks
// ManagementClient calls against the required auth0 version, and reports legacy globals. A rule
// that does not parse is reported as a parse_error finding and the audit goes on.
//
// Run fails only when the audit itself cannot proceed: no resolver, an unknown runtime, a catalog
// that cannot be read, or ctx done. Rules are analysed on opts.Workers goroutines; the report is
// the same whatever the number of workers.
func Run(ctx context.Context, rules []Rule, opts Options) (*Report, error) {
	e, err := newEnv(opts)
	if err != nil {
		return nil, err
	}
	results := make([]ruleResult, len(rules))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(rules)))

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(rules) || ctx.Err() != nil {
					return
				}
				r, err := e.auditRule(rules[i])
				if err != nil {
					cancel(err)
					return
				}
				results[i] = r
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return assemble(e.runtime, results), nil
}

// env is the shared state of one audit run. It is safe for concurrent use.
type env struct {
	runtime  string
	resolver Resolver
	methods  *methodIndex
	legacy   func(string) bool

	mu    sync.Mutex
	cache map[string]*resolved
}

// resolved is the cached answer for one spec.
type resolved struct {
	res  *resolver.Resolution
	rerr *resolver.Error
	spec resolver.Spec // parsed spec; zero when the spec is invalid
}

func newEnv(opts Options) (*env, error) {
	if opts.Resolver == nil {
		return nil, errors.New("audit: Options.Resolver is required")
	}
	e := &env{
		runtime:  opts.runtime(),
		resolver: opts.Resolver,
		methods:  newMethodIndex(opts.Methods),
		cache:    make(map[string]*resolved),
	}
	served := map[string]bool{}
	for _, name := range coreLegacy {
		r, err := e.resolve(name)
		if err != nil {
			return nil, err
		}
		served[name] = r.res != nil && r.res.How == resolver.HowCore
	}
	e.legacy = func(name string) bool {
		if _, ok := legacyGlobals[name]; !ok {
			return false
		}
		return !served[name]
	}
	return e, nil
}

// resolve resolves a spec once per run. Failures that concern the audit rather than the spec
// (unknown runtime, unreadable catalog, unexpected error types) are returned as errors.
func (e *env) resolve(spec string) (*resolved, error) {
	e.mu.Lock()
	r, ok := e.cache[spec]
	e.mu.Unlock()
	if ok {
		return r, nil
	}
	r = &resolved{}
	r.spec, _ = resolver.ParseSpec(spec)
	res, err := e.resolver.Resolve(e.runtime, spec)
	switch {
	case err == nil && res == nil:
		return nil, fmt.Errorf("audit: resolving %q: the resolver returned neither a resolution nor an error", spec)
	case err == nil:
		r.res = res
	default:
		var rerr *resolver.Error
		if !errors.As(err, &rerr) {
			return nil, fmt.Errorf("audit: resolving %q: %w", spec, err)
		}
		switch rerr.Outcome {
		case resolver.OutcomeUnknownRuntime:
			return nil, fmt.Errorf("audit: runtime %q: %w", e.runtime, err)
		case resolver.OutcomeCatalogError, resolver.OutcomeOK, resolver.OutcomeDeprecated:
			return nil, fmt.Errorf("audit: resolving %q: %w", spec, err)
		}
		r.rerr = rerr
	}
	e.mu.Lock()
	e.cache[spec] = r
	e.mu.Unlock()
	return r, nil
}

// ruleResult is the audit of one rule.
type ruleResult struct {
	report   RuleReport
	findings []Finding
}

// auditRule analyses one rule and resolves what it requires.
func (e *env) auditRule(rule Rule) (ruleResult, error) {
	an := analyze(rule.Script, e.legacy)
	out := ruleResult{report: RuleReport{Name: rule.Name, Source: rule.Source, Parsed: an.parse == nil, Requires: []Require{}}}
	add := func(line, col int, kind, spec, res, msg string) {
		out.findings = append(out.findings, Finding{
			Rule: rule.Name, Source: rule.Source, Line: line, Column: col,
			Severity: severityOf(kind), Kind: kind, Spec: spec, Resolved: res, Message: msg,
		})
	}
	if p := an.parse; p != nil {
		add(p.line, p.col, KindParseError, "", "", p.msg)
	}
	if p := an.incomplete; p != nil {
		add(p.line, p.col, KindIncomplete, "", "", p.msg)
	}
	for _, site := range an.requires {
		req := Require{Spec: site.spec, Line: site.line, Column: site.col}
		if !site.literal {
			req.Kind = KindDynamicRequire
			add(site.line, site.col, KindDynamicRequire, "", "", site.why+"; the audit cannot check what it loads")
			out.report.Requires = append(out.report.Requires, req)
			continue
		}
		r, err := e.resolve(site.spec)
		if err != nil {
			return ruleResult{}, err
		}
		kind, msg := classify(site.spec, r)
		req.Kind, req.Module, req.Requested = kind, r.spec.Name, r.spec.Version
		if r.res != nil {
			req.Module, req.Version, req.Requested, req.How, req.Resolved = r.res.Name, r.res.Version, r.res.Requested, string(r.res.How), r.res.Key()
		}
		add(site.line, site.col, kind, site.spec, req.Resolved, msg)
		out.report.Requires = append(out.report.Requires, req)
	}
	e.checkCalls(an.calls, &out, add)
	for _, g := range an.globals {
		add(g.line, g.col, KindLegacyGlobal, "", "", legacyMessage(g.name, g.uses, e.runtime))
	}
	slices.SortStableFunc(out.findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Kind, b.Kind))
	})
	for _, f := range out.findings {
		switch f.Severity {
		case SeverityError:
			out.report.Errors++
		case SeverityWarning:
			out.report.Warnings++
		default:
			out.report.Notes++
		}
	}
	return out, nil
}

// checkCalls records the rule's ManagementClient calls and checks each against the auth0 version
// its client's require resolves to.
func (e *env) checkCalls(calls []callSite, out *ruleResult, add func(line, col int, kind, spec, res, msg string)) {
	unchecked := map[string]bool{}
	for _, c := range calls {
		e.mu.Lock()
		r := e.cache[c.spec]
		e.mu.Unlock()
		if r == nil || r.spec.Name != "auth0" || r.spec.Subpath != "" {
			continue // a ManagementClient member of something other than auth0's main module
		}
		mc := MethodCall{Spec: c.spec, Method: c.method, Line: c.line, Column: c.col}
		if r.res != nil && r.res.Version != "" {
			mc.Version = r.res.Version
			resolvedKey := r.res.Key()
			if e.methods != nil {
				v := e.methods.check(mc.Version, c.method, c.flat)
				switch {
				case v.missing:
					mc.Missing = true
					add(c.line, c.col, KindMissingMethod, c.spec, resolvedKey, v.message)
				case !v.checked && !unchecked[mc.Version]:
					if !e.methods.knows(mc.Version) {
						unchecked[mc.Version] = true
						add(c.line, c.col, KindMethodsUnchecked, c.spec, resolvedKey,
							fmt.Sprintf("the method table does not know auth0 %s; its ManagementClient calls are not checked", mc.Version))
					}
				}
			}
		}
		out.report.Calls = append(out.report.Calls, mc)
	}
}

// classify maps a resolution to a finding kind and message.
func classify(spec string, r *resolved) (kind, msg string) {
	if res := r.res; res != nil {
		key := res.Key()
		switch {
		case res.Status == catalog.StatusDeprecated:
			msg = key + " is deprecated"
			if res.Reason != "" {
				msg += ": " + res.Reason
			}
			if spec != key {
				msg += fmt.Sprintf(" (%s resolves to it)", spec)
			}
			return KindDeprecated, msg
		case res.How == resolver.HowCore:
			return KindCore, fmt.Sprintf("%s is a core module", key)
		case res.How == resolver.HowDefault:
			return KindUnpinned, fmt.Sprintf("%s names no version and resolves to the default %s; pin it as '%s' so a change of default cannot change the rule", spec, key, key)
		case res.How == resolver.HowRange:
			return KindRange, fmt.Sprintf("%s resolves to %s, the highest allowed match", spec, key)
		}
		label := res.Implementation.Kind.Label()
		if label == "" {
			return KindOK, key + " is allowed"
		}
		return KindOK, fmt.Sprintf("%s is allowed (%s)", key, label)
	}
	e := r.rerr
	switch e.Outcome {
	case resolver.OutcomeInvalidSpec:
		return KindInvalidSpec, e.Error()
	case resolver.OutcomeBlocked:
		return KindBlocked, e.Error()
	case resolver.OutcomeNoImplementation:
		return KindNoImplementation, e.Error()
	}
	return KindNotInCatalog, e.Error()
}
