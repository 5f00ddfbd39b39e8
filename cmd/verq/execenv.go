package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/tenant"
	httpmods "github.com/verq/verq/registry/http"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
	"github.com/verq/verq/sandbox"
	"github.com/verq/verq/sandbox/rules"
)

// mgmtFlags say which Management API the auth0 shim and the auth0 global talk to.
type mgmtFlags struct {
	url, token, caFile string
}

func (m *mgmtFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.url, "mgmt-url", "", "Management API base `URL`, e.g. http://127.0.0.1:8081/api/v2 (default: the in-process local tenant)")
	fs.StringVar(&m.token, "mgmt-token", "", "bearer token for --mgmt-url (default $VERQ_MGMT_TOKEN)")
	fs.StringVar(&m.caFile, "ca-file", "", "extra CA certificates (PEM `file`) for --mgmt-url")
}

// execEnv is everything one rule execution needs, opened once per command.
type execEnv struct {
	store    *catalog.Store
	tenant   *tenant.Tenant
	resolver *resolver.Resolver
	ruleset  *sandbox.Ruleset
	executor *sandbox.Executor
	user     map[string]any
	context  map[string]any
	mgmtURL  string
	// usage records the requires with --record-usage; nil otherwise.
	usage *audit.UsageRecorder
}

func (e *execEnv) Close() {
	if e == nil {
		return
	}
	if e.tenant != nil {
		e.tenant.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
}

// gcPercent is the garbage collector's target (GOGC) of the commands that execute rules (run, bench,
// serve) when the environment sets none.
//
// Rule executions allocate fast (about 1.4 KB for a trivial rule, 15 KB for a five-rule pipeline)
// while the process keeps a small live heap, so with the default GOGC=100 the collector runs every
// few milliseconds, and its mark phases, assists and write barriers take a larger share of the CPU
// the more executions run in parallel. Measured with the sandbox's parallel benchmarks on a 2-core
// machine (one executor): a trivial rule on 2 cores ran at 1.03× its single-core throughput with
// GOGC=100 and 1.56× with GOGC=400; the five-rule pipeline at 1.07× and 1.64×. 400 lets the heap grow
// to five times the live data between collections, a small price for a heap that holds the catalog,
// the runtimes and little else.
const gcPercent = 400

// tuneGC applies gcPercent unless GOGC is set in the process environment (which the Go runtime has
// already applied; GOMEMLIMIT keeps working either way).
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}

func (a *app) newExecEnv(ctx context.Context, ef *execFlags, ruleArgs []string) (env *execEnv, err error) {
	tuneGC()
	if len(ruleArgs) == 0 && !ef.tenantRules {
		return nil, usagef("give at least one rule file, directory or rules export (or --tenant-rules)")
	}
	if len(ruleArgs) > 0 && ef.tenantRules {
		return nil, usagef("--tenant-rules runs the tenant's stored rules: do not also give rule files")
	}
	if ef.timeout <= 0 {
		return nil, usagef("--timeout must be positive")
	}
	env = &execEnv{}
	// Failing returns set env to nil, so the cleanup keeps its own reference.
	opened := env
	defer func() {
		if err != nil {
			opened.Close()
		}
	}()
	if env.user, err = readJSONObject(ef.userFile, defaultUserJSON); err != nil {
		return nil, err
	}
	if env.context, err = readJSONObject(ef.contextFile, defaultContextJSON); err != nil {
		return nil, err
	}
	config, err := a.readConfiguration(ef)
	if err != nil {
		return nil, err
	}

	if env.store, err = a.openCatalog(!ef.recordUsage); err != nil {
		return nil, err
	}
	if ef.recordUsage {
		if env.usage, err = audit.NewUsageRecorder(env.store.DB(), audit.UsageOptions{Logger: a.log}); err != nil {
			return nil, err
		}
	}

	var globals []registry.GlobalInstaller
	provOpts := auth0.Options{CAFile: ef.mgmt.caFile, Logger: a.log}
	if ef.mgmt.url == "" || ef.tenantRules {
		if env.tenant, err = a.openTenant(&ef.tenant, false); err != nil {
			return nil, err
		}
	}
	if ef.mgmt.url == "" {
		tok, err := env.tenant.IssueToken(tenant.RulesScopes(), time.Hour)
		if err != nil {
			return nil, err
		}
		provOpts.Transport = recordCalls(env.tenant.RoundTripper())
		env.mgmtURL = env.tenant.BaseURL() + " (in-process local tenant)"
		globals = append(globals, auth0.Global(auth0.GlobalOptions{Domain: env.tenant.Domain(), AccessToken: tok, Transport: provOpts.Transport}))
	} else {
		u, err := url.Parse(ef.mgmt.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--mgmt-url %q: expected an http(s) URL such as http://127.0.0.1:8081/api/v2", ef.mgmt.url)
		}
		tok := ef.mgmt.token
		if tok == "" {
			tok = a.getenv("VERQ_MGMT_TOKEN")
		}
		if tok == "" {
			fmt.Fprintln(a.stderr, "verq: warning: no --mgmt-token (or VERQ_MGMT_TOKEN): the auth0 global's accessToken is empty and Management API calls will get 401")
		}
		provOpts.MgmtURL = strings.TrimRight(ef.mgmt.url, "/")
		env.mgmtURL = provOpts.MgmtURL
		globals = append(globals, auth0.Global(auth0.GlobalOptions{Domain: u.Host, AccessToken: tok, MgmtURL: provOpts.MgmtURL}))
	}
	reg, err := a.fullRegistry(env.store, provOpts)
	if err != nil {
		return nil, err
	}
	env.resolver = resolver.New(env.store, reg)

	policy, err := ef.egress.policy()
	if err != nil {
		return nil, err
	}
	httpClient, err := egress.NewClient(egress.Options{Policy: policy})
	if err != nil {
		return nil, err
	}
	if env.tenant != nil && ef.mgmt.url == "" {
		// Rules that call auth0.baseUrl with request/axios/fetch reach the in-process tenant too.
		httpClient.Transport = &hostRoute{host: env.tenant.Domain(), local: provOpts.Transport, next: httpClient.Transport}
	}

	var rs []sandbox.Rule
	if ef.tenantRules {
		trs, err := env.tenant.EnabledRules()
		if err != nil {
			return nil, err
		}
		if len(trs) == 0 {
			return nil, errors.New("the local tenant has no enabled rules (create some with POST /api/v2/rules)")
		}
		for _, r := range trs {
			rs = append(rs, sandbox.Rule{ID: r.ID, Name: r.Name, Script: r.Script, Order: int(r.Order), Enabled: r.Enabled, Stage: r.Stage})
		}
		tconf, err := env.tenant.Configuration()
		if err != nil {
			return nil, err
		}
		for k, v := range tconf {
			if _, set := config[k]; !set {
				config[k] = v
			}
		}
	} else if rs, err = rules.Load(ruleArgs...); err != nil {
		return nil, err
	}
	if env.ruleset, err = sandbox.Compile(rs); err != nil {
		return nil, err
	}
	globals = append(globals, httpmods.FetchGlobal())
	env.executor, err = sandbox.NewExecutor(env.ruleset, sandbox.Config{
		Tenant:        "cli",
		Runtime:       a.runtimeName(),
		Resolver:      env.resolver,
		Configuration: config,
		Limits:        sandbox.Limits{Timeout: ef.timeout},
		Globals:       globals,
		HTTPClient:    httpClient,
		Logger:        a.log,
		LegacyGlobals: ef.legacyGlobals,
	})
	if err != nil {
		return nil, err
	}
	return env, nil
}

