package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

// ModuleView is the listing shape of a module: the catalog's facts plus, for every version, its require
// line and how it is implemented. It is what the JSON API returns for a module and what the page renders.
// The fields match `verq catalog show --json`.
type ModuleView struct {
	Name     string        `json:"name"`
	Core     bool          `json:"core,omitempty"`
	Default  string        `json:"default,omitempty"`
	Homepage string        `json:"homepage,omitempty"`
	Notes    string        `json:"notes,omitempty"`
	Versions []VersionView `json:"versions"`
	// Usage says which rules require each version; present only when the server has a Usage hook.
	Usage []VersionUsage `json:"usage,omitempty"`
}

// VersionView is one version of a ModuleView.
type VersionView struct {
	// Version is the exact version, or "native" for a core module.
	Version string         `json:"version"`
	Default bool           `json:"default,omitempty"`
	Status  catalog.Status `json:"status"`
	Reason  string         `json:"reason,omitempty"`
	Note    string         `json:"note,omitempty"`
	// Implementation is the human label of what serves the version: "Go shim", "core module",
	// "JS package (MIT)" or "not installed".
	Implementation string `json:"implementation"`
	// Kind is the implementation kind ("go", "core", "package"); empty when nothing serves the version.
	Kind registry.Kind `json:"kind,omitempty"`
	// Require is the line a rule writes: require('name@version'), or require('name') for a core module.
	Require string    `json:"require"`
	Added   time.Time `json:"added,omitzero"`
}

// NotInstalled is the Implementation label of a version the catalog allows but nothing serves.
const NotInstalled = "not installed"

// NewModuleView builds the view of m, asking reg (which may be nil) how each version is implemented.
// A "native" version is the core module, required without a version; a catalog may list a core module
// and package versions under one name (url and the npm package url@0.10.3), and each is shown as such.
func NewModuleView(m catalog.Module, reg *registry.Registry) ModuleView {
	v := ModuleView{Name: m.Name, Core: m.Core, Default: m.Default, Homepage: m.Homepage, Notes: m.Notes}
	if m.Core && len(m.Versions) == 0 {
		m.Versions = []catalog.Version{{Version: catalog.NativeVersion, Status: catalog.StatusAllowed}}
	}
	v.Versions = make([]VersionView, 0, len(m.Versions))
	for _, ver := range m.Versions {
		native := ver.Version == catalog.NativeVersion
		vv := VersionView{
			Version: ver.Version, Default: !native && ver.Version == m.Default, Status: ver.Status, Reason: ver.Reason, Note: ver.Note,
			Implementation: NotInstalled, Require: requireLine(m.Name, ver.Version), Added: ver.Added,
		}
		if reg != nil {
			var p registry.Provider
			var ok bool
			if native {
				p, ok = reg.Core(m.Name)
			} else {
				p, ok = reg.Lookup(m.Name, ver.Version)
			}
			if ok {
				info := p.Info()
				vv.Implementation, vv.Kind = info.Kind.Label(), info.Kind
				if info.License != "" {
					vv.Implementation += " (" + info.License + ")"
				}
			}
		}
		v.Versions = append(v.Versions, vv)
	}
	return v
}

// requireLine is require('name@version'), or require('name') without a version.
func requireLine(name, version string) string {
	if version == "" || version == catalog.NativeVersion {
		return "require('" + name + "')"
	}
	return "require('" + name + "@" + version + "')"
}

// searchText is what the search box matches against, lower-cased: the name and every name@version.
func (v *ModuleView) searchText() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(v.Name))
	for _, ver := range v.Versions {
		if ver.Version == catalog.NativeVersion {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(v.Name))
		b.WriteByte('@')
		b.WriteString(strings.ToLower(ver.Version))
	}
	return b.String()
}

// normalizeQuery trims and lower-cases a search query.
func normalizeQuery(q string) string { return strings.ToLower(strings.TrimSpace(q)) }

// matches reports whether the module matches a normalized query: the query is a substring of the name
// or of one name@version. The page's script applies the same rule to the same text.
func (v *ModuleView) matches(q string) bool {
	return q == "" || strings.Contains(v.searchText(), q)
}

// ImplSummary names the implementations of a module's versions, e.g. "Go shim" or
// "Go shim ×2 · not installed ×1".
func (v *ModuleView) ImplSummary() string {
	counts := map[string]int{}
	var order []string
	for _, ver := range v.Versions {
		if counts[ver.Implementation] == 0 {
			order = append(order, ver.Implementation)
		}
		counts[ver.Implementation]++
	}
	if len(order) == 1 {
		return order[0]
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		parts = append(parts, k+" ×"+strconv.Itoa(counts[k]))
	}
	return strings.Join(parts, " · ")
}
