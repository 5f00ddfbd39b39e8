package npm

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/npm/tarball"
)

// DefaultConcurrency is how many downloads Add runs at once when Options.Concurrency is 0.
const DefaultConcurrency = 8

// DefaultMaxTarballSize bounds one compressed tarball download when Options.MaxTarballSize is 0.
const DefaultMaxTarballSize = 64 << 20

// Options configure a Store. The zero value talks to DefaultRegistry with a default client, prints
// no progress and logs nothing.
type Options struct {
	// Registry is the npm registry base URL, e.g. "https://registry.npmjs.org". Default
	// DefaultRegistry; see RegistryURL for the flag and environment precedence.
	Registry string
	// HTTPClient makes the registry requests. Default: a client with a 5-minute overall timeout.
	HTTPClient *http.Client
	// Progress receives one line per downloaded tarball ("fetched lodash@4.17.21: 318961 bytes in
	// 210ms"). nil prints nothing.
	Progress io.Writer
	// Logger receives debug and info events (retries, commits). nil discards them.
	Logger *slog.Logger
	// Limits bound each tarball's unpacked content; zero fields take the tarball package defaults.
	Limits tarball.Limits
	// MaxTarballSize bounds one compressed tarball. Default DefaultMaxTarballSize.
	MaxTarballSize int64
	// Concurrency is how many registry requests run at once. Default DefaultConcurrency.
	Concurrency int
	// Now is the clock recorded in Package.Added. Default time.Now.
	Now func() time.Time
}

// Catalog is the part of *catalog.Store that Add (with AddOptions.Runtime) and Remove use: the
// runtimes, their modules, and adding a version.
type Catalog interface {
	Runtimes() ([]catalog.RuntimeInfo, error)
	Module(runtime, name string) (catalog.Module, error)
	AddVersion(actor, runtime, name, version string) error
}

var _ Catalog = (*catalog.Store)(nil)

// Store adds, lists and removes npm packages in a verq database file. It keeps its data in the
// top-level buckets named by Buckets, next to the catalog's. A Store is safe for concurrent use; the
// database's own locking serialises writes.
type Store struct {
	db    *bbolt.DB
	opts  Options
	log   *slog.Logger
	fetch *fetcher
}

// NewStore returns a store over db (typically (*catalog.Store).DB()). Nothing is written until the
// first Add.
func NewStore(db *bbolt.DB, opts Options) *Store {
	if opts.Registry == "" {
		opts.Registry = DefaultRegistry
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	if opts.MaxTarballSize <= 0 {
		opts.MaxTarballSize = DefaultMaxTarballSize
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{
		db:   db,
		opts: opts,
		log:  log,
		fetch: &fetcher{
			base:       strings.TrimRight(opts.Registry, "/"),
			client:     opts.HTTPClient,
			maxTarball: opts.MaxTarballSize,
			log:        log,
			progress:   opts.Progress,
			retryWait:  500 * time.Millisecond,
		},
	}
}

// Registry returns the registry base URL the store downloads from.
func (s *Store) Registry() string { return s.fetch.base }

// RegistryURL picks the registry URL as npm does: the flag value when set, else the environment
// variable NPM_CONFIG_REGISTRY (or npm_config_registry), else DefaultRegistry.
func RegistryURL(flag string, getenv func(string) string) string {
	if flag != "" {
		return flag
	}
	if getenv != nil {
		for _, k := range []string{"NPM_CONFIG_REGISTRY", "npm_config_registry"} {
			if v := strings.TrimSpace(getenv(k)); v != "" {
				return v
			}
		}
	}
	return DefaultRegistry
}

// ctxErr returns ctx's error, if any, so long work stops early.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}
