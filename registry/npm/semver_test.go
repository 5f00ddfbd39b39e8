package npm

import (
	"errors"
	"strings"
	"testing"
)

func testPackument(latest string, versions map[string]string) *packument {
	p := &packument{Name: "p", DistTags: map[string]string{"latest": latest, "next": "3.0.0-beta.2"}, Versions: map[string]*packumentVersion{}}
	for v, dep := range versions {
		p.Versions[v] = &packumentVersion{Name: "p", Version: v, Deprecated: deprecated(dep)}
	}
	return p
}

func TestPick(t *testing.T) {
	p := testPackument("2.1.0", map[string]string{
		"1.0.0": "", "1.2.0": "", "1.3.0": "use 1.2.0", "2.0.0": "", "2.1.0": "", "2.2.0": "",
		"3.0.0-beta.1": "", "3.0.0-beta.2": "", "0.1.5": "", "0.1.9": "",
	})
	tests := []struct {
		spec, want string
	}{
		{"1.0.0", "1.0.0"},
		{"=1.0.0", "1.0.0"},
		{"v1.0.0", "1.0.0"},
		{"^1.0.0", "1.2.0"},  // 1.3.0 is deprecated
		{"1.3.0", "1.3.0"},   // a deprecated version can still be named exactly
		{"^2.0.0", "2.1.0"},  // latest satisfies, so it wins over 2.2.0 (npm-pick-manifest)
		{">=2.1.1", "2.2.0"}, // latest does not satisfy
		{"~0.1.0", "0.1.9"},
		{"1.x || >=2.2", "2.2.0"},
		{"*", "2.1.0"},
		{"", "2.1.0"},
		{"x", "2.1.0"},
		{"latest", "2.1.0"},
		{"next", "3.0.0-beta.2"},
		{">=3.0.0-beta.1", "3.0.0-beta.2"},
		{"^3.0.0-beta.1", "3.0.0-beta.2"},
		{"1.0.0 - 1.2.0", "1.2.0"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			pv, err := pick(p, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if pv.Version != tc.want {
				t.Fatalf("pick(%q) = %s, want %s", tc.spec, pv.Version, tc.want)
			}
		})
	}
}

func TestPick_Failures(t *testing.T) {
	p := testPackument("1.0.0", map[string]string{"1.0.0": "", "2.0.0-rc.1": ""})
	tests := []struct{ spec, want string }{
		{"^3.0.0", "no version of p satisfies"},
		{">=1.5.0", "no version of p satisfies"}, // the prerelease 2.0.0-rc.1 must not match a release range
		{"beta", `no version or dist-tag "beta"`},
		{"npm:other@1", "an npm alias"},
		{"git+https://github.com/a/b.git", "git or URL"},
		{"user/repo", "GitHub shorthand"},
		{"file:../x", "local path"},
		{"https://example.com/x.tgz", "git or URL"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			_, err := pick(p, tc.spec)
			if !errors.Is(err, ErrResolve) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("pick(%q) err = %v, want %q", tc.spec, err, tc.want)
			}
		})
	}
}

func TestHighestSatisfying(t *testing.T) {
	vs := []string{"1.0.0", "1.4.2", "2.0.0", "1.10.0", "2.0.0-alpha"}
	tests := []struct{ spec, want string }{
		{"^1.0.0", "1.10.0"},
		{"~1.4.0", "1.4.2"},
		{"^2", "2.0.0"},
		{"^3", ""},
		{"latest", ""},
	}
	for _, tc := range tests {
		if got := highestSatisfying(vs, tc.spec); got != tc.want {
			t.Errorf("highestSatisfying(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
}

func TestParseSpec(t *testing.T) {
	tests := []struct{ in, name, version string }{
		{"lodash", "lodash", ""},
		{"lodash@4.17.21", "lodash", "4.17.21"},
		{"@auth0/rule-utilities@0.2.0", "@auth0/rule-utilities", "0.2.0"},
		{"@scope/x", "@scope/x", ""},
		{"a@^1.2", "a", "^1.2"},
	}
	for _, tc := range tests {
		n, v, err := ParseSpec(tc.in)
		if err != nil || n != tc.name || v != tc.version {
			t.Errorf("ParseSpec(%q) = %q, %q, %v", tc.in, n, v, err)
		}
	}
	for _, bad := range []string{"", "@", "../x@1", "a b@1"} {
		if _, _, err := ParseSpec(bad); !errors.Is(err, ErrInvalidPackage) {
			t.Errorf("ParseSpec(%q) err = %v, want ErrInvalidPackage", bad, err)
		}
	}
}
