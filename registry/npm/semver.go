package npm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// specKind classifies a dependency specifier the way npm-package-arg does, as far as verq needs.
type specKind int

const (
	specRange       specKind = iota // a semver range or exact version ("^1.2.0", "1.x", "", "*")
	specTag                         // a dist-tag ("latest", "next")
	specUnsupported                 // git, URL, file, alias, workspace and GitHub shorthand specifiers
)

var tagRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// classifySpec returns the kind of a dependency specifier and, for ranges, the parsed constraint.
func classifySpec(spec string) (specKind, *semver.Constraints, string) {
	s := strings.TrimSpace(spec)
	switch {
	case s == "" || s == "*" || s == "x" || s == "X":
		c, _ := semver.NewConstraint("*")
		return specRange, c, ""
	case strings.HasPrefix(s, "npm:"):
		return specUnsupported, nil, "an npm alias"
	case strings.HasPrefix(s, "file:"), strings.HasPrefix(s, "link:"), strings.HasPrefix(s, "./"),
		strings.HasPrefix(s, "../"), strings.HasPrefix(s, "/"), strings.HasPrefix(s, "~/"):
		return specUnsupported, nil, "a local path"
	case strings.HasPrefix(s, "workspace:"):
		return specUnsupported, nil, "a workspace reference"
	case strings.Contains(s, "://"), strings.HasPrefix(s, "git+"), strings.HasPrefix(s, "git@"),
		strings.HasPrefix(s, "github:"), strings.HasPrefix(s, "gitlab:"), strings.HasPrefix(s, "bitbucket:"), strings.HasPrefix(s, "gist:"):
		return specUnsupported, nil, "a git or URL dependency"
	}
	if c, err := semver.NewConstraint(s); err == nil {
		return specRange, c, ""
	}
	if strings.Count(s, "/") == 1 && !strings.ContainsAny(s, " <>=^~|") {
		return specUnsupported, nil, "a GitHub shorthand"
	}
	if tagRE.MatchString(s) {
		return specTag, nil, ""
	}
	return specUnsupported, nil, "not a valid semver range"
}

// prereleaseRE finds the versions with a prerelease tag written in a range.
var prereleaseRE = regexp.MustCompile(`(\d+)\.(\d+)\.(\d+)-[0-9A-Za-z.-]+`)

// satisfies reports whether v satisfies the range text r (parsed as c) with npm's prerelease rule:
// a prerelease version matches only when the range names a prerelease of the same
// MAJOR.MINOR.PATCH.
func satisfies(c *semver.Constraints, r string, v *semver.Version) bool {
	if !c.Check(v) {
		return false
	}
	if v.Prerelease() == "" {
		return true
	}
	for _, m := range prereleaseRE.FindAllStringSubmatch(r, -1) {
		if m[1] == fmt.Sprint(v.Major()) && m[2] == fmt.Sprint(v.Minor()) && m[3] == fmt.Sprint(v.Patch()) {
			return true
		}
	}
	return false
}

// packument is the registry document of one package (the fields verq reads).
type packument struct {
	Name     string                       `json:"name"`
	DistTags map[string]string            `json:"dist-tags"`
	Versions map[string]*packumentVersion `json:"versions"`
}

// packumentVersion is one version's manifest inside a packument.
type packumentVersion struct {
	Name                 string     `json:"name"`
	Version              string     `json:"version"`
	Dependencies         depMap     `json:"dependencies"`
	OptionalDependencies depMap     `json:"optionalDependencies"`
	PeerDependencies     depMap     `json:"peerDependencies"`
	PeerDependenciesMeta peerMeta   `json:"peerDependenciesMeta"`
	Deprecated           deprecated `json:"deprecated"`
	BundleDependencies   any        `json:"bundleDependencies"`
	BundledDependencies  any        `json:"bundledDependencies"`
	OS                   stringList `json:"os"`
	CPU                  stringList `json:"cpu"`
	Dist                 struct {
		Tarball   string `json:"tarball"`
		Integrity string `json:"integrity"`
		Shasum    string `json:"shasum"`
	} `json:"dist"`
}

// depMap decodes a dependency object leniently: non-string values are dropped, as npm does.
type depMap map[string]string

