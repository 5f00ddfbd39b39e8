package catalog

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// MaxNameLength is the longest module name accepted (npm's limit).
const MaxNameLength = 214

var (
	// npm-like, but permissive for legacy data: upper case and leading dots/underscores are accepted.
	packageNameRE = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[A-Za-z0-9._~-][A-Za-z0-9._~-]*$`)
	// Core modules may have "/" segments ("assert/strict", "fs/promises").
	coreSegmentRE = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
	runtimeNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// ValidateName checks a module name. Package names follow npm's shape, permissively (legacy lists
// contain names such as "Buffer" or "azure_storage"); core module names may also have "/" segments.
// Names longer than [MaxNameLength] or containing ".." are refused. The error wraps [ErrInvalid].
func ValidateName(name string, core bool) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: module name is empty", ErrInvalid)
	case len(name) > MaxNameLength:
		return fmt.Errorf("%w: module name %.40q… is %d bytes long; the limit is %d", ErrInvalid, name, len(name), MaxNameLength)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%w: module name %q contains \"..\"", ErrInvalid, name)
	}
	if core && !strings.HasPrefix(name, "@") {
		for _, seg := range strings.Split(name, "/") {
			if seg == "." || !coreSegmentRE.MatchString(seg) {
				return fmt.Errorf("%w: core module name %q is malformed (want segments of letters, digits, '.', '_', '~', '-' separated by '/')", ErrInvalid, name)
			}
		}
		return nil
	}
	if !packageNameRE.MatchString(name) || name == "." || strings.HasSuffix(name, "/.") {
		hint := ""
		if i := strings.LastIndexByte(name, '@'); i > 0 {
			hint = fmt.Sprintf(" (it looks like name@version: give the name %q and the version %q separately)", name[:i], name[i+1:])
		}
		return fmt.Errorf("%w: module name %q is malformed (want an npm-style name such as \"lodash\" or \"@scope/pkg\")%s", ErrInvalid, name, hint)
	}
	return nil
}

// ValidateRuntimeName checks a runtime name: 1 to 64 characters of lower-case letters, digits, '.',
// '_' and '-', starting with a letter or digit. The error wraps [ErrInvalid].
func ValidateRuntimeName(name string) error {
	if !runtimeNameRE.MatchString(name) {
		return fmt.Errorf("%w: runtime name %q is malformed (want 1-64 of a-z 0-9 . _ - starting with a letter or digit, e.g. \"node18\")", ErrInvalid, name)
	}
	return nil
}

// CanonicalVersion validates an exact semantic version and returns its canonical text: no leading
// "v", prereleases and build metadata kept ("v2.0.0-alpha.5" -> "2.0.0-alpha.5"). [NativeVersion] is
// returned unchanged. Ranges and partial versions ("^2.9", "2.9") are refused; the error wraps
// [ErrInvalid].
func CanonicalVersion(version string) (string, error) {
	if version == NativeVersion {
		return version, nil
	}
	if version == "" {
		return "", fmt.Errorf("%w: version is empty", ErrInvalid)
	}
	text := version
	if text[0] == 'v' {
		text = text[1:]
	}
	v, err := semver.StrictNewVersion(text)
	if err != nil {
		return "", fmt.Errorf("%w: version %q is not an exact semantic version such as 2.9.1 or 2.0.0-alpha.5", ErrInvalid, version)
	}
	return v.String(), nil
}

// lowestInRange returns the lowest exact version a semver range names: "~0.9.0" -> 0.9.0,
// "^2.0.0-alpha.5" -> 2.0.0-alpha.5, "2.x" -> 2.0.0, ">=1.2 <2 || ^0.8" -> 0.8.0. A range without an
// inclusive lower bound ("<2", ">1.0.0", "*") names no lowest version and is refused.
func lowestInRange(r string) (string, error) {
	c, err := semver.NewConstraint(r)
	if err != nil {
		return "", fmt.Errorf("%w: version %q is neither an exact version nor a semver range", ErrInvalid, r)
	}
	var lowest *semver.Version
	for _, alt := range strings.Split(r, "||") {
		lo, err := lowerBound(strings.TrimSpace(alt))
		if err != nil {
			return "", fmt.Errorf("%w: range %q: %v; list an exact version instead", ErrInvalid, r, err)
		}
		if lowest == nil || lo.LessThan(lowest) {
			lowest = lo
		}
	}
	if lowest == nil || !c.Check(lowest) {
		return "", fmt.Errorf("%w: range %q names no lowest version; list an exact version instead", ErrInvalid, r)
	}
	return lowest.String(), nil
}

// lowerBound finds the inclusive lower bound of one "||" alternative of a range.
func lowerBound(alt string) (*semver.Version, error) {
	if i := strings.Index(alt, " - "); i >= 0 { // hyphen range "1.2 - 2.3.4"
		return partialVersion(strings.TrimSpace(alt[:i]))
	}
	fields := strings.FieldsFunc(alt, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	// Masterminds accepts "> = 1.2" style spacing; glue operators to the version that follows.
	var comps []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		for strings.Trim(f, "<>=!~^") == "" && i+1 < len(fields) {
			i++
			f += fields[i]
		}
		comps = append(comps, f)
	}
	var best *semver.Version
	for _, comp := range comps {
		op, ver := splitOperator(comp)
		switch op {
		case "", "=", ">=", "=>", "~", "~>", "^":
			v, err := partialVersion(ver)
			if err != nil {
				return nil, err
			}
			if best == nil || v.GreaterThan(best) {
				best = v
			}
		case ">":
			return nil, fmt.Errorf("%q excludes its bound and names no lowest version", comp)
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%q has no lower bound", alt)
	}
	return best, nil
}

func splitOperator(comp string) (op, ver string) {
	for _, p := range []string{">=", "=>", "<=", "=<", "!=", "~>", ">", "<", "=", "~", "^"} {
		if strings.HasPrefix(comp, p) {
			return p, strings.TrimSpace(comp[len(p):])
		}
	}
	return "", comp
}

// partialVersion reads "2", "2.x", "2.0.*", "v2.1", "2.0.0-alpha8" as the lowest version it covers.
func partialVersion(s string) (*semver.Version, error) {
	s = strings.TrimPrefix(s, "v")
	core, rest := s, ""
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		core, rest = s[:i], s[i:]
	}
	parts := strings.Split(core, ".")
	for i, p := range parts {
		if p == "x" || p == "X" || p == "*" || p == "" {
			parts = parts[:i]
			rest = ""
			break
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%q is a wildcard and names no version", s)
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	v, err := semver.StrictNewVersion(strings.Join(parts, ".") + rest)
	if err != nil {
		return nil, fmt.Errorf("%q is not a version", s)
	}
	return v, nil
}
