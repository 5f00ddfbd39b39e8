package npm

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"path"
	"sync"

	"github.com/dop251/goja"
	"go.etcd.io/bbolt"

	"github.com/verq/verq/registry"
)

// DefaultMaxPackages bounds how many package versions a Source keeps decoded in memory.
const DefaultMaxPackages = 1024

// SourceOptions configure a Source. The zero value uses the documented defaults.
type SourceOptions struct {
	// Logger receives lookup failures (a damaged record) at warn level. nil discards them.
	Logger *slog.Logger
	// CacheEntries and CacheBytes bound the compiled-module cache shared by every runtime (count of
	// modules, and total source bytes). Defaults DefaultCacheEntries and DefaultCacheBytes.
	CacheEntries int
	CacheBytes   int64
	// MaxPackages bounds the decoded package records kept in memory. Default DefaultMaxPackages.
	MaxPackages int
}

// Source serves the packages stored in a verq database to the sandbox as CommonJS modules. It is a
// registry.Source: Find returns a provider per stored name@version. A Source is safe for concurrent
// use; it owns a process-wide cache of compiled modules keyed by content hash, so a file shared by
// many runtimes (or many package versions) is compiled once.
type Source struct {
	db    *bbolt.DB
	log   *slog.Logger
	progs *programCache
	max   int

	mu   sync.Mutex
	gen  uint64
	pkgs map[string]*pkgState
}

var _ registry.Source = (*Source)(nil)

// NewSource returns a Source over db (typically (*catalog.Store).DB()). It only reads; a read-only
// database is fine.
func NewSource(db *bbolt.DB, opts SourceOptions) *Source {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	max := opts.MaxPackages
	if max <= 0 {
		max = DefaultMaxPackages
	}
	return &Source{
		db: db, log: log, max: max,
		progs: newProgramCache(opts.CacheEntries, opts.CacheBytes),
		pkgs:  make(map[string]*pkgState),
	}
}

// Find returns the provider of a stored package version. version must be exact, as stored.
func (s *Source) Find(name, version string) (registry.Provider, bool) {
	st, err := s.pkg(name, version)
	if err != nil {
		s.log.Warn("npm package lookup failed", "package", name+"@"+version, "error", err)
		return nil, false
	}
	if st == nil {
		return nil, false
	}
	return st.provider, true
}

// CacheStats reports the compiled-module cache.
func (s *Source) CacheStats() CacheStats { return s.progs.stats() }

// pkg returns the decoded state of a stored version, or nil when it is not stored. Decoded states
// are kept until the store generation changes (any add or remove through the database).
func (s *Source) pkg(name, version string) (*pkgState, error) {
	id := name + "@" + version
	var st *pkgState
	err := s.db.View(func(tx *bbolt.Tx) error {
		if err := checkSchema(tx); err != nil {
			return err
		}
		gen := readGen(tx)
		s.mu.Lock()
		if gen != s.gen {
			s.gen = gen
			clear(s.pkgs)
		}
		st = s.pkgs[id]
		s.mu.Unlock()
		if st != nil {
			return nil
		}
		p, err := getPackage(tx, name, version)
		if err != nil || p == nil {
			return err
		}
		files, err := getFiles(tx, name, version)
		if err != nil {
			return err
		}
		st, err = newPkgState(s, p, files)
		if err != nil {
			return err
		}
		s.mu.Lock()
		if gen == s.gen {
			if len(s.pkgs) >= s.max {
				clear(s.pkgs)
			}
			s.pkgs[id] = st
		}
		s.mu.Unlock()
		return nil
	})
	return st, err
}

// readBlob returns the content of a stored file.
func (s *Source) readBlob(st *pkgState, f fileRef, p string) (string, error) {
	var out string
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		var v []byte
		if b != nil {
			v = b.Get(f.hash[:])
		}
		if v == nil {
			return fmt.Errorf("file %s of %s is missing from the store (content %s); add the package again", p, st.id, hex.EncodeToString(f.hash[:8]))
		}
		out = string(v)
		return nil
	})
	return out, err
}

// fileRef locates one file's content.
type fileRef struct {
	hash [32]byte
	size int64
}

// pkgState is a stored package version decoded for loading. It is shared by every runtime and
// immutable after construction, except for the lazily filled caches guarded by mu.
type pkgState struct {
	id       string
	pkg      *Package
	files    map[string]fileRef
	dirs     map[string]bool
	provider *provider

	exportsOnce sync.Once
	exports     *jsonNode
	exportsErr  error

	mu     sync.Mutex
	nested map[string]*nestedManifest // dir -> its package.json facts (nil entry: none)
}

// nestedManifest is what the loader reads from a package.json below the package root.
type nestedManifest struct {
	main, typ string
}

func newPkgState(src *Source, p *Package, files []File) (*pkgState, error) {
	st := &pkgState{
		id:     p.ID(),
		pkg:    p,
		files:  make(map[string]fileRef, len(files)),
		dirs:   map[string]bool{"": true},
		nested: make(map[string]*nestedManifest),
	}
	for _, f := range files {
		k, err := hashKey(f.SHA256)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.id, err)
		}
		var h [32]byte
		copy(h[:], k)
		st.files[f.Path] = fileRef{hash: h, size: f.Size}
		for d := path.Dir(f.Path); d != "." && !st.dirs[d]; d = path.Dir(d) {
			st.dirs[d] = true
		}
	}
	st.nested[""] = &nestedManifest{main: p.Main, typ: p.Type}
	st.provider = &provider{src: src, st: st}
	return st, nil
}

// provider serves one stored package version.
type provider struct {
	src *Source
	st  *pkgState
}

var _ registry.Provider = (*provider)(nil)

// Info describes the package: kind KindPackage, its exact version, description and license.
func (p *provider) Info() registry.Info {
	return registry.Info{
		Name:        p.st.pkg.Name,
		Version:     p.st.pkg.Version,
		Kind:        registry.KindPackage,
		Description: p.st.pkg.Description,
		License:     p.st.pkg.License,
	}
}

// Load runs the package's entry module (or the file req.Subpath names) in req.Runtime and returns
// its module.exports. See the package documentation for the module system's rules.
func (p *provider) Load(req *registry.LoadRequest) (goja.Value, error) {
	env := p.src.env(req)
	return env.loadEntry(p.st, req.Subpath)
}
