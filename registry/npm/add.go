package npm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/npm/tarball"
)

// AddOptions control Add and AddTarball.
type AddOptions struct {
	// Catalog and Runtime, when both are set, also list the added version in that catalog runtime
	// (which must exist). Dependencies are not listed: a package loads its pinned dependencies from
	// the store directly.
	Catalog Catalog
	Runtime string
	// Actor is recorded in the catalog history for the listing.
	Actor string
}

// AddResult is what an add did.
type AddResult struct {
	// Package is the requested package version, "name@version".
	Package string `json:"package"`
	// Added lists the versions newly stored (the package and dependencies), in resolution order.
	Added []string `json:"added"`
	// Present lists the versions of the closure that were already stored.
	Present []string `json:"present,omitempty"`
	// Skipped explains the optional dependencies left out.
	Skipped []string `json:"skipped,omitempty"`
	// Pinned maps the package's dependencies to the exact versions its requires load.
	Pinned map[string]string `json:"pinned,omitempty"`
	// Downloaded is the total compressed size fetched, in bytes.
	Downloaded int64 `json:"downloaded"`
	// Listed is true when the version was newly listed in AddOptions.Runtime.
	Listed bool `json:"listed,omitempty"`
}

// prepared is a verified, unpacked package version ready to commit.
type prepared struct {
	pkg   *Package
	files []File
	blobs []blob
}

type blob struct {
	key  []byte
	data []byte
}

// ParseSpec splits "name", "name@version", "@scope/name@range" into a name and a version or
// range ("" when absent) and validates the name.
func ParseSpec(spec string) (name, version string, err error) {
	spec = strings.TrimSpace(spec)
	name = spec
	if i := strings.IndexByte(spec[min(1, len(spec)):], '@'); i >= 0 {
		name, version = spec[:i+1], spec[i+2:]
	}
	if err := catalog.ValidateName(name, false); err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrInvalidPackage, spec, err)
	}
	return name, strings.TrimSpace(version), nil
}

// Add stores the package version spec names ("lodash@4.17.21", "lodash@^4", "lodash" for the latest)
// and its dependency closure, downloaded from the registry. Versions already stored are reused.
// Everything is verified before one transaction writes it: any failure stores nothing.
func (s *Store) Add(ctx context.Context, spec string, opts AddOptions) (*AddResult, error) {
	name, version, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	if s.db.IsReadOnly() {
		return nil, fmt.Errorf("%w: open the database read-write to add packages", ErrReadOnly)
	}
	if version == "" {
		version = "latest"
	}
	if err := s.checkRuntime(opts); err != nil {
		return nil, err
	}
	cr := newClosureResolver(ctx, s)
	root, err := cr.resolve(name, version)
	if err != nil {
		return nil, err
	}
	var todo []*node
	res := &AddResult{Package: root.id(), Skipped: cr.skipped}
	for _, n := range cr.order {
		if n.stored == nil {
			todo = append(todo, n)
		}
	}
	preps, failed, err := s.download(ctx, todo)
	if err != nil {
		return nil, err
	}
	for id, ferr := range failed {
		res.Skipped = append(res.Skipped, fmt.Sprintf("%s (optional): %v", id, ferr))
	}
	sort.Strings(res.Skipped)
	// Keep what is reachable from the root through pins that did not fail.
	keep := reachable(root, cr.byID, failed)
	var commit []*prepared
	for _, n := range cr.order {
		if !keep[n.id()] {
			continue
		}
		if n.stored != nil {
			res.Present = append(res.Present, n.id())
			continue
		}
		p := preps[n.id()]
		p.pkg.Pinned = prunePins(n.pins, failed)
		p.pkg.Deprecated = string(n.pv.Deprecated)
		p.pkg.Direct = n == root
		commit = append(commit, p)
		res.Added = append(res.Added, n.id())
		res.Downloaded += p.pkg.TarballSize
	}
	res.Pinned = prunePins(root.pins, failed)
	if err := s.commit(commit, root.name, root.version); err != nil {
		return nil, err
	}
	s.log.Info("npm packages stored", "package", res.Package, "added", len(res.Added), "present", len(res.Present))
	res.Listed, err = s.list(opts, root.name, root.version)
	return res, err
}

