package audit

import (
	"fmt"
	"strings"

	"github.com/verq/verq/resolver"
)

// usageModule derives the module name and exact version of a usage key. A resolved value is
// name@version[/subpath] (scoped names start with '@') or, without a version, a core module name,
// kept whole ("assert/strict"). A require that did not resolve is attributed to the module its spec
// names, without a version; a spec that is not a valid specifier has no module.
func usageModule(spec, resolved string) (module, version string) {
	if resolved == "" {
		s, err := resolver.ParseSpec(spec)
		if err != nil {
			return "", ""
		}
		return s.Name, ""
	}
	i := strings.IndexByte(resolved[1:], '@')
	if i < 0 {
		return resolved, ""
	}
	module, version = resolved[:i+1], resolved[i+2:]
	if j := strings.IndexByte(version, '/'); j >= 0 {
		version = version[:j]
	}
	return module, version
}

// ParseUsageModule splits a module filter NAME[@VERSION] ("auth0", "auth0@2.9.1",
// "@scope/name@1.0.0") into UsageFilter.Module and UsageFilter.Version.
func ParseUsageModule(s string) (module, version string, err error) {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return "", "", fmt.Errorf("usage filter: module %q: expected NAME or NAME@VERSION, e.g. auth0@2.9.1", s)
	}
	i := strings.IndexByte(s[1:], '@')
	if i < 0 {
		return s, "", nil
	}
	module, version = s[:i+1], s[i+2:]
	if version == "" || strings.Contains(version, "@") {
		return "", "", fmt.Errorf("usage filter: module %q: expected NAME or NAME@VERSION, e.g. auth0@2.9.1", s)
	}
	return module, version, nil
}
