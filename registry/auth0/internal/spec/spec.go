// Package spec holds the declarative description of the npm auth0 2.x/3.x ManagementClient and
// resolves it into the surface of one version.
//
// The endpoint table (table.json) is generated from the observed reference by internal/gen:
//
// Behaviour that changed at version boundaries for the whole library (promise class, error class,
// retry policy, telemetry shape, …) is the hand-written Features table in features.go.
//
//go:generate go run ../gen -overlay ../gen/overlay.json -out table.json
package spec

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/Masterminds/semver/v3"
)

//go:embed table.json
var tableJSON []byte

// Load returns the embedded table, parsed once.
var Load = sync.OnceValues(func() (*Table, error) {
	var t Table
	if err := json.Unmarshal(tableJSON, &t); err != nil {
		return nil, fmt.Errorf("auth0 spec: embedded table: %w", err)
	}
	if len(t.Versions) == 0 {
		return nil, fmt.Errorf("auth0 spec: embedded table lists no versions")
	}
	return &t, nil
})

// index is the table resolved for lookups.
type index struct {
	table    *Table
	probed   []*semver.Version
	surfaces sync.Map // probed version string → *Surface
}

var loadIndex = sync.OnceValues(func() (*index, error) {
	t, err := Load()
	if err != nil {
		return nil, err
	}
	ix := &index{table: t}
	for _, v := range t.Versions {
		sv, err := semver.StrictNewVersion(v.Version)
		if err != nil {
			return nil, fmt.Errorf("auth0 spec: bad probed version %q: %w", v.Version, err)
		}
		ix.probed = append(ix.probed, sv)
	}
	sort.Slice(ix.probed, func(i, j int) bool { return ix.probed[i].LessThan(ix.probed[j]) })
	return ix, nil
})

// Probed returns the versions the reference describes, ascending.
func Probed() []string {
	ix, err := loadIndex()
	if err != nil {
		return nil
	}
	out := make([]string, len(ix.probed))
	for i, v := range ix.probed {
		out[i] = v.Original()
	}
	return out
}

// Describing maps a 2.x/3.x version to the probed version that describes it: the probed version of
// the same minor (one was probed per minor), else the highest probed version of the same major below
// it, else the lowest of the same major. A prerelease is described by its release.
func Describing(version string) (string, bool) {
	ix, err := loadIndex()
	if err != nil {
		return "", false
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return "", false
	}
	if v.Major() != 2 && v.Major() != 3 {
		return "", false
	}
	var below, lowest *semver.Version
	for _, p := range ix.probed {
		if p.Major() != v.Major() {
			continue
		}
		if p.Minor() == v.Minor() {
			return p.Original(), true
		}
		if lowest == nil {
			lowest = p
		}
		if p.Minor() < v.Minor() {
			below = p
		}
	}
	switch {
	case below != nil:
		return below.Original(), true
	case lowest != nil:
		return lowest.Original(), true
	}
	return "", false
}

// In reports whether the probed version v lies in r.
func (r Range) In(v *semver.Version) bool {
	first, err1 := semver.StrictNewVersion(r.First)
	last, err2 := semver.StrictNewVersion(r.Last)
	if err1 != nil || err2 != nil {
		return false
	}
	return !v.LessThan(first) && !v.GreaterThan(last)
}

// Surface is everything one version exposes, resolved from the table.
type Surface struct {
	// Probed is the probed version this surface describes.
	Probed string
	// Features are the library-wide behaviours of the version.
	Features Features
	// TelemetryDeps is the legacy telemetry dependency list (2.0–2.16).
	TelemetryDeps []Dependency
	// Flat are the ManagementClient.prototype members in prototype order.
	Flat []FlatMember
	// Managers are the manager instance properties in own-key order.
	Managers []ManagerSurface
}

// FlatMember is one prototype member of a version.
type FlatMember struct {
	Name   string
	Access string
	// Manager and Method name the delegate ("users", "get"); Endpoint is its definition, nil when
	// the member is AccessThrows or not a delegate.
	Manager, Method string
	Endpoint        *EndpointRange
}

// ManagerSurface is one manager of a version.
type ManagerSurface struct {
	Name, Class string
	Methods     []ManagerMethod
}

// ManagerMethod is one method of a manager.
type ManagerMethod struct {
	Name     string
	Endpoint *EndpointRange
}

// SurfaceOf returns the surface describing version (any 2.x/3.x version; see Describing). The
// result is shared and must not be modified.
func SurfaceOf(version string) (*Surface, error) {
	probed, ok := Describing(version)
	if !ok {
		return nil, fmt.Errorf("auth0 spec: no ManagementClient description for version %q (served: 2.x and 3.x)", version)
	}
	ix, err := loadIndex()
	if err != nil {
		return nil, err
	}
	if s, ok := ix.surfaces.Load(probed); ok {
		return s.(*Surface), nil
	}
	s, err := ix.build(probed)
	if err != nil {
		return nil, err
	}
	actual, _ := ix.surfaces.LoadOrStore(probed, s)
	return actual.(*Surface), nil
}

func (ix *index) build(probed string) (*Surface, error) {
	pv := semver.MustParse(probed)
	s := &Surface{Probed: probed, Features: FeaturesOf(pv)}
	for _, vf := range ix.table.Versions {
		if vf.Version == probed {
			s.TelemetryDeps = vf.TelemetryDeps
		}
	}
	endpoint := func(id string) *EndpointRange {
		for i := range ix.table.Endpoints {
			e := &ix.table.Endpoints[i]
			if e.ID != id {
				continue
			}
			for j := range e.Ranges {
				if e.Ranges[j].In(pv) {
					return &e.Ranges[j]
				}
			}
		}
		return nil
	}
	for _, f := range ix.table.Flat {
		for _, r := range f.Ranges {
			if !r.In(pv) {
				continue
			}
			m := FlatMember{Name: f.Name, Access: r.Access}
			if r.Endpoint != "" {
				m.Manager, m.Method = splitID(r.Endpoint)
				if r.Access == AccessMethod {
					if m.Endpoint = endpoint(r.Endpoint); m.Endpoint == nil {
						return nil, fmt.Errorf("auth0 spec: %s: %s delegates to %s, which has no definition", probed, f.Name, r.Endpoint)
					}
				}
			}
			s.Flat = append(s.Flat, m)
		}
	}
	for _, mg := range ix.table.Managers {
		for _, r := range mg.Ranges {
			if !r.In(pv) {
				continue
			}
			ms := ManagerSurface{Name: mg.Name, Class: r.Class}
			for _, meth := range r.Methods {
				ep := endpoint(mg.Name + "." + meth)
				if ep == nil {
					return nil, fmt.Errorf("auth0 spec: %s: %s.%s has no definition", probed, mg.Name, meth)
				}
				ms.Methods = append(ms.Methods, ManagerMethod{Name: meth, Endpoint: ep})
			}
			s.Managers = append(s.Managers, ms)
		}
	}
	return s, nil
}

func splitID(id string) (string, string) {
	for i := 0; i < len(id); i++ {
		if id[i] == '.' {
			return id[:i], id[i+1:]
		}
	}
	return id, ""
}
