package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// Catalog is what the server reads and writes; *catalog.Store implements it. Reads must be safe for
// concurrent use and Generation must be cheap: the server reads it on every cacheable request.
type Catalog interface {
	Runtimes() ([]catalog.RuntimeInfo, error)
	Runtime(name string) (catalog.RuntimeInfo, error)
	Modules(runtime string) ([]catalog.Module, error)
	Module(runtime, name string) (catalog.Module, error)
	History(runtime string, limit int) ([]catalog.Change, error)
	Export(runtime string) (*catalog.List, error)
	// Generation changes after every committed write; responses are cached and tagged by it.
	Generation() uint64
	ReadOnly() bool

	CreateRuntime(actor, name, nodeVersion string) error
	AddVersion(actor, runtime, name, version string) error
	RemoveVersion(actor, runtime, name, version string) error
	SetDefault(actor, runtime, name, version string) error
	SetStatus(actor, runtime, name, version string, st catalog.Status, reason string) error
	SetModuleInfo(actor, runtime, name, homepage, notes string) error
	Import(actor, runtime string, l *catalog.List, opts catalog.ImportOptions) (*catalog.Diff, error)
}

var _ Catalog = (*catalog.Store)(nil)

// Explainer gives the step-by-step account of a resolution; *resolver.Resolver implements it.
type Explainer interface {
	Explain(runtime, spec string) *resolver.Explanation
}

// VersionUsage says which rules require one version of a module.
type VersionUsage struct {
	// Version is the exact version the requires resolve to; empty for a core module.
	Version string `json:"version,omitempty"`
	// Rules names the requiring rules, sorted and unique.
	Rules []string `json:"rules"`
	// Specs are the distinct specifiers written, e.g. "auth0@2.9.1", "auth0@^2".
	Specs []string `json:"specs,omitempty"`
	// Requires counts the require calls.
	Requires int `json:"requires"`
}

// UsageFunc reports which rules require each version of a module in a runtime, for the module page and
// the module API. Versions no rule requires may be left out. It is called on every module request, so it
// should answer from an aggregate kept elsewhere, not run an audit.
type UsageFunc func(ctx context.Context, runtime, module string) ([]VersionUsage, error)

// Defaults of the Config fields left zero.
const (
	DefaultMaxBodyBytes      = 1 << 20
	DefaultMaxImportBytes    = 8 << 20
	DefaultMaxExecuteTimeout = 20 * time.Second
	DefaultCacheEntries      = 512
	DefaultShutdownTimeout   = 15 * time.Second
)

// Config configures a Server. Every field but Catalog has a documented default.
type Config struct {
	// Catalog is the catalog to serve. Required.
	Catalog Catalog
	// Registry says how each version is implemented. nil: every version is "not installed".
	Registry *registry.Registry
	// Resolver answers /api/v1/resolve. nil: a resolver over Catalog and Registry (Explain does not
	// notify observers, so it needs none).
	Resolver Explainer
	// DefaultRuntime is the runtime of requests that name none (default catalog.DefaultRuntime).
	DefaultRuntime string
	// Token authorizes admin writes and executions. The zero Token refuses every admin request with 401.
	Token Token
	// Execute runs a ruleset for POST /api/v1/execute. nil: the endpoint answers 501.
	Execute ExecuteFunc
	// Usage adds "which rules require this version" to module pages and the module API. nil: nothing is shown.
	Usage UsageFunc
	// Metrics collects the /metrics figures; give the same value to resolver.WithObserver of the resolver
	// executions use. nil: a fresh NewMetrics (resolutions are then not counted).
	Metrics *Metrics
	// Logger receives one Info record per request and errors. nil discards them.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies (default 1 MiB); MaxImportBytes bounds list imports (default 8 MiB).
	MaxBodyBytes   int64
	MaxImportBytes int64
	// MaxExecuteTimeout bounds the timeout_ms of an execution and is its default (default 20s).
	MaxExecuteTimeout time.Duration
	// CacheEntries bounds the rendered-response cache (default 512; negative disables it).
	CacheEntries int
	// ShutdownTimeout is how long Serve waits for requests in flight after its context ends (default 15s).
	ShutdownTimeout time.Duration
}

// Server serves the page, the JSON API, the canirequire list, admin writes, executions and operations
// endpoints. It is an http.Handler; Serve runs it on a listener with timeouts and graceful shutdown.
type Server struct {
	cfg      Config
	cat      Catalog
	explain  Explainer
	metrics  *Metrics
	log      *slog.Logger
	mux      *http.ServeMux
	cache    *responseCache
	bootID   string
	draining atomic.Bool
	pages    *pages
}

