package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/cmd/verq/internal/web"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/tenant"
	httpmods "github.com/verq/verq/registry/http"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
	"github.com/verq/verq/sandbox"
)

// serveFlags are the flags of `verq serve`.
type serveFlags struct {
	addr, cert, key string
	readOnly        bool
	noExecute       bool
	rotateToken     bool
	legacyGlobals   bool
	execTimeout     time.Duration
	logFormat       string
	mgmt            mgmtFlags
	tenant          tenantFlags
	egress          egressFlags
}

func serveCommands() []*command {
	var sf serveFlags
	return []*command{{
		path:    "serve",
		usage:   "serve [--addr 127.0.0.1:8080] [--read-only] [--no-execute] [--mgmt-url URL] [--tls-cert F --tls-key F] [--rotate-admin-token]",
		summary: "browse and curate allowed versions over HTTP: page, JSON API, canirequire list, admin writes, rule execution, metrics",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&sf.addr, "addr", "127.0.0.1:8080", "listen `address`")
			fs.StringVar(&sf.cert, "tls-cert", "", "TLS certificate `file` (PEM)")
			fs.StringVar(&sf.key, "tls-key", "", "TLS key `file` (PEM)")
			fs.BoolVar(&sf.readOnly, "read-only", false, "open the catalog read-only: other read-only verq commands may share it, admin writes answer 503")
			fs.BoolVar(&sf.noExecute, "no-execute", false, "disable POST /api/v1/execute (and do not open the local tenant)")
			fs.BoolVar(&sf.rotateToken, "rotate-admin-token", false, "generate a new admin token, print it once and forget the old one")
			fs.DurationVar(&sf.execTimeout, "execute-timeout", sandbox.DefaultTimeout, "longest (and default) rule pipeline deadline of POST /api/v1/execute")
			fs.BoolVar(&sf.legacyGlobals, "legacy-globals", false, "give executed rules the old sandbox's globals (request, _, async, q, uuid, crypto, jwt, …), each required on first use")
			fs.StringVar(&sf.logFormat, "log-format", "text", "request log format: text or json (on stderr, one record per request)")
			sf.mgmt.register(fs)
			sf.tenant.register(fs)
			sf.egress.register(fs)
		},
		run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(args, 0, 0); err != nil {
				return err
			}
			return a.serve(ctx, &sf)
		},
	}}
}