// AddTarball stores the package in a local tarball (an npm pack .tgz), read from r; source names
// it in the record. It works offline: every dependency must already be stored, and each is pinned
// to the highest stored version satisfying its range; otherwise the error names the missing ones.
func (s *Store) AddTarball(ctx context.Context, r io.Reader, source string, opts AddOptions) (*AddResult, error) {
	if s.db.IsReadOnly() {
		return nil, fmt.Errorf("%w: open the database read-write to add packages", ErrReadOnly)
	}
	if err := s.checkRuntime(opts); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, s.opts.MaxTarballSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrInvalidPackage, source, err)
	}
	if int64(len(data)) > s.opts.MaxTarballSize {
		return nil, fmt.Errorf("%w: %s is larger than the limit of %d bytes", ErrInvalidPackage, source, s.opts.MaxTarballSize)
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	p, m, err := s.prepare(source, data, sriOf(data), "", "")
	if err != nil {
		return nil, err
	}
	p.pkg.Direct = true
	res := &AddResult{Package: p.pkg.ID()}
	var existing *Package
	err = s.db.View(func(tx *bbolt.Tx) error {
		if err := checkSchema(tx); err != nil {
			return err
		}
		existing, err = getPackage(tx, p.pkg.Name, p.pkg.Version)
		if err != nil || existing != nil {
			return err
		}
		pins, missing, skipped := pinFromStore(tx, m)
		if len(missing) > 0 {
			return fmt.Errorf("%w: %s needs dependencies that are not stored: %s; add them first (verq registry add NAME@RANGE needs the registry) or add %s by name",
				ErrMissingDependency, p.pkg.ID(), strings.Join(missing, ", "), p.pkg.Name)
		}
		p.pkg.Pinned = pins
		res.Skipped = skipped
		return nil
	})
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if existing.Integrity != p.pkg.Integrity {
			return nil, fmt.Errorf("%w: %s is already stored with different content (stored %s from %s, this tarball is %s); remove it first",
				ErrInvalidPackage, p.pkg.ID(), existing.Integrity, existing.Source, p.pkg.Integrity)
		}
		res.Present = []string{p.pkg.ID()}
		res.Pinned = existing.Pinned
		if err := s.commit(nil, p.pkg.Name, p.pkg.Version); err != nil {
			return nil, err
		}
	} else {
		res.Added = []string{p.pkg.ID()}
		res.Pinned = p.pkg.Pinned
		res.Downloaded = 0
		if err := s.commit([]*prepared{p}, p.pkg.Name, p.pkg.Version); err != nil {
			return nil, err
		}
	}
	res.Listed, err = s.list(opts, p.pkg.Name, p.pkg.Version)
	return res, err
}

// pinFromStore resolves a manifest's dependencies against the stored versions.
func pinFromStore(tx *bbolt.Tx, m *manifest) (pins map[string]string, missing, skipped []string) {
	pins = make(map[string]string)
	for _, e := range edgesOf(m.Dependencies, m.OptionalDependencies, m.PeerDependencies, m.PeerOptional, m.Bundled) {
		if catalog.ValidateName(e.name, false) != nil {
			missing = append(missing, fmt.Sprintf("%q (malformed name)", e.name))
			continue
		}
		v := highestSatisfying(storedVersions(tx, e.name), e.spec)
		switch {
		case v != "":
			pins[e.name] = v
		case e.optional:
			skipped = append(skipped, fmt.Sprintf("%s@%s (optional): not stored", e.name, e.spec))
		default:
			missing = append(missing, e.name+"@"+e.spec)
		}
	}
	if len(pins) == 0 {
		pins = nil
	}
	return pins, missing, skipped
}

// storedVersions lists the stored versions of name.
func storedVersions(tx *bbolt.Tx, name string) []string {
	b := tx.Bucket(bucketVersions)
	if b == nil {
		return nil
	}
	prefix := []byte(name + "@")
	var out []string
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// download fetches, verifies and unpacks nodes in parallel. Failures of optional nodes are
// returned in failed; any other failure is the error.
func (s *Store) download(ctx context.Context, nodes []*node) (map[string]*prepared, map[string]error, error) {
	preps := make(map[string]*prepared, len(nodes))
	failed := make(map[string]error)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, s.opts.Concurrency)
	for _, n := range nodes {
		wg.Add(1)
		sem <- struct{}{}
		go func(n *node) {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := s.fetchOne(dctx, n)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				preps[n.id()] = p
			case n.optional && dctx.Err() == nil:
				failed[n.id()] = err
			case firstErr == nil:
				firstErr = err
				cancel()
			}
		}(n)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, nil, firstErr
	}
	return preps, failed, nil
}

func (s *Store) fetchOne(ctx context.Context, n *node) (*prepared, error) {
	data, err := s.fetch.tarball(ctx, n.id(), n.pv.Dist.Tarball)
	if err != nil {
		return nil, err
	}
	sri, err := verifyIntegrity(n.id(), data, n.pv.Dist.Integrity, n.pv.Dist.Shasum)
	if err != nil {
		return nil, err
	}
	p, _, err := s.prepare(n.pv.Dist.Tarball, data, sri, n.name, n.version)
	return p, err
}

