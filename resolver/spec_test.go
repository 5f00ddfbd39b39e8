package resolver

import (
	"errors"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

func TestParseSpec_Valid(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		isRange bool
	}{
		// verquire's parser cases.
		{"foo", Spec{Name: "foo"}, false},
		{"foo@2.0.0", Spec{Name: "foo", Version: "2.0.0"}, false},
		{"@org/foo@2.0.0", Spec{Name: "@org/foo", Version: "2.0.0"}, false},
		{"foo@2.0.0/bar/baz", Spec{Name: "foo", Version: "2.0.0", Subpath: "bar/baz"}, false},
		{"@org/foo@2.0.0/bar/baz", Spec{Name: "@org/foo", Version: "2.0.0", Subpath: "bar/baz"}, false},
		{"foo@2.0.0-alpha/not_index", Spec{Name: "foo", Version: "2.0.0-alpha", Subpath: "not_index"}, false},
		// Unpinned subpaths.
		{"lodash/fp", Spec{Name: "lodash", Subpath: "fp"}, false},
		{"@s/n/sub", Spec{Name: "@s/n", Subpath: "sub"}, false},
		{"@s/n", Spec{Name: "@s/n"}, false},
		{"assert/strict", Spec{Name: "assert", Subpath: "strict"}, false},
		{"lodash/lib/index.js", Spec{Name: "lodash", Subpath: "lib/index.js"}, false},
		// Real specs from rules.
		{"auth0@2.9.1", Spec{Name: "auth0", Version: "2.9.1"}, false},
		{"@auth0/rule-utilities@0.2.0", Spec{Name: "@auth0/rule-utilities", Version: "0.2.0"}, false},
		{"ipaddr.js", Spec{Name: "ipaddr.js"}, false},
		{"url@0.10.3", Spec{Name: "url", Version: "0.10.3"}, false},
		{"auth0@2.0.0-alpha.5", Spec{Name: "auth0", Version: "2.0.0-alpha.5"}, false},
		{"mysql@2.0.0-alpha8", Spec{Name: "mysql", Version: "2.0.0-alpha8"}, false},
		{"foo@1.0.0+build.7", Spec{Name: "foo", Version: "1.0.0+build.7"}, false},
		{"Buffer", Spec{Name: "Buffer"}, false},
		{"azure_storage", Spec{Name: "azure_storage"}, false},
		// Ranges.
		{"auth0@^2.9", Spec{Name: "auth0", Version: "^2.9"}, true},
		{"auth0@~2.30.0", Spec{Name: "auth0", Version: "~2.30.0"}, true},
		{"auth0@2.x", Spec{Name: "auth0", Version: "2.x"}, true},
		{"auth0@>=2.9 <3", Spec{Name: "auth0", Version: ">=2.9 <3"}, true},
		{"auth0@*", Spec{Name: "auth0", Version: "*"}, true},
		{"auth0@2", Spec{Name: "auth0", Version: "2"}, true},
		{"auth0@2.9", Spec{Name: "auth0", Version: "2.9"}, true},
		{"auth0@v2.9.1", Spec{Name: "auth0", Version: "v2.9.1"}, true},
		{"auth0@1.x || 2.x", Spec{Name: "auth0", Version: "1.x || 2.x"}, true},
		{"auth0@>=2.9,<3", Spec{Name: "auth0", Version: ">=2.9,<3"}, true},
		{"auth0@^2.0.0-alpha", Spec{Name: "auth0", Version: "^2.0.0-alpha"}, true},
		{"@org/foo@^1.2/sub", Spec{Name: "@org/foo", Version: "^1.2", Subpath: "sub"}, true},
		{"auth0@>=2.9 <3/lib", Spec{Name: "auth0", Version: ">=2.9 <3", Subpath: "lib"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpec(tt.in)
			if err != nil {
				t.Fatalf("ParseSpec(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseSpec(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.IsRange() != tt.isRange {
				t.Errorf("IsRange() = %v, want %v", got.IsRange(), tt.isRange)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseSpec_Hostile(t *testing.T) {
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "empty"},
		{"too long", "a" + strings.Repeat("b", MaxSpecLen), "limit is 512"},
		{"too long pinned", "auth0@2.9.1/" + strings.Repeat("x", 600), "limit is 512"},
		{"NUL", "auth0\x00", "NUL"},
		{"NUL in version", "auth0@2.9.1\x00/x", "NUL"},
		{"newline", "auth0\n", "control character U+000A"},
		{"tab", "auth0@2.9.1\t", "control character U+0009"},
		{"DEL", "auth0\x7f", "control character U+007F"},
		{"space in name", "auth 0", "whitespace"},
		{"space in unpinned", "lodash fp", "whitespace"},
		{"space in subpath", "auth0@2.9.1/a b", "whitespace"},
		{"leading space in range", "auth0@ ^2", "stray spaces"},
		{"double space in range", "auth0@>=2  <3", "stray spaces"},
		{"nbsp", "auth0\u00a0", "invisible character U+00A0"},
		{"zero width", "auth0\u200b@2.9.1", "invisible character U+200B"},
		{"non-ASCII", "авth0", "non-ASCII"},
		{"bad UTF-8", "auth0\xff", "UTF-8"},
		{"traversal after version", "auth0@2.9.1/../../x", `".." path segment`},
		{"traversal unpinned", "lodash/../../etc/passwd", `".." path segment`},
		{"dot segment", "auth0@2.9.1/./x", `"." path segment`},
		{"trailing dotdot", "foo/..", `".." path segment`},
		{"scope traversal", "@../x", `".." path segment`},
		{"absolute", "/etc/passwd", "absolute path"},
		{"relative", "./x", "relative path"},
		{"relative parent", "../x", "relative path"},
		{"dot", ".", "relative path"},
		{"dotdot", "..", "relative path"},
		{"backslash", `auth0@2.9.1\..\x`, "backslash"},
		{"windows path", `C:\Windows`, "backslash"},
		{"file scheme", "file:///etc/passwd", `"file:" scheme`},
		{"http scheme", "http://evil.example/x.js", `"http:" scheme`},
		{"https scheme", "https://evil.example/x.js", `"https:" scheme`},
		{"data scheme", "data:text/javascript,1", `"data:" scheme`},
		{"node scheme", "node:fs", `write the core module without it, e.g. "fs"`},
		{"other scheme", "git+ssh:x", `"git+ssh:" scheme`},
		{"colon", "foo@1.0.0:x", "contains ':'"},
		{"percent", "auth0%402.9.1", "percent-encoded"},
		{"percent traversal", "foo/%2e%2e/x", "percent-encoded"},
		{"empty version", "foo@", "nothing follows '@'"},
		{"scope only", "@org", "no package name"},
		{"empty scope", "@/x", "scope after '@' is empty"},
		{"at only", "@", "scope after '@' is empty"},
		{"trailing slash", "foo@1.0.0/", "ends with '/'"},
		{"double slash", "a//b", "empty path segment"},
		{"empty version before subpath", "foo@/x", "version after '@' is empty"},
		{"two versions", "foo@1.0.0@2.0.0", "more than one '@'"},
		{"at in subpath", "foo@1.0.0/a@b", "subpath"},
		{"version after subpath", "lodash/fp@4.17.21", "write lodash@VERSION/fp"},
		{"bad version", "foo@banana", "neither an exact version"},
		{"bad range char", "foo@^1;rm", "contains ';'"},
		{"name starts with dot", ".bin", "starts with '.'"},
		{"scoped name starts with dot", "@org/.x", "starts with '.'"},
		{"bad name char", "foo$bar", "contains '$'"},
		{"quote", "foo'@1.0.0", "contains '\\''"},
		{"empty scoped name", "@org/", "ends with '/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSpec(tt.in)
			if err == nil {
				t.Fatalf("ParseSpec(%q) = %+v, want an error", tt.in, got)
			}
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SpecError", err)
			}
			if se.Spec != tt.in {
				t.Errorf("SpecError.Spec = %q, want %q", se.Spec, tt.in)
			}
			if !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", se.Reason, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), `invalid module specifier "`) {
				t.Errorf("Error() = %q, want the `invalid module specifier \"…\"` form", err.Error())
			}
			for _, r := range err.Error() {
				if r < 0x20 || r == 0x7f {
					t.Fatalf("Error() contains a raw control character: %q", err.Error())
				}
			}
		})
	}
}

