package resolver

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
)

// MaxSpecLen is the longest specifier, in bytes, that ParseSpec accepts.
const MaxSpecLen = 512

// Spec is a parsed module specifier: name[@version][/subpath].
//
// Name is a package name ("auth0", "@auth0/rule-utilities"). Version is empty when the spec is
// unpinned; otherwise it is the text after the '@' up to the next '/', either an exact semantic
// version ("2.9.1", "2.0.0-alpha.5") or a semver range ("^2.9", ">=2.9 <3"). Subpath is the path
// inside the module without a leading '/' ("fp" in "lodash/fp"), empty for the main entry.
//
// For an unpinned spec the split between Name and Subpath follows package-name rules ("assert/strict"
// parses as name "assert", subpath "strict"); the resolver still tries the full text as a core module
// first.
type Spec struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Subpath string `json:"subpath,omitempty"`
}

// String returns the canonical text of the spec. For every spec returned by ParseSpec without error,
// ParseSpec(s.String()) returns s again.
func (s Spec) String() string {
	out := s.Name
	if s.Version != "" {
		out += "@" + s.Version
	}
	if s.Subpath != "" {
		out += "/" + s.Subpath
	}
	return out
}

// IsRange reports whether the spec names a version that is not an exact semantic version, i.e. a
// semver range that resolves to the highest allowed matching version.
func (s Spec) IsRange() bool {
	return s.Version != "" && !isExactVersion(s.Version)
}

// IsPinned reports whether the spec names a version or range.
func (s Spec) IsPinned() bool { return s.Version != "" }

// FullName is Name plus "/"+Subpath when there is one: the text an unpinned core module such as
// "assert/strict" is known by.
func (s Spec) FullName() string {
	if s.Subpath == "" {
		return s.Name
	}
	return s.Name + "/" + s.Subpath
}

// SpecError reports a malformed or hostile specifier. Spec is the input as given; Reason says what
// is wrong and, where it helps, what to write instead.
type SpecError struct {
	Spec   string `json:"spec"`
	Reason string `json:"reason"`
}

// Error returns `invalid module specifier "<spec>": <reason>`, with the spec quoted so that control
// characters are visible. Very long specs are shortened.
func (e *SpecError) Error() string {
	return fmt.Sprintf("invalid module specifier %s: %s", quoteSpec(e.Spec), e.Reason)
}

func specErr(spec, format string, args ...any) *SpecError {
	return &SpecError{Spec: spec, Reason: fmt.Sprintf(format, args...)}
}

// quoteSpec quotes s with Go escapes, shortening it to keep messages readable.
func quoteSpec(s string) string {
	return `"` + displaySpec(s) + `"`
}

// ParseSpec parses a module specifier. Accepted forms are name, name@version, @scope/name@version,
// name@version/sub/path, @scope/name@version/sub/path and name/sub/path; the version separator is the
// first '@' after index 0. Versions are exact semantic versions or semver ranges; a range may contain
// single spaces between comparators (">=2.9 <3"), nothing else may contain whitespace.
//
// ParseSpec fails with a *SpecError, before any lookup, for: an empty spec; more than MaxSpecLen bytes;
// control characters, whitespace or non-ASCII characters; backslashes; '%' encodings; any "scheme:"
// (file:, http:, node:, …); absolute or relative paths; "." or ".." path segments anywhere; empty
// segments ("foo@", "@org", "a//b", a trailing '/'); and characters that cannot appear in a package
// name, version or path.
func ParseSpec(s string) (Spec, error) {
	sp, _, err := parseSpec(s, validateRange)
	return sp, err
}

// rangeCompiler validates a version range and may compile it.
type rangeCompiler func(text string) (*versionRange, error)

// validateRange is the rangeCompiler of ParseSpec: it validates only.
func validateRange(text string) (*versionRange, error) {
	_, err := semver.NewConstraint(text)
	return nil, err
}