// New checks cfg, fills in its defaults and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Catalog == nil {
		return nil, errors.New("web: Config.Catalog is required")
	}
	if cfg.DefaultRuntime == "" {
		cfg.DefaultRuntime = catalog.DefaultRuntime
	}
	if err := catalog.ValidateRuntimeName(cfg.DefaultRuntime); err != nil {
		return nil, fmt.Errorf("web: default runtime: %w", err)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	if cfg.MaxExecuteTimeout <= 0 {
		cfg.MaxExecuteTimeout = DefaultMaxExecuteTimeout
	}
	if cfg.CacheEntries == 0 {
		cfg.CacheEntries = DefaultCacheEntries
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, cat: cfg.Catalog, explain: cfg.Resolver, metrics: cfg.Metrics, log: cfg.Logger}
	if s.explain == nil {
		s.explain = resolver.New(cfg.Catalog, cfg.Registry)
	}
	var id [6]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.bootID = hex.EncodeToString(id[:])
	s.cache = newResponseCache(cfg.CacheEntries)
	p, err := newPages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	s.mux = s.routes()
	return s, nil
}

// Metrics returns the server's metrics collector.
func (s *Server) Metrics() *Metrics { return s.metrics }

// routes registers every endpoint; the package documentation lists them.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	// Page.
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /modules/{name...}", s.handleModulePage)
	mux.HandleFunc("GET /static/{file}", s.handleStatic)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.pages.assetURL("favicon.svg"), http.StatusMovedPermanently)
	})
	// canirequire list.
	mux.HandleFunc("GET /canirequire", s.handleCanirequire)
	// Read API.
	mux.HandleFunc("GET /api/v1/{$}", s.handleAPIIndex)
	mux.HandleFunc("GET /api/v1/runtimes", s.handleRuntimes)
	mux.HandleFunc("GET /api/v1/runtimes/{runtime}", s.handleRuntime)
	mux.HandleFunc("GET /api/v1/runtimes/{runtime}/modules", s.handleModules)
	mux.HandleFunc("GET /api/v1/runtimes/{runtime}/modules/{rest...}", s.handleModuleRead)
	mux.HandleFunc("GET /api/v1/runtimes/{runtime}/resolve", s.handleResolve)
	mux.HandleFunc("GET /api/v1/runtimes/{runtime}/history", s.handleHistory)
	mux.HandleFunc("GET /api/v1/runtimes/{runtime}/canirequire", s.handleCanirequire)
	mux.HandleFunc("GET /api/v1/modules", s.handleModules)
	mux.HandleFunc("GET /api/v1/modules/{rest...}", s.handleModuleRead)
	mux.HandleFunc("GET /api/v1/resolve", s.handleResolve)
	mux.HandleFunc("GET /api/v1/history", s.handleHistory)
	mux.HandleFunc("GET /api/v1/usage", s.handleUsage)
	// Admin writes and execution (bearer token).
	mux.HandleFunc("PUT /api/v1/runtimes/{runtime}", s.admin(s.handleCreateRuntime))
	mux.HandleFunc("POST /api/v1/runtimes/{runtime}/import", s.admin(s.handleImport))
	mux.HandleFunc("PUT /api/v1/runtimes/{runtime}/modules/{rest...}", s.admin(s.handleModulePut))
	mux.HandleFunc("PATCH /api/v1/runtimes/{runtime}/modules/{rest...}", s.admin(s.handleModulePatch))
	mux.HandleFunc("DELETE /api/v1/runtimes/{runtime}/modules/{rest...}", s.admin(s.handleModuleDelete))
	mux.HandleFunc("POST /api/v1/execute", s.admin(s.handleExecute))
	// Operations.
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	return mux
}

// ServeHTTP applies the security headers, the request log, metrics and panic recovery around the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, req: r, srv: s}
	setSecurityHeaders(w.Header())
	if r.Method == http.MethodOptions && (isAPI(r) || r.URL.Path == "/canirequire") {
		sw.route = "preflight"
		s.handlePreflight(sw, r)
		s.finishRequest(sw, r, start)
		return
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			if !sw.wroteHeader {
				writeJSON(sw, http.StatusInternalServerError, ErrorBody{Error: "internal server error (see the server log)", Code: CodeInternal, Status: http.StatusInternalServerError})
			}
		}
		s.finishRequest(sw, r, start)
	}()
	s.mux.ServeHTTP(sw, r)
}