func TestSpecError_Error(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\x00b", `invalid module specifier "a\x00b": contains a NUL byte at offset 1`},
		{"/etc/passwd", `invalid module specifier "/etc/passwd": is an absolute path; require a module by name, e.g. auth0@2.9.1`},
		{`say"hi`, `invalid module specifier "say\"hi": the package name "say\"hi" contains '"'; names use letters, digits and - _ . ~`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSpec(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("ParseSpec(%q) error = %v, want %s", tt.in, err, tt.want)
			}
		})
	}
	long := strings.Repeat("x", 600)
	_, err := ParseSpec(long)
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "(600 bytes)") {
		t.Fatalf("long spec error = %v, want a shortened spec with its length", err)
	}
}

func TestIsExactVersion(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2.9.1", true}, {"0.0.0", true}, {"2.0.0-alpha.5", true}, {"2.0.0-alpha", true},
		{"1.0.0+build.1", true}, {"1.0.0-rc.1+build", true}, {"2.0.0-alpha8", true}, {"1.0.0-0", true},
		{"1.0.0-x-y", true},
		{"2.9", false}, {"2", false}, {"v2.9.1", false}, {"02.9.1", false}, {"2.09.1", false},
		{"2.9.1-", false}, {"2.9.1-01", false}, {"2.9.1+", false}, {"2.9.1-a..b", false},
		{"^2.9.1", false}, {"2.x", false}, {"*", false}, {"", false}, {"1.2.3.4", false},
		{"99999999999999999999.0.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := isExactVersion(tt.in); got != tt.want {
				t.Fatalf("isExactVersion(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if _, err := semver.StrictNewVersion(tt.in); (err == nil) != tt.want {
				t.Fatalf("isExactVersion(%q) = %v disagrees with semver.StrictNewVersion (err %v)", tt.in, tt.want, err)
			}
		})
	}
}

