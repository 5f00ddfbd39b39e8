package resolver

import (
	"errors"
	"fmt"
	"sort"

	"github.com/Masterminds/semver/v3"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

// resolve runs the resolution algorithm. ex, when not nil, records the steps. cacheable is false for
// answers that must not be cached (malformed specs, catalog read failures).
func (r *Resolver) resolve(runtime, spec string, ex *Explanation) (res *Resolution, err *Error, cacheable bool) {
	s, rng, perr := parseSpec(spec, func(text string) (*versionRange, error) { return compileRange(&r.ranges, text) })
	if perr != nil {
		var se *SpecError
		if !errors.As(perr, &se) {
			se = &SpecError{Spec: spec, Reason: perr.Error()}
		}
		return nil, &Error{Spec: spec, Runtime: runtime, Outcome: OutcomeInvalidSpec,
			Detail: "invalid module specifier: " + se.Reason, Err: se}, false
	}
	q := query{r: r, runtime: runtime, spec: spec, s: s, rng: rng, ex: ex}
	if ex != nil {
		ex.Parsed, ex.Range = &s, s.IsRange()
		ex.stepf("parsed %q: %s", spec, describeSpec(s))
	}
	if s.Version == "" {
		res, err = q.unpinned()
	} else {
		res, err = q.pinned()
	}
	if err != nil {
		return nil, err, err.Outcome != OutcomeCatalogError || errors.Is(err.Err, catalog.ErrVersionNotFound)
	}
	return res, nil, true
}

func describeSpec(s Spec) string {
	out := "module " + s.Name
	switch {
	case s.Version == "":
		out += ", no version (unpinned)"
	case s.IsRange():
		out += ", version range " + s.Version
	default:
		out += ", exact version " + s.Version
	}
	if s.Subpath != "" {
		out += ", subpath " + s.Subpath
	}
	return out
}

// query is one resolution in progress.
type query struct {
	r       *Resolver
	runtime string
	spec    string
	s       Spec
	rng     *versionRange // the compiled range, when s.Version is one
	ex      *Explanation
}

func (q *query) fail(o Outcome, cause error, allowed []string, format string, args ...any) *Error {
	return &Error{Spec: q.spec, Runtime: q.runtime, Outcome: o, Detail: fmt.Sprintf(format, args...),
		Allowed: allowed, Err: cause}
}

// lookup reads a module; found is false when the runtime does not list it.
func (q *query) lookup(name string) (m catalog.Module, found bool, err *Error) {
	m, cerr := q.r.cat.Module(q.runtime, name)
	switch {
	case cerr == nil:
		if q.ex != nil {
			q.ex.stepf("catalog %q lists %s", q.runtime, describeModule(&m))
		}
		return m, true, nil
	case errors.Is(cerr, catalog.ErrRuntimeNotFound):
		return m, false, q.fail(OutcomeUnknownRuntime, cerr, nil,
			"runtime %q does not exist; list the runtimes with `verq catalog runtimes`", q.runtime)
	case errors.Is(cerr, catalog.ErrModuleNotFound):
		if q.ex != nil {
			q.ex.stepf("catalog %q does not list %s", q.runtime, name)
		}
		return m, false, nil
	default:
		return m, false, q.fail(OutcomeCatalogError, cerr, nil, "reading catalog %q: %v", q.runtime, cerr)
	}
}

func describeModule(m *catalog.Module) string {
	if m.Core {
		return "core module " + m.Name
	}
	return fmt.Sprintf("module %s with %d version(s), default %s", m.Name, len(m.Versions), orNone(m.Default))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// unpinned resolves name[/subpath] without a version: a core module, or the module's default.
func (q *query) unpinned() (*Resolution, *Error) {
	s := q.s
	if s.Subpath != "" {
		full := s.FullName()
		m, ok, err := q.lookup(full)
		if err != nil {
			return nil, err
		}
		if ok && m.Core {
			return q.core(&m)
		}
		if !ok && IsNodeCore(full) {
			return nil, q.coreUnavailable(full)
		}
	}
	m, ok, err := q.lookup(s.Name)
	if err != nil {
		return nil, err
	}
	if !ok {
		if IsNodeCore(s.Name) {
			return nil, q.coreUnavailable(s.Name)
		}
		return nil, q.fail(OutcomeNotInCatalog, catalog.ErrModuleNotFound, nil,
			"module %s is not in catalog %q; add it with `verq catalog add %s@VERSION`", s.Name, q.runtime, s.Name)
	}
	if m.Core {
		if s.Subpath != "" {
			return nil, q.fail(OutcomeNotInCatalog, catalog.ErrModuleNotFound, nil,
				"module %s is not in catalog %q (%s is a core module without subpaths)", s.FullName(), q.runtime, s.Name)
		}
		return q.core(&m)
	}
	return q.byDefault(&m)
}

func (q *query) coreUnavailable(name string) *Error {
	return q.fail(OutcomeNotInCatalog, catalog.ErrModuleNotFound, nil,
		"%s is a Node.js core module that is not available in the sandbox", name)
}

// core resolves a core module listed in the catalog.
func (q *query) core(m *catalog.Module) (*Resolution, *Error) {
	st, reason := catalog.StatusAllowed, ""
	if v, ok := m.Lookup(catalog.NativeVersion); ok {
		st, reason = statusOf(v)
	}
	if st == catalog.StatusBlocked {
		return nil, q.fail(OutcomeBlocked, ErrBlocked, nil, "core module %s is blocked in catalog %q: %s", m.Name, q.runtime, orNone(reason))
	}
	p, ok := q.r.reg.Core(m.Name)
	if !ok {
		return nil, q.fail(OutcomeNoImplementation, registry.ErrNoImplementation, nil,
			"core module %s is allowed by catalog %q but the sandbox has no implementation of it", m.Name, q.runtime)
	}
	if q.ex != nil {
		q.ex.stepf("%s is a core module (status %s); the spec names no version, so the core module is used", m.Name, st)
	}
	return &Resolution{Spec: q.spec, Runtime: q.runtime, Name: m.Name, How: HowCore, Status: st, Reason: reason,
		Implementation: p.Info(), Provider: p}, nil
}

// statusOf normalises a catalog status: empty means allowed; anything unknown fails closed as blocked.
func statusOf(v catalog.Version) (catalog.Status, string) {
	switch v.Status {
	case "", catalog.StatusAllowed:
		return catalog.StatusAllowed, v.Reason
	case catalog.StatusDeprecated, catalog.StatusBlocked:
		return v.Status, v.Reason
	}
	return catalog.StatusBlocked, fmt.Sprintf("unknown catalog status %q", v.Status)
}

// packageVersions returns m's versions without the core "native" entry.
func packageVersions(m *catalog.Module) []catalog.Version {
	for i := range m.Versions {
		if m.Versions[i].Version == catalog.NativeVersion {
			out := make([]catalog.Version, 0, len(m.Versions)-1)
			out = append(out, m.Versions[:i]...)
			for _, v := range m.Versions[i+1:] {
				if v.Version != catalog.NativeVersion {
					out = append(out, v)
				}
			}
			return out
		}
	}
	return m.Versions
}

// byDefault resolves an unpinned package to its default version (the first listed if none is set).
func (q *query) byDefault(m *catalog.Module) (*Resolution, *Error) {
	versions := packageVersions(m)
	def := m.Default
	if def == "" {
		if len(versions) == 0 {
			return nil, q.fail(OutcomeVersionNotFound, catalog.ErrVersionNotFound, nil,
				"module %s has no versions in catalog %q; add one with `verq catalog add %s@VERSION`", m.Name, q.runtime, m.Name)
		}
		def = versions[0].Version
		if q.ex != nil {
			q.ex.stepf("%s has no default version set; the first listed version %s is the default", m.Name, def)
		}
	}
	var chosen *catalog.Version
	for i := range versions {
		if versions[i].Version == def {
			chosen = &versions[i]
			break
		}
	}
	q.candidates(m, versions, func(i int) bool { return versions[i].Version == def })
	if chosen == nil {
		return nil, q.fail(OutcomeCatalogError, catalog.ErrVersionNotFound, q.allowed(versions),
			"the default version %s of %s is not listed in catalog %q; set one with `verq catalog default %s VERSION`",
			def, m.Name, q.runtime, m.Name)
	}
	if q.ex != nil {
		q.ex.stepf("the spec names no version; the default version of %s is %s", m.Name, def)
	}
	st, reason := statusOf(*chosen)
	if st == catalog.StatusBlocked {
		return nil, q.fail(OutcomeBlocked, ErrBlocked, q.allowed(versions),
			"version %s (the default of %s) is blocked in catalog %q: %s", def, m.Name, q.runtime, orNone(reason))
	}
	return q.implement(m.Name, def, HowDefault, st, reason)
}

// pinned resolves name@version[/subpath]; a versioned spec never resolves to a core module.
func (q *query) pinned() (*Resolution, *Error) {
	s := q.s
	addHint := s.Name + "@" + s.Version
	if s.IsRange() {
		addHint = s.Name + "@VERSION"
	}
	m, ok, err := q.lookup(s.Name)
	if err != nil {
		return nil, err
	}
	if !ok {
		extra := ""
		if IsNodeCore(s.Name) {
			extra = fmt.Sprintf(" (a spec with a version never resolves to the Node.js core module %s)", s.Name)
		}
		return nil, q.fail(OutcomeNotInCatalog, catalog.ErrModuleNotFound, nil,
			"module %s is not in catalog %q%s; add it with `verq catalog add %s`", s.Name, q.runtime, extra, addHint)
	}
	versions := packageVersions(&m)
	if m.Core && len(versions) == 0 {
		return nil, q.fail(OutcomeNotInCatalog, catalog.ErrModuleNotFound, nil,
			"module %s is not in catalog %q as a package, only as a core module, which is required without a version (require('%s')); add the package with `verq catalog add %s`",
			s.Name, q.runtime, s.Name, addHint)
	}
	if s.IsRange() {
		return q.byRange(&m, versions)
	}
	return q.exact(&m, versions)
}

// exact resolves an exact version by string equality with a catalog entry.
func (q *query) exact(m *catalog.Module, versions []catalog.Version) (*Resolution, *Error) {
	want := q.s.Version
	q.candidates(m, versions, func(i int) bool { return versions[i].Version == want })
	for _, v := range versions {
		if v.Version != want {
			continue
		}
		st, reason := statusOf(v)
		if st == catalog.StatusBlocked {
			return nil, q.fail(OutcomeBlocked, ErrBlocked, q.allowed(versions),
				"version %s is blocked in catalog %q: %s", want, q.runtime, orNone(reason))
		}
		if q.ex != nil {
			q.ex.stepf("version %s is listed with status %s", want, st)
		}
		return q.implement(m.Name, want, HowExact, st, reason)
	}
	allowed := q.allowed(versions)
	return nil, q.fail(OutcomeVersionNotFound, catalog.ErrVersionNotFound, allowed,
		"version %s is not in catalog %q%s", want, q.runtime, allowedText(allowed))
}

// byRange resolves a semver range to the highest matching version that is not blocked.
func (q *query) byRange(m *catalog.Module, versions []catalog.Version) (*Resolution, *Error) {
	rng := q.rng
	var best, bestBlocked *semver.Version
	var bestEntry, blockedEntry catalog.Version
	matched := 0
	var matches []bool // per version, for the explanation only
	if q.ex != nil {
		matches = make([]bool, len(versions))
	}
	for i, v := range versions {
		sv := memoVersion(&q.r.versions, v.Version)
		if sv == nil {
			if q.ex != nil {
				q.ex.stepf("skipped catalog version %q: not a semantic version", v.Version)
			}
			continue
		}
		if !rng.Check(sv) {
			continue
		}
		matched++
		if matches != nil {
			matches[i] = true
		}
		if st, _ := statusOf(v); st == catalog.StatusBlocked {
			if bestBlocked == nil || sv.GreaterThan(bestBlocked) {
				bestBlocked, blockedEntry = sv, v
			}
			continue
		}
		if best == nil || sv.GreaterThan(best) {
			best, bestEntry = sv, v
		}
	}
	if q.ex != nil {
		q.candidates(m, versions, func(i int) bool { return matches[i] })
	}
	if best == nil {
		allowed := q.allowed(versions)
		if bestBlocked != nil {
			_, reason := statusOf(blockedEntry)
			return nil, q.fail(OutcomeBlocked, ErrBlocked, allowed,
				"every version matching %s is blocked; version %s is blocked in catalog %q: %s",
				q.s.Version, blockedEntry.Version, q.runtime, orNone(reason))
		}
		return nil, q.fail(OutcomeVersionNotFound, catalog.ErrVersionNotFound, allowed,
			"no version in catalog %q satisfies %s%s", q.runtime, q.s.Version, allowedText(allowed))
	}
	if q.ex != nil {
		q.ex.stepf("range %s matches %d listed version(s); the highest not blocked is %s", q.s.Version, matched, bestEntry.Version)
	}
	st, reason := statusOf(bestEntry)
	return q.implement(m.Name, bestEntry.Version, HowRange, st, reason)
}

// implement finds the provider for an allowed name@version and builds the resolution.
func (q *query) implement(name, version string, how How, st catalog.Status, reason string) (*Resolution, *Error) {
	p, ok := q.r.reg.Lookup(name, version)
	if !ok {
		return nil, q.fail(OutcomeNoImplementation, registry.ErrNoImplementation, nil,
			"%s@%s is allowed by catalog %q but no implementation is installed (add one with `verq registry add %s@%s`)",
			name, version, q.runtime, name, version)
	}
	return &Resolution{Spec: q.spec, Runtime: q.runtime, Name: name, Version: version, Requested: q.s.Version,
		Subpath: q.s.Subpath, How: how, Status: st, Reason: reason, Implementation: p.Info(), Provider: p}, nil
}

// candidates records the considered versions in the explanation.
func (q *query) candidates(m *catalog.Module, versions []catalog.Version, matches func(i int) bool) {
	if q.ex == nil {
		return
	}
	q.ex.Candidates = q.ex.Candidates[:0]
	for i, v := range versions {
		st, reason := statusOf(v)
		q.ex.Candidates = append(q.ex.Candidates, Candidate{Version: v.Version, Status: st, Reason: reason,
			Default: v.Version == m.Default, Matches: matches(i)})
	}
}

// allowed lists the versions that are not blocked, in ascending semver order (versions that
// do not parse keep catalog order, after the others).
func (q *query) allowed(versions []catalog.Version) []string {
	type item struct {
		text string
		v    *semver.Version
	}
	items := make([]item, 0, len(versions))
	for _, v := range versions {
		if st, _ := statusOf(v); st == catalog.StatusBlocked {
			continue
		}
		sv := memoVersion(&q.r.versions, v.Version)
		items = append(items, item{v.Version, sv})
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].v, items[j].v
		switch {
		case a == nil:
			return false
		case b == nil:
			return true
		}
		return a.LessThan(b)
	})
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.text
	}
	return out
}