// parseSpec is ParseSpec that also returns what compile made of the version when it is a range.
func parseSpec(s string, compile rangeCompiler) (Spec, *versionRange, error) {
	if err := checkText(s); err != nil {
		return Spec{}, nil, err
	}
	at := -1
	if i := strings.IndexByte(s[1:], '@'); i >= 0 {
		at = i + 1
	}
	if at < 0 {
		sp, err := parseUnpinned(s)
		return sp, nil, err
	}
	return parsePinned(s, at, compile)
}

// checkText rejects what is hostile whatever the grammar: length, bytes, paths, schemes, segments.
func checkText(s string) *SpecError {
	if s == "" {
		return specErr(s, "the specifier is empty; name a module, e.g. auth0 or auth0@2.9.1")
	}
	if len(s) > MaxSpecLen {
		return specErr(s, "the specifier is %d bytes long; the limit is %d", len(s), MaxSpecLen)
	}
	if strings.IndexByte(s, '\\') >= 0 {
		return specErr(s, "contains a backslash; module specifiers use '/' and are never file paths")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
			return specErr(s, "contains a NUL byte at offset %d", i)
		case c < 0x20 || c == 0x7f:
			return specErr(s, "contains the control character %U at offset %d", rune(c), i)
		case c >= utf8.RuneSelf:
			r, _ := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError:
				return specErr(s, "is not valid UTF-8 (offset %d)", i)
			case unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
				return specErr(s, "contains the invisible character %U at offset %d", r, i)
			default:
				return specErr(s, "contains the non-ASCII character %q at offset %d; module specifiers are ASCII", r, i)
			}
		case c == '%':
			return specErr(s, "contains '%%'; percent-encoded specifiers are not accepted")
		case c == ':':
			return schemeErr(s, i)
		}
	}
	switch {
	case s[0] == '/':
		return specErr(s, "is an absolute path; require a module by name, e.g. auth0@2.9.1")
	case s == "." || s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../"):
		return specErr(s, "is a relative path; rules cannot load files, require a module by name, e.g. auth0@2.9.1")
	case s[len(s)-1] == '/':
		return specErr(s, "ends with '/'; remove it or name the subpath")
	}
	for seg := range strings.SplitSeq(s, "/") {
		switch seg {
		case "":
			return specErr(s, "contains an empty path segment (\"//\")")
		case ".", "..":
			return specErr(s, "contains a %q path segment; path traversal is not allowed", seg)
		}
	}
	return nil
}

func schemeErr(s string, colon int) *SpecError {
	scheme := s[:colon]
	if isScheme(scheme) {
		if strings.EqualFold(scheme, "node") && colon+1 < len(s) {
			return specErr(s, "uses the %q scheme; write the core module without it, e.g. %q", scheme+":", s[colon+1:])
		}
		return specErr(s, "uses the %q scheme; URLs and files cannot be required, require a module by name, e.g. auth0@2.9.1", scheme+":")
	}
	return specErr(s, "contains ':' at offset %d; module specifiers never do", colon)
}

// isScheme reports whether s is a URL scheme: a letter followed by letters, digits, '+', '-' or '.'.
func isScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// parseUnpinned parses name[/subpath] (no version).
func parseUnpinned(s string) (Spec, error) {
	nameEnd, err := packageNameEnd(s, s)
	if err != nil {
		return Spec{}, err
	}
	sp := Spec{Name: s[:nameEnd]}
	if nameEnd < len(s) {
		sp.Subpath = s[nameEnd+1:]
		if err := checkSubpath(s, sp.Subpath); err != nil {
			return Spec{}, err
		}
	}
	return sp, nil
}