func (a *app) serve(ctx context.Context, sf *serveFlags) error {
	if (sf.cert == "") != (sf.key == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if sf.execTimeout <= 0 {
		return usagef("--execute-timeout must be positive")
	}
	if sf.logFormat != "text" && sf.logFormat != "json" {
		return usagef("--log-format %q: use text or json", sf.logFormat)
	}
	if sf.readOnly && sf.rotateToken {
		return usagef("--rotate-admin-token stores the new token's hash: it cannot be used with --read-only")
	}
	if !sf.noExecute {
		tuneGC()
	}
	st, err := a.openCatalog(sf.readOnly)
	if err != nil {
		return err
	}
	defer st.Close()

	token, err := a.adminToken(st, sf)
	if err != nil {
		return err
	}
	metrics := web.NewMetrics()
	exe := &serveExecutor{a: a, timeout: sf.execTimeout, legacyGlobals: sf.legacyGlobals, cache: map[string]*cachedExecutor{}}
	defer exe.Close()
	// Run-time usage: every execution's requires, aggregated in memory and flushed to the catalog file
	// (buckets "usage.*") every few seconds and at shutdown. A read-only server records nothing but
	// still shows what was recorded before.
	if !sf.readOnly {
		if exe.usage, err = audit.NewUsageRecorder(st.DB(), audit.UsageOptions{Logger: a.log}); err != nil {
			return err
		}
		exe.usage.Start(ctx)
		defer func() {
			if err := exe.usage.Close(); err != nil {
				a.log.Warn("recording usage: the last flush failed", "err", err)
			}
		}()
	}
	provOpts := auth0.Options{CAFile: sf.mgmt.caFile, Logger: a.log}
	if !sf.noExecute {
		if err := exe.connect(sf, &provOpts); err != nil {
			return err
		}
	}
	reg, err := a.fullRegistry(st, provOpts)
	if err != nil {
		return err
	}
	exe.resolver = resolver.New(st, reg, resolver.WithObserver(metrics))
	cfg := web.Config{
		Catalog:           st,
		Registry:          reg,
		Resolver:          exe.resolver,
		DefaultRuntime:    a.runtimeName(),
		Token:             token,
		Metrics:           metrics,
		Logger:            a.serverLogger(sf.logFormat),
		MaxExecuteTimeout: sf.execTimeout,
		Usage:             web.UsageFromDB(st.DB()),
	}
	if !sf.noExecute {
		cfg.Execute = exe.execute
	}
	srv, err := web.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if sf.cert != "" {
		cert, err := tls.LoadX509KeyPair(sf.cert, sf.key)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	mode := "read-write: other verq commands on this file wait until the server stops"
	if sf.readOnly {
		mode = "read-only: admin writes answer 503"
	}
	a.printf("verq serving %s://%s/ (runtime %q by default)\n", scheme, ln.Addr(), a.runtimeName())
	a.printf("catalog %s (%s)\n", st.Path(), mode)
	if exe.mgmtURL != "" {
		a.printf("rule execution: POST /api/v1/execute, Management API %s\n", exe.mgmtURL)
	}
	return srv.Serve(ctx, ln)
}

// adminToken returns the token that authorizes admin requests: VERQ_ADMIN_TOKEN, else the one whose hash
// the catalog file keeps, else a new one, printed once.
func (a *app) adminToken(st *catalog.Store, sf *serveFlags) (web.Token, error) {
	if v := a.getenv("VERQ_ADMIN_TOKEN"); v != "" && !sf.rotateToken {
		return web.NewToken(v), nil
	}
	if !sf.rotateToken {
		tok, ok, err := web.LoadToken(st.DB())
		if err != nil || ok {
			return tok, err
		}
		if sf.readOnly {
			fmt.Fprintln(a.stderr, "verq serve: warning: no admin token yet (set VERQ_ADMIN_TOKEN, or start once without --read-only): admin requests answer 401")
			return web.Token{}, nil
		}
	}
	tok, text, err := web.CreateToken(st.DB(), time.Now())
	if err != nil {
		return web.Token{}, err
	}
	a.printf("admin token (shown only now; only its hash is kept in %s, bucket %q):\n  %s\n", st.Path(), web.AdminBucket, text)
	a.printf("use it as: Authorization: Bearer <token>; rotate it with verq serve --rotate-admin-token\n")
	return tok, nil
}

// serverLogger logs at least Info, so that request records show by default.
func (a *app) serverLogger(format string) *slog.Logger {
	lvl := slog.LevelWarn
	_ = lvl.UnmarshalText([]byte(a.g.verbosity))
	opts := &slog.HandlerOptions{Level: min(lvl, slog.LevelInfo)}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

// Executor cache bounds: rulesets are compiled once and their executors (with warm runtimes) reused
// while requests send the same rules, configuration and runtime.
const (
	maxCachedExecutors = 32
	executorTTL        = 30 * time.Minute
)

// serveExecutor runs the rulesets of POST /api/v1/execute in the sandbox.
type serveExecutor struct {
	a       *app
	timeout time.Duration
	// legacyGlobals is Config.LegacyGlobals of every executor (--legacy-globals).
	legacyGlobals bool
	resolver      *resolver.Resolver
	tenant        *tenant.Tenant // the in-process local tenant; nil with --mgmt-url or --no-execute
	globals       func() ([]registry.GlobalInstaller, error)
	mgmtURL       string
	// http is the egress-policed client every executor's modules use.
	http *http.Client
	// usage records every execution's requires; nil on a read-only catalog.
	usage *audit.UsageRecorder

	mu    sync.Mutex
	cache map[string]*cachedExecutor
	order []string // cache keys, oldest first
}

type cachedExecutor struct {
	ex      *sandbox.Executor
	created time.Time
}

// connect sets up the Management API the auth0 shim and the auth0 global reach: --mgmt-url, or the
// local tenant in process (held open while serving).
func (e *serveExecutor) connect(sf *serveFlags, provOpts *auth0.Options) error {
	a := e.a
	policy, err := sf.egress.policy()
	if err != nil {
		return err
	}
	if e.http, err = egress.NewClient(egress.Options{Policy: policy}); err != nil {
		return err
	}
	if sf.mgmt.url == "" {
		t, err := a.openTenant(&sf.tenant, false)
		if err != nil {
			return fmt.Errorf("open the local tenant for rule execution: %w (serve with --mgmt-url URL to use another Management API, or --no-execute)", err)
		}
		e.tenant = t
		provOpts.Transport = recordCalls(t.RoundTripper())
		// Rules that call auth0.baseUrl with request/axios/fetch reach the in-process tenant too.
		e.http.Transport = &hostRoute{host: t.Domain(), local: provOpts.Transport, next: e.http.Transport}
		e.mgmtURL = t.BaseURL() + " (in-process local tenant)"
		e.globals = func() ([]registry.GlobalInstaller, error) {
			tok, err := t.IssueToken([]string{"read:users", "update:users"}, 2*executorTTL)
			if err != nil {
				return nil, err
			}
			return []registry.GlobalInstaller{auth0.Global(auth0.GlobalOptions{Domain: t.Domain(), AccessToken: tok, Transport: provOpts.Transport})}, nil
		}
		return nil
	}
	u, err := url.Parse(sf.mgmt.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--mgmt-url %q: expected an http(s) URL such as http://127.0.0.1:8081/api/v2", sf.mgmt.url)
	}
	tok := sf.mgmt.token
	if tok == "" {
		tok = a.getenv("VERQ_MGMT_TOKEN")
	}
	if tok == "" {
		fmt.Fprintln(a.stderr, "verq serve: warning: no --mgmt-token (or VERQ_MGMT_TOKEN): the auth0 global's accessToken is empty and Management API calls will get 401")
	}
	provOpts.MgmtURL = strings.TrimRight(sf.mgmt.url, "/")
	e.mgmtURL = provOpts.MgmtURL
	installer := auth0.Global(auth0.GlobalOptions{Domain: u.Host, AccessToken: tok, MgmtURL: provOpts.MgmtURL})
	e.globals = func() ([]registry.GlobalInstaller, error) { return []registry.GlobalInstaller{installer}, nil }
	return nil
}

func (e *serveExecutor) Close() {
	if e.tenant != nil {
		e.tenant.Close()
	}
}

// execute implements web.ExecuteFunc.
func (e *serveExecutor) execute(ctx context.Context, req *web.ExecuteRequest) (*web.ExecuteResult, error) {
	rules := make([]sandbox.Rule, 0, len(req.Rules))
	config := map[string]string{}
	if req.TenantRules {
		if e.tenant == nil {
			return nil, web.BadRequest("tenant_rules runs the local tenant's rules, but this server talks to the Management API at %s: send the rules instead", e.mgmtURL)
		}
		trs, err := e.tenant.EnabledRules()
		if err != nil {
			return nil, err
		}
		if len(trs) == 0 {
			return nil, web.Unprocessable("the local tenant has no enabled rules (create some with POST /api/v2/rules)", nil)
		}
		for _, r := range trs {
			rules = append(rules, sandbox.Rule{ID: r.ID, Name: r.Name, Script: r.Script, Order: int(r.Order), Enabled: r.Enabled, Stage: r.Stage})
		}
		tconf, err := e.tenant.Configuration()
		if err != nil {
			return nil, err
		}
		for k, v := range tconf {
			config[k] = v
		}
	}
	for _, r := range req.Rules {
		rules = append(rules, sandbox.Rule{ID: r.ID, Name: r.Name, Script: r.Script, Order: r.Order, Enabled: r.IsEnabled(), Stage: r.Stage})
	}
	for k, v := range req.Configuration {
		config[k] = v
	}
	ex, err := e.executor(req.Runtime, rules, config)
	if err != nil {
		return nil, err
	}
	res, err := ex.Execute(ctx, req.User, req.Context)
	if err != nil {
		return nil, err
	}
	if e.usage != nil {
		recordRequires(e.usage, "http", req.Runtime, res)
	}
	return &web.ExecuteResult{Outcome: string(res.Outcome), Body: res}, nil
}

// executor returns the cached executor of (runtime, rules, configuration), compiling the rules on a miss.
func (e *serveExecutor) executor(rt string, rules []sandbox.Rule, config map[string]string) (*sandbox.Executor, error) {
	keyData, err := json.Marshal(struct {
		Runtime string            `json:"r"`
		Rules   []sandbox.Rule    `json:"s"`
		Config  map[string]string `json:"c"`
	}{rt, rules, config})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(keyData)
	key := hex.EncodeToString(sum[:])
	e.mu.Lock()
	if c := e.cache[key]; c != nil && time.Since(c.created) < executorTTL {
		e.mu.Unlock()
		return c.ex, nil
	}
	e.mu.Unlock()

	rs, err := sandbox.Compile(rules)
	if err != nil {
		return nil, compileRequestError(err)
	}
	globals, err := e.globals()
	if err != nil {
		return nil, err
	}
	globals = append(globals, httpmods.FetchGlobal())
	ex, err := sandbox.NewExecutor(rs, sandbox.Config{
		Tenant:        "http",
		Runtime:       rt,
		Resolver:      e.resolver,
		Configuration: config,
		Limits:        sandbox.Limits{Timeout: e.timeout},
		Globals:       globals,
		HTTPClient:    e.http,
		Logger:        e.a.log,
		LegacyGlobals: e.legacyGlobals,
	})
	if err != nil {
		return nil, compileRequestError(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.cache[key]; !ok {
		e.order = append(e.order, key)
	}
	e.cache[key] = &cachedExecutor{ex: ex, created: time.Now()}
	for len(e.order) > maxCachedExecutors {
		delete(e.cache, e.order[0])
		e.order = e.order[1:]
	}
	return ex, nil
}

// compileRequestError turns the compile errors of a ruleset into a 422 listing each of them.
func compileRequestError(err error) error {
	var all []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		all = j.Unwrap()
	} else {
		all = []error{err}
	}
	var details []*sandbox.CompileError
	for _, e := range all {
		var ce *sandbox.CompileError
		if errors.As(e, &ce) {
			details = append(details, ce)
		}
	}
	if len(details) == 0 {
		return err
	}
	return web.Unprocessable(err.Error(), details)
}
