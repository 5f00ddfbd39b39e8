package npm

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/catalog"
)

// node is one package version of a closure being resolved.
type node struct {
	name, version string
	// pv is the registry manifest (nil for a stored version whose manifest was not needed).
	pv *packumentVersion
	// stored is set when the version is already in the store: nothing is downloaded for it.
	stored *Package
	// pins are the resolved dependencies: name -> exact version.
	pins map[string]string
	// requiredBy names the first package that needed this one (empty for the root).
	requiredBy string
	// optional marks a node reached only through optional edges: its download may fail.
	optional bool
}

func (n *node) id() string { return n.name + "@" + n.version }

// edge is one dependency of a node.
type edge struct {
	name, spec string
	optional   bool
}

// edges lists the dependencies npm installs for a manifest: dependencies, optional dependencies
// (which override a same-named regular one, as in npm) and non-optional peer dependencies; bundled
// dependencies ship inside the tarball and are left out. Sorted by name, as npm's tree builder
// visits them.
func edgesOf(deps, optional, peers map[string]string, peerOptional map[string]bool, bundled []string) []edge {
	skip := make(map[string]bool, len(bundled))
	for _, b := range bundled {
		skip[b] = true
	}
	byName := make(map[string]edge)
	for n, r := range peers {
		if !peerOptional[n] {
			byName[n] = edge{name: n, spec: r}
		}
	}
	for n, r := range deps {
		byName[n] = edge{name: n, spec: r}
	}
	for n, r := range optional {
		byName[n] = edge{name: n, spec: r, optional: true}
	}
	out := make([]edge, 0, len(byName))
	for n, e := range byName {
		if !skip[n] {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// resolver resolves a dependency closure against the registry and the store.
type closureResolver struct {
	s   *Store
	ctx context.Context

	mu         sync.Mutex
	packuments map[string]*packument
	fetchErrs  map[string]error

	byID    map[string]*node
	chosen  map[string][]*node // versions chosen per name, in the order they were chosen
	order   []*node
	skipped []string
}

func newClosureResolver(ctx context.Context, s *Store) *closureResolver {
	return &closureResolver{
		s: s, ctx: ctx,
		packuments: make(map[string]*packument),
		fetchErrs:  make(map[string]error),
		byID:       make(map[string]*node),
		chosen:     make(map[string][]*node),
	}
}

// prefetch downloads the packuments of names in parallel, remembering failures per name.
func (r *closureResolver) prefetch(names []string) {
	sem := make(chan struct{}, r.s.opts.Concurrency)
	var wg sync.WaitGroup
	for _, name := range names {
		r.mu.Lock()
		_, have := r.packuments[name]
		_, failed := r.fetchErrs[name]
		r.mu.Unlock()
		if have || failed {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(name string) {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := r.s.fetch.packument(r.ctx, name)
			r.mu.Lock()
			defer r.mu.Unlock()
			if err != nil {
				r.fetchErrs[name] = err
				return
			}
			r.packuments[name] = p
		}(name)
	}
	wg.Wait()
}

func (r *closureResolver) packument(name string) (*packument, error) {
	r.prefetch([]string{name})
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fetchErrs[name]; err != nil {
		return nil, err
	}
	return r.packuments[name], nil
}

// storedPackage reads a stored version record, or nil.
func (r *closureResolver) storedPackage(name, version string) (*Package, error) {
	var p *Package
	err := r.s.db.View(func(tx *bbolt.Tx) error {
		var err error
		p, err = getPackage(tx, name, version)
		return err
	})
	return p, err
}

// place returns the node for name@version, creating it (and consulting the store) when new.
func (r *closureResolver) place(name string, pv *packumentVersion, requiredBy string, optional bool) (*node, bool, error) {
	id := name + "@" + pv.Version
	if n, ok := r.byID[id]; ok {
		if !optional {
			n.optional = false
		}
		return n, false, nil
	}
	stored, err := r.storedPackage(name, pv.Version)
	if err != nil {
		return nil, false, err
	}
	n := &node{name: name, version: pv.Version, pv: pv, stored: stored, requiredBy: requiredBy, optional: optional}
	r.byID[id] = n
	r.chosen[name] = append(r.chosen[name], n)
	r.order = append(r.order, n)
	return n, true, nil
}

// resolve builds the closure of name@spec breadth first, deduplicating like npm's tree builder: an
// edge whose range a version already chosen for that name satisfies reuses it; otherwise the
// version npm would pick from the packument is added.
func (r *closureResolver) resolve(name, spec string) (*node, error) {
	p, err := r.packument(name)
	if err != nil {
		return nil, err
	}
	pv, err := pick(p, spec)
	if err != nil {
		return nil, err
	}
	root, _, err := r.place(name, pv, "", false)
	if err != nil {
		return nil, err
	}
	level := []*node{root}
	for len(level) > 0 {
		if err := ctxErr(r.ctx); err != nil {
			return nil, err
		}
		// Fetch the packuments this level may need in parallel; edges are then resolved in a
		// deterministic order.
		var want []string
		for _, n := range level {
			for _, e := range r.nodeEdges(n) {
				want = append(want, e.name)
			}
		}
		r.prefetch(want)
		var next []*node
		for _, n := range level {
			if n.stored != nil {
				more, err := r.healStored(n)
				if err != nil {
					return nil, err
				}
				next = append(next, more...)
				continue
			}
			n.pins = make(map[string]string)
			for _, e := range r.nodeEdges(n) {
				dep, isNew, err := r.resolveEdge(n, e)
				if err != nil {
					if e.optional || n.optional {
						r.skipped = append(r.skipped, fmt.Sprintf("%s (optional dependency of %s): %v", e.name, n.id(), err))
						continue
					}
					return nil, err
				}
				if dep == nil {
					continue
				}
				n.pins[e.name] = dep.version
				if isNew {
					next = append(next, dep)
				}
			}
		}
		level = next
	}
	return root, nil
}

// nodeEdges lists the edges of a node still to resolve; a stored node's pins are already fixed.
func (r *closureResolver) nodeEdges(n *node) []edge {
	if n.stored != nil || n.pv == nil {
		return nil
	}
	return edgesOf(n.pv.Dependencies, n.pv.OptionalDependencies, n.pv.PeerDependencies, n.pv.PeerDependenciesMeta, n.pv.bundled())
}

// resolveEdge finds the version for one dependency edge.
func (r *closureResolver) resolveEdge(from *node, e edge) (*node, bool, error) {
	if err := catalog.ValidateName(e.name, false); err != nil {
		return nil, false, fmt.Errorf("%w: %s has a dependency with a malformed name: %v", ErrResolve, from.id(), err)
	}
	kind, c, why := classifySpec(e.spec)
	if kind == specUnsupported {
		return nil, false, fmt.Errorf("%w: %s depends on %s@%q, which is %s; verq installs versions from the npm registry only",
			ErrResolve, from.id(), e.name, e.spec, why)
	}
	if kind == specRange {
		for _, n := range r.chosen[e.name] {
			if v, err := parseVersion(n.version); err == nil && satisfies(c, strings.TrimSpace(e.spec), v) {
				if !e.optional && !from.optional {
					n.optional = false
				}
				return n, false, nil
			}
		}
	}
	p, err := r.packument(e.name)
	if err != nil {
		return nil, false, fmt.Errorf("dependency %s@%q of %s: %w", e.name, e.spec, from.id(), err)
	}
	pv, err := pick(p, e.spec)
	if err != nil {
		return nil, false, fmt.Errorf("dependency of %s: %w", from.id(), err)
	}
	if e.optional && pv.platformSpecific() {
		r.skipped = append(r.skipped, fmt.Sprintf("%s@%s (optional dependency of %s): platform-specific (os/cpu restricted)", e.name, pv.Version, from.id()))
		return nil, false, nil
	}
	return r.place(e.name, pv, from.id(), e.optional || from.optional)
}

// healStored checks that the pinned dependencies of a stored version are still stored (a forced
// removal may have taken one away) and queues the missing ones for download at their pinned
// version.
func (r *closureResolver) healStored(n *node) ([]*node, error) {
	n.pins = n.stored.Pinned
	var next []*node
	names := make([]string, 0, len(n.pins))
	for dn := range n.pins {
		names = append(names, dn)
	}
	sort.Strings(names)
	for _, dn := range names {
		dv := n.pins[dn]
		if _, ok := r.byID[dn+"@"+dv]; ok {
			continue
		}
		have, err := r.storedPackage(dn, dv)
		if err != nil {
			return nil, err
		}
		if have != nil {
			continue
		}
		p, err := r.packument(dn)
		if err != nil {
			return nil, fmt.Errorf("stored %s pins %s@%s, which is missing from the store: %w", n.id(), dn, dv, err)
		}
		pv, ok := p.Versions[dv]
		if !ok {
			return nil, fmt.Errorf("%w: stored %s pins %s@%s, which is missing from the store and no longer in the registry", ErrResolve, n.id(), dn, dv)
		}
		dep, isNew, err := r.place(dn, pv, n.id(), false)
		if err != nil {
			return nil, err
		}
		if isNew {
			next = append(next, dep)
		}
	}
	return next, nil
}

// bundled returns the packument's bundleDependencies as a list (it may be true: all dependencies).
func (pv *packumentVersion) bundled() []string {
	v := pv.BundleDependencies
	if v == nil {
		v = pv.BundledDependencies
	}
	switch b := v.(type) {
	case bool:
		if !b {
			return nil
		}
		var out []string
		for n := range pv.Dependencies {
			out = append(out, n)
		}
		for n := range pv.OptionalDependencies {
			out = append(out, n)
		}
		return out
	case []any:
		var out []string
		for _, x := range b {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// platformSpecific reports whether the manifest restricts the operating system or CPU.
func (pv *packumentVersion) platformSpecific() bool {
	return len(pv.OS) > 0 || len(pv.CPU) > 0
}