func (s *Server) finishRequest(sw *statusWriter, r *http.Request, start time.Time) {
	d := time.Since(start)
	route := sw.route
	if route == "" {
		route = r.Pattern
	}
	if route == "" {
		route = "unmatched"
	}
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	s.metrics.observeRequest(route, r.Method, status, d)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int64("bytes", sw.bytes),
			slog.Float64("ms", float64(d.Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
		}
		if sw.actor != "" {
			attrs = append(attrs, slog.String("actor", sw.actor))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	}
}

// statusWriter records the status and size of a response for the log and metrics, and turns the
// mux's plain-text 404 and 405 answers into the JSON error shape (API) or the error page.
type statusWriter struct {
	http.ResponseWriter
	req         *http.Request
	srv         *Server
	status      int
	bytes       int64
	wroteHeader bool
	swallow     bool   // the body written after a replaced mux error is dropped
	actor       string // the admin actor, for the request log
	route       string // the route label when no mux pattern applies
}

func (w *statusWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if w.req.Pattern == "" && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		w.wroteHeader, w.swallow = true, true
		w.status = code
		h := w.Header()
		h.Del("Content-Length")
		w.srv.writeUnmatched(&plainWriter{w}, w.req, code)
		return
	}
	w.wroteHeader = true
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.swallow {
		return len(p), nil
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// plainWriter writes through a statusWriter's underlying writer while it replaces a mux error.
type plainWriter struct{ w *statusWriter }

func (p *plainWriter) Header() http.Header { return p.w.ResponseWriter.Header() }
func (p *plainWriter) WriteHeader(code int) {
	p.w.ResponseWriter.WriteHeader(code)
}
func (p *plainWriter) Write(b []byte) (int, error) {
	n, err := p.w.ResponseWriter.Write(b)
	p.w.bytes += int64(n)
	return n, err
}

// writeUnmatched answers a request no route matched: JSON under /api/, the error page elsewhere.
func (s *Server) writeUnmatched(w http.ResponseWriter, r *http.Request, code int) {
	msg := fmt.Sprintf("no such page: %s", r.URL.Path)
	errCode := CodeNotFound
	if code == http.StatusMethodNotAllowed {
		msg = fmt.Sprintf("%s does not accept %s (allowed: %s)", r.URL.Path, r.Method, w.Header().Get("Allow"))
		errCode = CodeMethodNotAllowed
	}
	if isAPI(r) {
		writeJSON(w, code, ErrorBody{Error: msg, Code: errCode, Status: code})
		return
	}
	s.renderError(w, r, code, msg)
}

func isAPI(r *http.Request) bool {
	p := r.URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}

// Security headers sent on every response. The page uses only same-origin scripts and styles, so the
// policy allows nothing inline.
var (
	hdrCSP            = []string{"default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"}
	hdrNoSniff        = []string{"nosniff"}
	hdrReferrer       = []string{"no-referrer"}
	hdrFrameOptions   = []string{"DENY"}
	hdrOpenerPolicy   = []string{"same-origin"}
	hdrPermissionsPol = []string{"camera=(), microphone=(), geolocation=(), payment=()"}
)

func setSecurityHeaders(h http.Header) {
	h["Content-Security-Policy"] = hdrCSP
	h["X-Content-Type-Options"] = hdrNoSniff
	h["Referrer-Policy"] = hdrReferrer
	h["X-Frame-Options"] = hdrFrameOptions
	h["Cross-Origin-Opener-Policy"] = hdrOpenerPolicy
	h["Permissions-Policy"] = hdrPermissionsPol
}

// admin wraps a handler that needs the admin bearer token. Without a valid token the answer is 401 in
// the JSON error shape and the handler does not run.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		switch {
		case !s.cfg.Token.Set():
			writeError(w, r, s.log, &RequestError{Status: http.StatusUnauthorized, Code: CodeUnauthorized,
				Message: "this server has no admin token: start verq serve with VERQ_ADMIN_TOKEN set, or without --read-only once to generate one"})
			return
		case !ok:
			writeError(w, r, s.log, &RequestError{Status: http.StatusUnauthorized, Code: CodeUnauthorized,
				Message: "missing admin token: send Authorization: Bearer <token> (the token verq serve printed at first start, or VERQ_ADMIN_TOKEN)"})
			return
		case !s.cfg.Token.Check(tok):
			writeError(w, r, s.log, &RequestError{Status: http.StatusUnauthorized, Code: CodeUnauthorized,
				Message: "invalid admin token"})
			return
		}
		if sw, ok := w.(*statusWriter); ok {
			sw.actor = actorOf(r)
		}
		h(w, r)
	}
}

// Health and readiness.

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "shutting down"})
		return
	}
	if _, err := s.cat.Runtime(s.cfg.DefaultRuntime); err != nil && !errors.Is(err, catalog.ErrRuntimeNotFound) {
		s.log.WarnContext(r.Context(), "not ready: catalog unreadable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "catalog unreadable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "generation": s.cat.Generation(), "read_only": s.cat.ReadOnly()})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	rts, err := s.cat.Runtimes()
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = s.metrics.WriteText(w, rts, s.cat.Generation())
}
