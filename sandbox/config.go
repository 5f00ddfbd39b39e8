package sandbox

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/resolver"
)

// Resolver is what the sandbox needs to answer require(); *resolver.Resolver implements it.
// Resolve must be safe for concurrent use. Its errors become the message of the JS error require throws.
type Resolver interface {
	Resolve(runtime, spec string) (*resolver.Resolution, error)
}

// Defaults of Limits and Config fields left zero.
const (
	// DefaultTimeout is the Rules pipeline deadline.
	DefaultTimeout = 20 * time.Second
	// DefaultMaxConsoleBytes caps console output per execution.
	DefaultMaxConsoleBytes = 64 << 10
	// DefaultMaxCallStackSize bounds JS recursion; deep unwinding in goja costs seconds at 10000+.
	DefaultMaxCallStackSize = 1000
	// DefaultMaxMemoryBytes is the Go heap size above which the memory watchdog stops the execution
	// that keeps allocating (see the package documentation).
	DefaultMaxMemoryBytes = 1 << 30
	// DefaultTenant names the tenant of a Config that names none.
	DefaultTenant = "default"
)

// Limits bound one execution. Zero fields take the defaults above.
type Limits struct {
	// Timeout is the whole pipeline's deadline (default 20s); the context's own deadline, if sooner, wins.
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxConsoleBytes caps console output per execution (default 64 KiB); output beyond it is dropped
	// and a truncation marker is logged once.
	MaxConsoleBytes int `json:"max_console_bytes,omitempty"`
	// MaxCallStackSize bounds JS call depth (default 1000); deeper recursion fails fast with a RangeError.
	MaxCallStackSize int `json:"max_call_stack_size,omitempty"`
	// MaxMemoryBytes is the process heap size (bytes) above which the memory watchdog stops the execution
	// that is allocating (default 1 GiB; negative disables the watchdog). A single built-in call may
	// allocate at most a quarter of it. See the package documentation for the mechanism and its limits.
	MaxMemoryBytes int64 `json:"max_memory_bytes,omitempty"`
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MaxConsoleBytes <= 0 {
		l.MaxConsoleBytes = DefaultMaxConsoleBytes
	}
	if l.MaxCallStackSize <= 0 {
		l.MaxCallStackSize = DefaultMaxCallStackSize
	}
	if l.MaxMemoryBytes == 0 {
		l.MaxMemoryBytes = DefaultMaxMemoryBytes
	}
	return l
}

// Config binds an Executor to one tenant. Every field has a documented default.
type Config struct {
	// Tenant names the tenant (default "default"). An Executor's runtimes, and so its `global` object
	// and module cache, are never shared with another Executor; create one Executor per tenant.
	Tenant string
	// Runtime is the catalog runtime name passed to the Resolver (default: the catalog's default runtime).
	Runtime string
	// Resolver answers require(); nil makes every require fail with MODULE_NOT_FOUND.
	Resolver Resolver
	// Configuration is the `configuration` global (Dashboard "Rules Settings"); values are strings.
	Configuration map[string]string
	// Limits bound every execution (zero fields take defaults).
	Limits Limits
	// Globals are extra globals (for example the `auth0` object), installed once per fresh runtime in
	// order, after the built-in globals.
	Globals []registry.GlobalInstaller
	// LegacyGlobals adds the globals of the old Rules sandbox that rules used without require:
	// request, _ (lodash), async, q, uuid, crypto, querystring, jwt (jsonwebtoken), xmldom, xml2js,
	// xpath, xtend, Auth0 (auth0), pg, bcrypt, Knex (knex), … (the whole list is in the package
	// documentation). Each is required on first read, unpinned (the runtime's default version), and
	// recorded like a require; a global whose module does not resolve is absent. Default false.
	LegacyGlobals bool
	// HTTPClient is what registry.Host.HTTPClient returns to modules. nil means an egress client
	// (registry/http/egress.NewClient) with the default policy: public addresses only, loopback,
	// link-local and private ranges denied. The calls of a client from egress.NewClient are listed in
	// Result.HTTP; other clients' calls are not recorded.
	HTTPClient *http.Client
	// Logger receives operational events (runtime recycled, memory kill, panics); nil discards them.
	Logger *slog.Logger
	// Pool is the maximum number of idle runtimes kept for reuse (default GOMAXPROCS). Executions
	// beyond it run on fresh runtimes that are discarded afterwards.
	Pool int
}

func (c Config) withDefaults() (Config, error) {
	if c.Tenant == "" {
		c.Tenant = DefaultTenant
	}
	if c.Runtime == "" {
		c.Runtime = catalog.DefaultRuntime
	}
	c.Limits = c.Limits.withDefaults()
	if c.HTTPClient == nil {
		client, err := egress.NewClient(egress.Options{})
		if err != nil {
			return c, fmt.Errorf("sandbox: default HTTP client: %w", err)
		}
		c.HTTPClient = client
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Pool <= 0 {
		c.Pool = runtime.GOMAXPROCS(0)
	}
	for i, g := range c.Globals {
		if g == nil {
			return c, fmt.Errorf("sandbox: Config.Globals[%d] is nil", i)
		}
	}
	cfg := make(map[string]string, len(c.Configuration))
	for k, v := range c.Configuration {
		cfg[k] = v
	}
	c.Configuration = cfg
	return c, nil
}