func (d *depMap) UnmarshalJSON(b []byte) error {
	var raw map[string]any
	if json.Unmarshal(b, &raw) != nil {
		*d = nil
		return nil
	}
	out := make(depMap, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = strings.TrimSpace(s)
		}
	}
	*d = out
	return nil
}

// stringList decodes a list of strings leniently (a single string is a one-element list).
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var arr []string
	if json.Unmarshal(b, &arr) == nil {
		*l = arr
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil && s != "" {
		*l = []string{s}
		return nil
	}
	*l = nil
	return nil
}

// parseVersion parses an exact version as the registry writes it.
func parseVersion(s string) (*semver.Version, error) { return semver.StrictNewVersion(s) }

// peerMeta decodes peerDependenciesMeta leniently into the set of optional peers.
type peerMeta map[string]bool

func (p *peerMeta) UnmarshalJSON(b []byte) error {
	var raw map[string]struct {
		Optional bool `json:"optional"`
	}
	if json.Unmarshal(b, &raw) != nil {
		*p = nil
		return nil
	}
	out := make(peerMeta)
	for k, v := range raw {
		if v.Optional {
			out[k] = true
		}
	}
	*p = out
	return nil
}

// deprecated is the "deprecated" field: a message, or (rarely) a boolean.
type deprecated string

func (d *deprecated) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*d = deprecated(s)
		return nil
	}
	var t bool
	if json.Unmarshal(b, &t) == nil && t {
		*d = "deprecated"
		return nil
	}
	*d = ""
	return nil
}

// pick chooses the version of a packument that npm would install for spec, following
// npm-pick-manifest: a dist-tag names its version; for a range, the "latest" tag wins when it
// satisfies the range and is not deprecated; otherwise the highest satisfying version, preferring
// versions that are not deprecated.
func pick(p *packument, spec string) (*packumentVersion, error) {
	kind, c, why := classifySpec(spec)
	switch kind {
	case specUnsupported:
		return nil, fmt.Errorf("%w: %s@%q is %s; verq installs versions from the npm registry only", ErrResolve, p.Name, spec, why)
	case specTag:
		v, ok := p.DistTags[spec]
		if !ok {
			return nil, fmt.Errorf("%w: %s has no version or dist-tag %q (dist-tags: %s)", ErrResolve, p.Name, spec, tagList(p))
		}
		pv, ok := p.Versions[v]
		if !ok {
			return nil, fmt.Errorf("%w: %s dist-tag %q names version %s, which the registry does not list", ErrResolve, p.Name, spec, v)
		}
		return pv, nil
	}
	rangeText := strings.TrimSpace(spec)
	if latest, ok := p.DistTags["latest"]; ok {
		if pv, ok := p.Versions[latest]; ok && pv.Deprecated == "" {
			if v, err := semver.StrictNewVersion(latest); err == nil && satisfies(c, rangeText, v) {
				return pv, nil
			}
		}
	}
	type cand struct {
		v  *semver.Version
		pv *packumentVersion
	}
	var cands []cand
	for s, pv := range p.Versions {
		v, err := semver.StrictNewVersion(s)
		if err != nil || pv == nil {
			continue
		}
		if satisfies(c, rangeText, v) {
			cands = append(cands, cand{v, pv})
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: no version of %s satisfies %q (latest: %s)", ErrResolve, p.Name, spec, p.DistTags["latest"])
	}
	sort.Slice(cands, func(i, j int) bool {
		di, dj := cands[i].pv.Deprecated == "", cands[j].pv.Deprecated == ""
		if di != dj {
			return di
		}
		return cands[i].v.GreaterThan(cands[j].v)
	})
	return cands[0].pv, nil
}

func tagList(p *packument) string {
	var tags []string
	for t, v := range p.DistTags {
		tags = append(tags, t+"="+v)
	}
	sort.Strings(tags)
	if len(tags) == 0 {
		return "none"
	}
	return strings.Join(tags, ", ")
}

// highestSatisfying returns the highest of versions that satisfies spec, or "".
func highestSatisfying(versions []string, spec string) string {
	kind, c, _ := classifySpec(spec)
	if kind != specRange {
		return ""
	}
	var best *semver.Version
	bestText := ""
	for _, s := range versions {
		v, err := semver.StrictNewVersion(s)
		if err != nil || !satisfies(c, strings.TrimSpace(spec), v) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, bestText = v, s
		}
	}
	return bestText
}