// prepare unpacks a verified tarball and builds its record and blobs. wantName and wantVersion,
// when set, must match its package.json.
func (s *Store) prepare(source string, data []byte, sri, wantName, wantVersion string) (*prepared, *manifest, error) {
	label := source
	if wantName != "" {
		label = wantName + "@" + wantVersion
	}
	files, err := tarball.Read(bytes.NewReader(data), s.opts.Limits)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrInvalidPackage, label, err)
	}
	var pj []byte
	for _, f := range files {
		if f.Path == "package.json" {
			pj = f.Data
		}
	}
	if pj == nil {
		return nil, nil, fmt.Errorf("%w: %s: the tarball has no package.json at its root", ErrInvalidPackage, label)
	}
	m, err := parseManifest(pj)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", label, err)
	}
	if wantName != "" && (m.Name != wantName || m.Version != wantVersion) {
		return nil, nil, fmt.Errorf("%w: the tarball of %s holds package.json of %s@%s", ErrInvalidPackage, label, m.Name, m.Version)
	}
	p := &prepared{pkg: &Package{
		Name: m.Name, Version: m.Version, Description: m.Description, License: m.License,
		Main: m.Main, Type: m.Type, Exports: m.Exports,
		Dependencies: m.Dependencies, OptionalDependencies: m.OptionalDependencies, PeerDependencies: m.PeerDependencies,
		Bundled: m.Bundled, Files: len(files), TarballSize: int64(len(data)), Integrity: sri, Source: source,
		Added: s.opts.Now().UTC(),
	}}
	seen := make(map[[32]byte]bool, len(files))
	p.files = make([]File, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.Data)
		p.files[i] = File{Path: f.Path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(f.Data))}
		p.pkg.Size += int64(len(f.Data))
		if !seen[sum] {
			seen[sum] = true
			p.blobs = append(p.blobs, blob{key: append([]byte(nil), sum[:]...), data: f.Data})
		}
	}
	return p, m, nil
}

// commit writes prepared versions in one transaction and marks rootName@rootVersion as added by
// name.
func (s *Store) commit(preps []*prepared, rootName, rootVersion string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := ensureBuckets(tx); err != nil {
			return err
		}
		for _, p := range preps {
			existing, err := getPackage(tx, p.pkg.Name, p.pkg.Version)
			if err != nil {
				return err
			}
			if existing != nil {
				continue // stored meanwhile by another add through the same database
			}
			for _, b := range p.blobs {
				if err := addRef(tx, b.key, b.data); err != nil {
					return err
				}
			}
			fl, err := marshalFiles(p.files)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketFiles).Put(versionKey(p.pkg.Name, p.pkg.Version), fl); err != nil {
				return err
			}
			if err := putPackage(tx, p.pkg); err != nil {
				return err
			}
		}
		root, err := getPackage(tx, rootName, rootVersion)
		if err != nil {
			return err
		}
		if root != nil && !root.Direct {
			root.Direct = true
			if err := putPackage(tx, root); err != nil {
				return err
			}
		}
		return bumpGen(tx)
	})
	if errors.Is(err, bbolt.ErrTxNotWritable) || errors.Is(err, bbolt.ErrDatabaseReadOnly) {
		return fmt.Errorf("%w: open the database read-write to add packages", ErrReadOnly)
	}
	return err
}

// checkRuntime makes sure the catalog runtime to list in exists before any download.
func (s *Store) checkRuntime(opts AddOptions) error {
	if opts.Runtime == "" || opts.Catalog == nil {
		return nil
	}
	rts, err := opts.Catalog.Runtimes()
	if err != nil {
		return err
	}
	var names []string
	for _, r := range rts {
		if r.Name == opts.Runtime {
			return nil
		}
		names = append(names, r.Name)
	}
	return fmt.Errorf("%w: catalog runtime %q does not exist (runtimes: %s); create it first", catalog.ErrRuntimeNotFound, opts.Runtime, strings.Join(names, ", "))
}

// list adds name@version to the catalog runtime unless already listed.
func (s *Store) list(opts AddOptions, name, version string) (bool, error) {
	if opts.Runtime == "" || opts.Catalog == nil {
		return false, nil
	}
	m, err := opts.Catalog.Module(opts.Runtime, name)
	if err == nil {
		if _, ok := m.Lookup(version); ok {
			return false, nil
		}
	} else if !errors.Is(err, catalog.ErrModuleNotFound) {
		return false, err
	}
	if err := opts.Catalog.AddVersion(opts.Actor, opts.Runtime, name, version); err != nil {
		return false, fmt.Errorf("%s@%s is stored, but listing it in runtime %q failed: %w", name, version, opts.Runtime, err)
	}
	return true, nil
}

// reachable returns the ids reachable from root through pins, avoiding failed ids.
func reachable(root *node, byID map[string]*node, failed map[string]error) map[string]bool {
	seen := map[string]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		if seen[n.id()] || failed[n.id()] != nil {
			return
		}
		seen[n.id()] = true
		for dn, dv := range n.pins {
			if d, ok := byID[dn+"@"+dv]; ok {
				walk(d)
			}
		}
	}
	walk(root)
	return seen
}

// prunePins drops pins to failed optional versions.
func prunePins(pins map[string]string, failed map[string]error) map[string]string {
	if len(pins) == 0 {
		return nil
	}
	out := make(map[string]string, len(pins))
	for n, v := range pins {
		if failed[n+"@"+v] == nil {
			out[n] = v
		}
	}
	return out
}