func TestVersionRange_Check(t *testing.T) {
	tests := []struct {
		rng     string
		version string
		want    bool
	}{
		{"^2.9", "2.30.0", true},
		{"^2.9", "3.0.0", false},
		{"^2.9", "2.8.0", false},
		{"~2.30.0", "2.30.9", true},
		{"~2.30.0", "2.31.0", false},
		{"2.x", "2.0.0", true},
		{">=2.9 <3", "2.9.0", true},
		{">=2.9 <3", "3.0.0", false},
		{"*", "0.0.1", true},
		{"2.9", "2.9.7", true},
		{"1.x || 3.x", "3.1.0", true},
		{"1.x || 3.x", "2.1.0", false},
		// Prereleases only when the range names one of the same MAJOR.MINOR.PATCH, as npm does.
		{"*", "2.0.0-alpha.5", false},
		{"^2.0.0", "2.0.0-alpha.5", false},
		{">=1.0.0", "2.0.0-alpha.5", false},
		{"^2.0.0-alpha", "2.0.0-alpha.5", true},
		{"^2.0.0-alpha", "2.0.0-alpha.6", true},
		{"^2.0.0-alpha", "2.0.1-alpha.1", false},
		{"^2.0.0-alpha", "2.9.1", true},
		{">=2.0.0-alpha.5 <2.0.0", "2.0.0-alpha.6", true},
		{"1.x || ^2.0.0-alpha", "2.0.0-beta", true},
		{"^2.0.0-alpha || 1.x", "1.5.0-beta", false},
	}
	for _, tt := range tests {
		t.Run(tt.rng+" "+tt.version, func(t *testing.T) {
			r, err := parseRange(tt.rng)
			if err != nil {
				t.Fatalf("parseRange(%q): %v", tt.rng, err)
			}
			if got := r.Check(semver.MustParse(tt.version)); got != tt.want {
				t.Fatalf("%q.Check(%s) = %v, want %v", tt.rng, tt.version, got, tt.want)
			}
		})
	}
}

func TestIsNodeCore(t *testing.T) {
	for _, n := range []string{"assert", "assert/strict", "fs", "fs/promises", "zlib", "url", "crypto", "worker_threads"} {
		if !IsNodeCore(n) {
			t.Errorf("IsNodeCore(%q) = false", n)
		}
	}
	for _, n := range []string{"", "auth0", "lodash", "fs/x", "_http_agent", "internal/url", "Fs", "zzz"} {
		if IsNodeCore(n) {
			t.Errorf("IsNodeCore(%q) = true", n)
		}
	}
	names := NodeCoreModules()
	if len(names) != 58 {
		t.Fatalf("NodeCoreModules() has %d names, want 58", len(names))
	}
	names[0] = "changed"
	if !IsNodeCore("assert") {
		t.Fatal("NodeCoreModules returned the internal table, not a copy")
	}
}