// parsePinned parses name@version[/subpath] with the '@' at index at.
func parsePinned(s string, at int, compile rangeCompiler) (Spec, *versionRange, error) {
	namePart, rest := s[:at], s[at+1:]
	nameEnd, err := packageNameEnd(s, namePart)
	if err != nil {
		return Spec{}, nil, err
	}
	if nameEnd != len(namePart) {
		return Spec{}, nil, specErr(s, "the version must follow the package name: write %s@VERSION/%s", namePart[:nameEnd], namePart[nameEnd+1:])
	}
	if rest == "" {
		return Spec{}, nil, specErr(s, "nothing follows '@'; write %s@VERSION or leave the version out", namePart)
	}
	version, subpath := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		version, subpath = rest[:i], rest[i+1:]
	}
	if version == "" {
		return Spec{}, nil, specErr(s, "the version after '@' is empty")
	}
	rng, err := checkVersion(s, version, compile)
	if err != nil {
		return Spec{}, nil, err
	}
	if subpath != "" {
		if err := checkSubpath(s, subpath); err != nil {
			return Spec{}, nil, err
		}
	}
	return Spec{Name: namePart, Version: version, Subpath: subpath}, rng, nil
}

// packageNameEnd validates the package name at the start of p ("name" or "@scope/name") and returns
// the index just past it. spec is the whole input, for errors.
func packageNameEnd(spec, p string) (int, error) {
	end := strings.IndexByte(p, '/')
	if end < 0 {
		end = len(p)
	}
	if p[0] == '@' {
		scope := p[1:end]
		if scope == "" {
			return 0, specErr(spec, "the scope after '@' is empty; write @scope/name")
		}
		if err := checkNameSegment(spec, scope, "scope"); err != nil {
			return 0, err
		}
		if end == len(p) {
			return 0, specErr(spec, "the scoped name %q has no package name; write %s/NAME", p, p)
		}
		rest := p[end+1:]
		n := strings.IndexByte(rest, '/')
		if n < 0 {
			n = len(rest)
		}
		if err := checkNameSegment(spec, rest[:n], "package name"); err != nil {
			return 0, err
		}
		return end + 1 + n, nil
	}
	if err := checkNameSegment(spec, p[:end], "package name"); err != nil {
		return 0, err
	}
	return end, nil
}

// checkNameSegment validates a scope or package name: letters, digits, '-', '_', '.', '~', not
// starting with '.'.
func checkNameSegment(spec, seg, what string) error {
	if seg == "" {
		return specErr(spec, "the %s is empty", what)
	}
	if seg == "." || seg == ".." {
		return specErr(spec, "the %s is a %q path segment; path traversal is not allowed", what, seg)
	}
	if seg[0] == '.' {
		return specErr(spec, "the %s %q starts with '.'", what, seg)
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == ' ' {
			return specErr(spec, "the %s %q contains whitespace; only a version range may contain spaces", what, seg)
		}
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' && c != '.' && c != '~' {
			return specErr(spec, "the %s %q contains %q; names use letters, digits and - _ . ~", what, seg, c)
		}
	}
	return nil
}

// checkSubpath validates a subpath whose segments were already checked for "", "." and "..".
func checkSubpath(spec, sub string) error {
	for i := 0; i < len(sub); i++ {
		c := sub[i]
		if c == ' ' {
			return specErr(spec, "the subpath %q contains whitespace; only a version range may contain spaces", sub)
		}
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' && c != '.' && c != '~' && c != '+' && c != '/' {
			return specErr(spec, "the subpath %q contains %q; subpaths use letters, digits, '/' and - _ . ~ +", sub, c)
		}
	}
	return nil
}

// checkVersion validates an exact version or a semver range; for a range it returns what compile
// made of it.
func checkVersion(spec, v string, compile rangeCompiler) (*versionRange, error) {
	if isExactVersion(v) {
		return nil, nil
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isLetter(c), isDigit(c):
		case c == ' ':
			if i == 0 || i == len(v)-1 || v[i-1] == ' ' {
				return nil, specErr(spec, "the version range %q has stray spaces; separate comparators with one space, e.g. >=2.9 <3", v)
			}
		case strings.IndexByte(".-+^~<>=*|,!", c) >= 0:
		case c == '@':
			return nil, specErr(spec, "contains more than one '@' version separator")
		default:
			return nil, specErr(spec, "the version %q contains %q", v, c)
		}
	}
	rng, err := compile(v)
	if err != nil {
		return nil, specErr(spec, "%q is neither an exact version (e.g. 2.9.1) nor a semver range (e.g. ^2.9): %v", v, err)
	}
	return rng, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
