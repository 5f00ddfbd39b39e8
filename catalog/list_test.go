package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestParseList_Formats(t *testing.T) {
	cases := []struct {
		name, format, in string
		wantFormat, node string
		entries          []ListEntry
	}{
		{"canirequire", FormatAuto, `{"node_version": "v4.4.5", "modules": [
			{"name": "assert", "version": "native"},
			{"name": "async", "version": "~0.9.0", "homepage": "https://github.com/caolan/async", "extra": 1},
			{"name": "@auth0/rule-utilities", "version": "0.2.0"}]}`,
			FormatCanirequire, "v4.4.5", []ListEntry{{"assert", "native", ""}, {"async", "~0.9.0", "https://github.com/caolan/async"}, {"@auth0/rule-utilities", "0.2.0", ""}}},
		{"canirequire empty", "", `{"node_version": "v18", "modules": []}`, FormatCanirequire, "v18", []ListEntry{}},
		{"verquire", FormatAuto, "\xef\xbb\xbf" + `{"foo": ["1.0.0", "2.0.0-alpha"], "@org/bar": ["0.1.0"], "none": []}`,
			FormatVerquire, "", []ListEntry{{"foo", "1.0.0", ""}, {"foo", "2.0.0-alpha", ""}, {"@org/bar", "0.1.0", ""}}},
		{"verquire empty", FormatAuto, `{}`, FormatVerquire, "", nil},
		{"verquire named modules", FormatAuto, `{"modules": ["1.0.0"]}`, FormatVerquire, "", []ListEntry{{"modules", "1.0.0", ""}}},
		{"explicit verquire", FormatVerquire, `{"x": ["1.0.0"]}`, FormatVerquire, "", []ListEntry{{"x", "1.0.0", ""}}},
		{"explicit canirequire", FormatCanirequire, `{"modules": [{"name": "x", "version": "1.0.0"}]}`, FormatCanirequire, "", []ListEntry{{"x", "1.0.0", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseList([]byte(tc.in), tc.format)
			mustNoErr(t, err)
			if l.Format != tc.wantFormat || l.NodeVersion != tc.node || !slices.Equal(l.Entries, tc.entries) {
				t.Errorf("got %+v", l)
			}
		})
	}
}

func TestParseList_Errors(t *testing.T) {
	cases := []struct {
		name, format, in string
		want             []string
	}{
		{"empty", FormatAuto, "  ", []string{"the list is empty"}},
		{"syntax", FormatAuto, "{\n  \"a\": [\"1.0.0\",]\n}", []string{"not valid JSON at line 2, column", "invalid character"}},
		{"truncated", FormatAuto, `{"a": ["1.0.0"`, []string{"ends too early"}},
		{"array", FormatAuto, `[{"name": "x"}]`, []string{"not a catalog list", "JSON array"}},
		{"trailing data", FormatAuto, `{} {}`, []string{"unexpected data after"}},
		{"unknown format", "yaml", `{}`, []string{`unknown list format "yaml"`}},
		{"provenance-like", FormatAuto, `{"note": "x", "versioned": {}}`, []string{"not a catalog list", `"note", "versioned"`}},
		{"modules not array", FormatCanirequire, `{"modules": {}}`, []string{`"modules" must be an array`}},
		{"no modules", FormatCanirequire, `{"node_version": "v4"}`, []string{"not a catalog list"}},
		{"node_version number", FormatCanirequire, `{"node_version": 4, "modules": []}`, []string{"node_version must be a string"}},
		{"entry not object", FormatCanirequire, `{"modules": ["x@1.0.0"]}`, []string{"modules[0]", "want an object"}},
		{"name not string", FormatCanirequire, `{"modules": [{"name": 1, "version": "1.0.0"}]}`, []string{"modules[0]", "want an object"}},
		{"missing name", FormatAuto, `{"modules": [{"version": "1.0.0"}]}`, []string{"modules[0]", `"name" is missing`}},
		{"missing version", FormatAuto, `{"modules": [{"name": "a", "version": "1.0.0"}, {"name": "b"}]}`, []string{`modules[1] ("b")`, `"version" is missing`}},
		{"name@version", FormatAuto, `{"modules": [{"name": "foo@1.2.3", "homepage": "x"}]}`, []string{`"foo@1.2.3"`, "split it"}},
		{"bad name", FormatAuto, `{"modules": [{"name": "a b", "version": "1.0.0"}]}`, []string{`modules[0] ("a b")`, "malformed"}},
		{"bad version", FormatAuto, `{"modules": [{"name": "a", "version": "latest"}]}`, []string{`modules[0] ("a")`, `"latest" is neither an exact version nor a semver range`}},
		{"range without bound", FormatAuto, `{"modules": [{"name": "a", "version": "*"}]}`, []string{`modules[0] ("a")`, "wildcard"}},
		{"verquire value", FormatVerquire, `{"a": "1.0.0"}`, []string{`module "a"`, "want an array of version strings"}},
		{"verquire range", FormatAuto, `{"a": ["^1.0.0"]}`, []string{`module "a", version 0`, "exact versions only"}},
		{"verquire native", FormatAuto, `{"url": ["native"]}`, []string{`module "url"`, "canirequire version"}},
		{"verquire duplicate", FormatAuto, `{"a": ["1.0.0"], "a": ["2.0.0"]}`, []string{`"a" is listed twice`}},
		{"verquire bad name", FormatAuto, `{"A B": ["1.0.0"]}`, []string{`module "A B"`, "malformed"}},
		{"verquire of a canirequire list", FormatVerquire, `{"node_version": "v4", "modules": [{"name": "a", "version": "1.0.0"}]}`, []string{"not a catalog list"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseList([]byte(tc.in), tc.format)
			wantErr(t, err, ErrInvalid, tc.want...)
		})
	}
}

func TestList_MarshalCanirequire(t *testing.T) {
	l := &List{NodeVersion: "v18.20.4", Entries: []ListEntry{
		{"zlib-x", "1.0.0", ""}, {"auth0", "2.44.1", "https://github.com/auth0/node-auth0"}, {"url", "native", ""},
		{"auth0", "2.9.1", "https://github.com/auth0/node-auth0"}, {"assert", "native", ""},
	}}
	got, err := l.MarshalCanirequire()
	mustNoErr(t, err)
	want := `{
  "node_version": "v18.20.4",
  "modules": [
    {
      "name": "assert",
      "version": "native"
    },
    {
      "name": "url",
      "version": "native"
    },
    {
      "name": "auth0",
      "version": "2.44.1",
      "homepage": "https://github.com/auth0/node-auth0"
    },
    {
      "name": "auth0",
      "version": "2.9.1",
      "homepage": "https://github.com/auth0/node-auth0"
    },
    {
      "name": "zlib-x",
      "version": "1.0.0"
    }
  ]
}
`
	if string(got) != want {
		t.Errorf("got\n%s", got)
	}
	empty, _ := (&List{}).MarshalCanirequire()
	if string(empty) != "{\n  \"node_version\": \"\",\n  \"modules\": []\n}\n" {
		t.Errorf("empty list = %s", empty)
	}
}

func TestList_MarshalVerquire(t *testing.T) {
	l := &List{Entries: []ListEntry{
		{"zeta", "2.0.0", ""}, {"url", "native", ""}, {"@a/b", "1.0.0", ""}, {"zeta", "1.0.0", ""}, {"zeta", "2.0.0", ""},
	}}
	got, err := l.MarshalVerquire()
	mustNoErr(t, err)
	want := "{\n  \"@a/b\": [\"1.0.0\"],\n  \"zeta\": [\"2.0.0\", \"1.0.0\"]\n}\n"
	if string(got) != want {
		t.Errorf("got %q", got)
	}
	if got, _ := (&List{}).MarshalVerquire(); string(got) != "{}\n" {
		t.Errorf("empty = %q", got)
	}
	_, err = (&List{Entries: []ListEntry{{"a", "~1.0.0", ""}}}).MarshalVerquire()
	wantErr(t, err, ErrInvalid, "a@~1.0.0", "exact versions only")
}

func TestRuntimeFromNodeVersion(t *testing.T) {
	cases := map[string]string{
		"v18.20.4": "node18", "v4.4.5": "node4", "v4": "node4", "v12": "node12", "20.1.0": "node20",
		"v0.10.24": "node0.10", "v0.12.0": "node0.12", " v16.0.0 ": "node16", "v21.0.0-nightly2023": "node21",
		"unknown (Auth0 extensions 2016-2026; Node 4/8/12/16/18)": "", "": "", "v0": "", "node18": "", "v18.x": "",
	}
	for in, want := range cases {
		got, ok := RuntimeFromNodeVersion(in)
		if got != want || ok != (want != "") {
			t.Errorf("RuntimeFromNodeVersion(%q) = %q, %v; want %q", in, got, ok, want)
		}
		if ok {
			mustNoErr(t, ValidateRuntimeName(got))
		}
	}
}

func TestCanonicalVersion(t *testing.T) {
	cases := map[string]string{
		"2.9.1": "2.9.1", "v2.9.1": "2.9.1", "2.0.0-alpha.5": "2.0.0-alpha.5", "2.0.0-alpha8": "2.0.0-alpha8",
		"1.0.0+build.1": "1.0.0+build.1", "native": "native",
		"2.9": "", "^2.9.1": "", "01.2.3": "", "": "", "vv1.0.0": "", "1.0.0 ": "", "V1.0.0": "",
	}
	for in, want := range cases {
		got, err := CanonicalVersion(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("CanonicalVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestLowestInRange(t *testing.T) {
	cases := map[string]string{
		"~0.9.0": "0.9.0", "^2.0.0-alpha.5": "2.0.0-alpha.5", "~2.0.0-alpha8": "2.0.0-alpha8", "^4.3.0": "4.3.0",
		"2.x": "2.0.0", "2": "2.0.0", "~2.1": "2.1.0", ">=1.2.3": "1.2.3", ">= 1.2.3 < 2": "1.2.3", "=1.0.0": "1.0.0",
		"1.2.3 - 2.0.0": "1.2.3", "^1.0.0 || ~0.8.1": "0.8.1", ">=1.0.0, <2.0.0": "1.0.0", "v1.2.3": "1.2.3",
		"~> 1.2": "1.2.0",
		"*":      "", "x": "", "<2.0.0": "", ">1.0.0": "", "!=1.0.0": "", ">=2.0.0 <1.0.0": "", "banana": "", "": "",
	}
	for in, want := range cases {
		got, err := lowestInRange(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("lowestInRange(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestValidateName(t *testing.T) {
	valid := []struct {
		name string
		core bool
	}{
		{"lodash", false}, {"@auth0/rule-utilities", false}, {"Buffer", false}, {"azure_storage", false},
		{"node.extend", false}, {"_private", false}, {"a~b", false}, {strings.Repeat("a", 214), false},
		{"assert/strict", true}, {"fs/promises", true}, {"crypto", true}, {"@scope/core", true},
	}
	for _, tc := range valid {
		if err := ValidateName(tc.name, tc.core); err != nil {
			t.Errorf("ValidateName(%q, %v) = %v", tc.name, tc.core, err)
		}
	}
	invalid := []struct {
		name string
		core bool
	}{
		{"", false}, {"assert/strict", false}, {"a b", false}, {"@Scope/x", false}, {"@scope/", false}, {"@/x", false},
		{"a..b", false}, {"..", true}, {".", false}, {"./x", true}, {"a//b", true}, {"/abs", true}, {"x/", true},
		{"a\x00b", false}, {"é", false}, {strings.Repeat("a", 215), false}, {"foo@1.0.0", false}, {"@a/b/c", true},
	}
	for _, tc := range invalid {
		if err := ValidateName(tc.name, tc.core); err == nil {
			t.Errorf("ValidateName(%q, %v) accepted", tc.name, tc.core)
		}
	}
}