// recordRequires counts every require of res for `verq audit --usage`: one Record per require.
func recordRequires(u *audit.UsageRecorder, tenant, runtime string, res *sandbox.Result) {
	for i := range res.Requires {
		q := &res.Requires[i]
		u.Record(audit.UsageRecord{Tenant: tenant, Runtime: runtime, Rule: q.Rule, Spec: q.Spec, Resolved: q.Resolved, Error: q.Error})
	}
}

// readConfiguration merges --config-file and --config KEY=VALUE (flags win).
func (a *app) readConfiguration(ef *execFlags) (map[string]string, error) {
	config := map[string]string{}
	if ef.configFile != "" {
		m, err := readJSONObject(ef.configFile, nil)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: configuration value %q must be a string (rules see configuration values as strings)", ef.configFile, k)
			}
			config[k] = s
		}
	}
	for _, kv := range ef.config {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("--config %q: expected KEY=VALUE", kv)
		}
		config[k] = v
	}
	return config, nil
}

// recordCalls makes the exchanges of rt, a round tripper outside the egress core (the in-process local
// tenant), show in the execution result: each is reported to the egress.Recorder of the request's
// context, as egress clients do (method, host, status, duration, error; never the URL's path or
// query, headers or bodies).
func recordCalls(rt http.RoundTripper) http.RoundTripper { return recordedTransport{next: rt} }

type recordedTransport struct{ next http.RoundTripper }

func (t recordedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := egress.RecorderFrom(req.Context())
	if rec == nil {
		return t.next.RoundTrip(req)
	}
	c := &recordedCall{rec: rec, call: egress.Call{Method: req.Method, Host: req.URL.Host}, start: time.Now()}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // a url.Error names the whole URL, query included
		}
		c.finish(err)
		return nil, err
	}
	c.call.Status = resp.StatusCode
	resp.Body = &recordedBody{ReadCloser: resp.Body, c: c}
	return resp, nil
}

// recordedCall reports one exchange once, when its response body ends.
type recordedCall struct {
	rec   egress.Recorder
	call  egress.Call
	start time.Time
	once  sync.Once
}

func (c *recordedCall) finish(err error) {
	c.once.Do(func() {
		c.call.DurationUS = time.Since(c.start).Microseconds()
		if err != nil {
			c.call.Error = err.Error()
		}
		c.rec.RecordHTTP(c.call)
	})
}

type recordedBody struct {
	io.ReadCloser
	c *recordedCall
}

func (b *recordedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.c.finish(nil)
	case err != nil:
		b.c.finish(err)
	}
	return n, err
}

func (b *recordedBody) Close() error {
	b.c.finish(nil)
	return b.ReadCloser.Close()
}
