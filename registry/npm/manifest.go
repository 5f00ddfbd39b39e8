package npm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/verq/verq/catalog"
)

// manifest is the part of a package.json verq reads.
type manifest struct {
	Name                 string
	Version              string
	Description          string
	License              string
	Main                 string
	Type                 string
	Exports              json.RawMessage
	Dependencies         map[string]string
	OptionalDependencies map[string]string
	PeerDependencies     map[string]string
	// PeerOptional names peers marked optional in peerDependenciesMeta.
	PeerOptional map[string]bool
	Bundled      []string
}

// parseManifest reads a package.json leniently, as npm does: fields of an unexpected type are
// ignored, but the name and version must be valid.
func parseManifest(data []byte) (*manifest, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: package.json is not a JSON object: %v", ErrInvalidPackage, err)
	}
	m := &manifest{}
	str := func(k string) string {
		var s string
		if v, ok := raw[k]; ok && json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	}
	deps := func(k string) map[string]string {
		var d map[string]any
		if v, ok := raw[k]; !ok || json.Unmarshal(v, &d) != nil {
			return nil
		}
		out := make(map[string]string, len(d))
		for name, r := range d {
			if s, ok := r.(string); ok {
				out[name] = strings.TrimSpace(s)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	m.Name, m.Version = str("name"), str("version")
	m.Description, m.Main, m.Type = str("description"), str("main"), str("type")
	m.License = parseLicense(raw)
	if v, ok := raw["exports"]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		m.Exports = v
	}
	m.Dependencies = deps("dependencies")
	m.OptionalDependencies = deps("optionalDependencies")
	m.PeerDependencies = deps("peerDependencies")
	var meta map[string]struct {
		Optional bool `json:"optional"`
	}
	if v, ok := raw["peerDependenciesMeta"]; ok && json.Unmarshal(v, &meta) == nil {
		for name, pm := range meta {
			if pm.Optional {
				if m.PeerOptional == nil {
					m.PeerOptional = make(map[string]bool)
				}
				m.PeerOptional[name] = true
			}
		}
	}
	m.Bundled = parseBundled(raw, m.Dependencies, m.OptionalDependencies)

	if err := catalog.ValidateName(m.Name, false); err != nil {
		return nil, fmt.Errorf("%w: package.json name: %v", ErrInvalidPackage, err)
	}
	v, err := catalog.CanonicalVersion(m.Version)
	if err != nil || v == catalog.NativeVersion {
		return nil, fmt.Errorf("%w: package.json of %s has version %q, which is not an exact semantic version", ErrInvalidPackage, m.Name, m.Version)
	}
	m.Version = v
	return m, nil
}

// parseLicense reads "license" (an SPDX string, or the legacy {"type": …} object) or the legacy
// "licenses" array.
func parseLicense(raw map[string]json.RawMessage) string {
	if v, ok := raw["license"]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return strings.TrimSpace(s)
		}
		var o struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(v, &o) == nil && o.Type != "" {
			return o.Type
		}
	}
	if v, ok := raw["licenses"]; ok {
		var arr []struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(v, &arr) == nil {
			var types []string
			for _, l := range arr {
				if l.Type != "" {
					types = append(types, l.Type)
				}
			}
			switch len(types) {
			case 0:
			case 1:
				return types[0]
			default:
				return "(" + strings.Join(types, " OR ") + ")"
			}
		}
	}
	return ""
}

// parseBundled reads bundleDependencies (or bundledDependencies): a list of names, or true for all
// dependencies.
func parseBundled(raw map[string]json.RawMessage, deps, optional map[string]string) []string {
	v, ok := raw["bundleDependencies"]
	if !ok {
		v, ok = raw["bundledDependencies"]
	}
	if !ok {
		return nil
	}
	var all bool
	if json.Unmarshal(v, &all) == nil {
		if !all {
			return nil
		}
		var names []string
		for n := range deps {
			names = append(names, n)
		}
		for n := range optional {
			names = append(names, n)
		}
		sort.Strings(names)
		return names
	}
	var names []string
	if json.Unmarshal(v, &names) != nil {
		return nil
	}
	sort.Strings(names)
	return names
}
