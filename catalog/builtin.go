package catalog

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// builtinJSON is the declarative definition of the built-in runtime. Extend the catalog verq serves
// by editing builtin.json only.
//
//go:embed builtin.json
var builtinJSON []byte

type builtinFile struct {
	About       string          `json:"about"`
	Runtime     string          `json:"runtime"`
	NodeVersion string          `json:"node_version"`
	Description string          `json:"description"`
	Modules     []builtinModule `json:"modules"`
}

type builtinModule struct {
	Name     string   `json:"name"`
	Core     bool     `json:"core"`
	Homepage string   `json:"homepage"`
	Notes    string   `json:"notes"`
	Default  string   `json:"default"`
	Versions []string `json:"versions"`
}

// loadBuiltin parses and validates the embedded built-in list and returns it with its SHA-256.
func loadBuiltin() (*builtinFile, string, error) {
	return parseBuiltin(builtinJSON)
}

func parseBuiltin(data []byte) (*builtinFile, string, error) {
	var f builtinFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, "", fmt.Errorf("built-in list: %w", err)
	}
	if err := ValidateRuntimeName(f.Runtime); err != nil {
		return nil, "", fmt.Errorf("built-in list: %w", err)
	}
	seen := map[string]bool{}
	for i, m := range f.Modules {
		where := fmt.Sprintf("built-in list: modules[%d] (%q)", i, m.Name)
		// A core name may have "/" segments; one that also lists package versions must be a package name.
		if err := ValidateName(m.Name, m.Core && len(m.Versions) == 0); err != nil {
			return nil, "", fmt.Errorf("%s: %w", where, err)
		}
		if seen[m.Name] {
			return nil, "", fmt.Errorf("%s: %w: listed twice", where, ErrInvalid)
		}
		seen[m.Name] = true
		if !m.Core && len(m.Versions) == 0 {
			return nil, "", fmt.Errorf("%s: %w: a package needs at least one version (or \"core\": true for a core module)", where, ErrInvalid)
		}
		vs := map[string]bool{}
		for j, v := range m.Versions {
			c, err := CanonicalVersion(v)
			if err != nil || c != v || v == NativeVersion {
				return nil, "", fmt.Errorf("%s: versions[%d] %q: %w: want a canonical exact version (a core module says \"core\": true instead of listing \"native\")", where, j, v, ErrInvalid)
			}
			if vs[v] {
				return nil, "", fmt.Errorf("%s: %w: version %s listed twice", where, ErrInvalid, v)
			}
			vs[v] = true
		}
		switch {
		case len(m.Versions) == 0 && m.Default != "":
			return nil, "", fmt.Errorf("%s: %w: default %s is set but a core module without package versions has no default", where, ErrInvalid, m.Default)
		case len(m.Versions) > 0 && m.Default == "":
			return nil, "", fmt.Errorf("%s: %w: default is missing", where, ErrInvalid)
		case len(m.Versions) > 0 && !vs[m.Default]:
			return nil, "", fmt.Errorf("%s: %w: default %s is not one of its versions", where, ErrInvalid, m.Default)
		}
	}
	sum := sha256.Sum256(data)
	return &f, hex.EncodeToString(sum[:]), nil
}

// specs converts the built-in file to import specs (catalog order, explicit defaults): a core
// module's "native" entry first, then its package versions, if any.
func (f *builtinFile) specs() []modSpec {
	out := make([]modSpec, 0, len(f.Modules))
	for i, m := range f.Modules {
		sp := modSpec{name: m.Name, core: m.Core, homepage: m.Homepage, notes: m.Notes, def: m.Default, entry: i}
		if m.Core {
			sp.versions = []verSpec{{version: NativeVersion}}
		}
		for _, v := range m.Versions {
			sp.versions = append(sp.versions, verSpec{version: v})
		}
		out = append(out, sp)
	}
	return out
}

// Builtin returns the built-in runtime's list (runtime [DefaultRuntime]) in export order: the core
// ("native") entries first, then the package versions, each half sorted by name, a package's default
// version first. A module that is core and a package appears in both halves. It is what verq can
// serve itself.
func Builtin() (*List, error) {
	f, _, err := loadBuiltin()
	if err != nil {
		return nil, err
	}
	mods := make([]Module, 0, len(f.Modules))
	for _, m := range f.Modules {
		mod := Module{Name: m.Name, Core: m.Core, Default: m.Default, Homepage: m.Homepage, Notes: m.Notes}
		if m.Core {
			mod.Versions = []Version{{Version: NativeVersion, Status: StatusAllowed}}
		}
		for _, v := range m.Versions {
			mod.Versions = append(mod.Versions, Version{Version: v, Status: StatusAllowed})
		}
		mods = append(mods, mod)
	}
	return listFromModules(f.NodeVersion, mods), nil
}

// applyBuiltin creates or extends the built-in runtime inside a seeding transaction.
func applyBuiltin(w *wtx, f *builtinFile) error {
	mode := importMode{
		keepDefaults: true,
		create:       runtimeRecord{NodeVersion: f.NodeVersion, Builtin: true, Description: f.Description},
		source:       "built-in list",
	}
	p, err := makePlan(w.tx, f.Runtime, f.specs(), mode, w.now)
	if err != nil {
		return err
	}
	return p.apply(w)
}
