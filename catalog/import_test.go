package catalog

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// referenceCounts are computed independently of this package (a Python script over the JSON files):
// entries in the file, distinct module names, distinct name@version pairs after ranges become their
// lowest version, core ("native") entries, and range entries.
var referenceCounts = map[string]struct{ entries, modules, versions, natives, ranges int }{
	"canirequire-auth0-authz-rules-api-v1.0.8-node4.json":  {24, 24, 24, 0, 21},
	"canirequire-auth0-authz-rules-api-v3.2.0-node8.json":  {24, 24, 24, 0, 19},
	"canirequire-auth0-authz-rules-api-v4.0.0-node12.json": {24, 24, 24, 0, 20},
	"canirequire-auth0-docs-migration-node12.json":         {2, 2, 2, 0, 0},
	"canirequire-auth0-docs-migration-node4.json":          {12, 12, 12, 0, 11},
	"canirequire-auth0-docs-migration-node8.json":          {13, 12, 13, 0, 12},
	"canirequire-auth0-docs-rules-modules.json":            {26, 26, 26, 2, 17},
	"canirequire-auth0-extensions-externals.json":          {187, 83, 187, 0, 0},
	"canirequire-auth0-rules-templates.json":               {21, 14, 21, 0, 0},
	"canirequire-github-issues.json":                       {14, 13, 14, 0, 0},
	"canirequire-webtask-node4-evidence.json":              {54, 48, 54, 3, 0},
	"natives-node-v20-local.json":                          {58, 58, 58, 58, 0},
	"verquire-packages-composite.json":                     {250, 123, 250, 0, 0},
}

// notLists are reference files that are not catalog lists and must be refused.
var notLists = map[string]string{
	"canirequire-auth0-extensions-externals.provenance.json": `top-level keys are "note", "versioned", "unversioned_preinstalled"`,
}

func TestStore_Import_ReferenceFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "canirequire", "*.json"))
	mustNoErr(t, err)
	if len(files) != len(referenceCounts)+len(notLists) {
		t.Errorf("%d reference files, %d with expectations", len(files), len(referenceCounts)+len(notLists))
	}
	s := openTemp(t)
	for _, file := range files {
		base := filepath.Base(file)
		t.Run(base, func(t *testing.T) {
			data := readFile(t, file)
			if why, ok := notLists[base]; ok {
				_, err := ParseList(data, FormatAuto)
				wantErr(t, err, ErrInvalid, "not a catalog list", why)
				_, err = ParseList(data, FormatCanirequire)
				wantErr(t, err, ErrInvalid, "not a catalog list")
				_, err = ParseList(data, FormatVerquire)
				wantErr(t, err, ErrInvalid, "verquire packages.json", `"note"`)
				return
			}
			want, ok := referenceCounts[base]
			if !ok {
				t.Fatalf("no expected counts recorded for %s", base)
			}
			l, err := ParseList(data, FormatAuto)
			mustNoErr(t, err)
			if len(l.Entries) != want.entries {
				t.Errorf("entries = %d, want %d", len(l.Entries), want.entries)
			}
			wantFormat := FormatCanirequire
			if strings.HasPrefix(base, "verquire") {
				wantFormat = FormatVerquire
			}
			if l.Format != wantFormat {
				t.Errorf("format = %q, want %q", l.Format, wantFormat)
			}
			runtime := strings.ToLower(strings.TrimSuffix(base, ".json"))
			runtime = runtime[:min(len(runtime), 64)]
			d, err := s.Import("importer", runtime, l, ImportOptions{})
			mustNoErr(t, err)
			ranges := 0
			for _, n := range d.Notes {
				if strings.Contains(n, ": range ") {
					ranges++
				}
			}
			if !d.CreatedRuntime || len(d.AddedModules) != want.modules || len(d.AddedVersions) != want.versions || ranges != want.ranges || d.Unchanged != 0 {
				t.Errorf("diff: created=%v modules=%d versions=%d range notes=%d unchanged=%d; want modules=%d versions=%d ranges=%d",
					d.CreatedRuntime, len(d.AddedModules), len(d.AddedVersions), ranges, d.Unchanged, want.modules, want.versions, want.ranges)
			}
			info, err := s.Runtime(runtime)
			mustNoErr(t, err)
			if info.Modules != want.modules || info.Versions != want.versions || info.NodeVersion != l.NodeVersion {
				t.Errorf("runtime = %+v", info)
			}
			mods, _ := s.Modules(runtime)
			natives := 0
			for _, m := range mods {
				if m.Core {
					natives++
				}
			}
			if natives != want.natives {
				t.Errorf("core modules = %d, want %d", natives, want.natives)
			}
			// Idempotent: a second import changes nothing and writes no history.
			before, _ := s.History("", 0)
			gen := s.Generation()
			d, err = s.Import("importer", runtime, l, ImportOptions{})
			mustNoErr(t, err)
			after, _ := s.History("", 0)
			if !d.Empty() || d.Unchanged != want.versions || len(after) != len(before) || s.Generation() != gen {
				t.Errorf("re-import: %s; history %d -> %d", d.Summary(), len(before), len(after))
			}
		})
	}
}

// TestStore_Import_ReferenceDetails pins what particular reference entries become.
func TestStore_Import_ReferenceDetails(t *testing.T) {
	s := openTemp(t)
	imp := func(file, runtime string) {
		t.Helper()
		l, err := ParseList(readFile(t, filepath.Join("testdata", "canirequire", file)), FormatAuto)
		mustNoErr(t, err)
		_, err = s.Import("t", runtime, l, ImportOptions{})
		mustNoErr(t, err)
	}
	imp("canirequire-auth0-docs-rules-modules.json", "node0.10")
	imp("canirequire-auth0-docs-migration-node8.json", "node8")
	imp("canirequire-auth0-authz-rules-api-v1.0.8-node4.json", "node4")
	imp("canirequire-auth0-extensions-externals.json", "ext")
	imp("natives-node-v20-local.json", "node20")

	cases := []struct {
		runtime, module, def string
		versions             []string
		core                 bool
		note, homepage       string
	}{
		{"node0.10", "mysql", "2.0.0-alpha8", []string{"2.0.0-alpha8"}, false, "imported from range ~2.0.0-alpha8", "https://github.com/felixge/node-mysql"},
		{"node0.10", "Buffer", "", []string{"native"}, true, "", "http://nodejs.org/docs/v0.10.24/api/buffer.html"},
		{"node0.10", "pg", "4.1.1", []string{"4.1.1"}, false, "", "https://github.com/brianc/node-postgres"},
		{"node8", "couchbase", "2.3.5", []string{"2.3.5", "2.5.1"}, false, "imported from range ~2.3.5", ""},
		{"node4", "auth0", "2.0.0-alpha.5", []string{"2.0.0-alpha.5"}, false, "imported from range ^2.0.0-alpha.5", ""},
		{"ext", "@aws-sdk/client-s3", "3.1064.0", []string{"3.1064.0", "3.738.0"}, false, "", ""},
		{"node20", "assert/strict", "", []string{"native"}, true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.runtime+"/"+tc.module, func(t *testing.T) {
			m, err := s.Module(tc.runtime, tc.module)
			mustNoErr(t, err)
			if m.Default != tc.def || !slices.Equal(versionsOf(m), tc.versions) || m.Core != tc.core || m.Versions[0].Note != tc.note || m.Homepage != tc.homepage {
				t.Errorf("got %+v", m)
			}
		})
	}
}

func TestStore_Import_DryRunWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	defer s.Close()
	before := readFile(t, path)
	hist, _ := s.History("", 0)
	gen := s.Generation()

	l := synthList(20, 2)
	d, err := s.Import("t", "node18", l, ImportOptions{DryRun: true})
	mustNoErr(t, err)
	if !d.CreatedRuntime || len(d.AddedModules) != 20 || len(d.AddedVersions) != 40 {
		t.Errorf("dry-run diff = %s", d.Summary())
	}
	d2, err := s.Import("t", DefaultRuntime, &List{Entries: []ListEntry{{Name: "auth0", Version: "2.9.1"}}}, ImportOptions{DryRun: true, Replace: true})
	mustNoErr(t, err)
	bMods, bVers, _ := builtinCounts(t)
	if len(d2.RemovedModules) != bMods-1 || len(d2.RemovedVersions) != bVers-1 || len(d2.DefaultChanges) != 1 {
		t.Errorf("dry-run replace diff = %s %v", d2.Summary(), d2.DefaultChanges)
	}
	if _, err := s.Runtime("node18"); err == nil {
		t.Error("dry run created the runtime")
	}
	after, _ := s.History("", 0)
	if len(after) != len(hist) || s.Generation() != gen || !bytes.Equal(before, readFile(t, path)) {
		t.Error("dry run wrote to the database")
	}
}

func TestStore_Import_MergeKeepsStatusesMovesDefault(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.9.1", StatusDeprecated, "old"))
	l := &List{Format: FormatCanirequire, Entries: []ListEntry{
		{Name: "auth0", Version: "2.9.1"},
		{Name: "auth0", Version: "2.45.0"},
		{Name: "lodash", Version: "4.17.21", Homepage: "https://lodash.com"},
	}}
	d, err := s.Import("merge", DefaultRuntime, l, ImportOptions{})
	mustNoErr(t, err)
	if d.CreatedRuntime || !slices.Equal(d.AddedModules, []string{"lodash"}) ||
		!slices.Equal(d.AddedVersions, []string{"auth0@2.45.0", "lodash@4.17.21"}) ||
		!slices.Equal(d.DefaultChanges, []string{"auth0: 2.44.1 -> 2.9.1"}) || d.Unchanged != 1 || len(d.RemovedVersions) != 0 {
		t.Errorf("diff = %+v", d)
	}
	m, _ := s.Module(DefaultRuntime, "auth0")
	if v, _ := m.Lookup("2.9.1"); m.Default != "2.9.1" || v.Status != StatusDeprecated || len(m.Versions) != 45 || m.Versions[44].Version != "2.45.0" {
		t.Errorf("auth0 default %s, 2.9.1 %+v, %d versions", m.Default, v, len(m.Versions))
	}
	lo, _ := s.Module(DefaultRuntime, "lodash")
	if lo.Homepage != "https://lodash.com" {
		t.Errorf("lodash = %+v", lo)
	}
	h, _ := s.History(DefaultRuntime, 5)
	actions := []string{}
	for i, c := range h {
		if i < 4 && c.Actor != "merge" {
			t.Errorf("actor = %q", c.Actor)
		}
		actions = append(actions, c.Action+" "+c.Module+"@"+c.Version)
	}
	if !slices.Equal(actions, []string{"import @", "add lodash@4.17.21", "default auth0@2.9.1", "add auth0@2.45.0", "deprecate auth0@2.9.1"}[:len(actions)]) {
		t.Errorf("history = %v", actions)
	}
	if !strings.Contains(h[0].Detail, "+1 module, +2 versions, 1 default change") {
		t.Errorf("import summary = %q", h[0].Detail)
	}
}

func TestStore_Import_Replace(t *testing.T) {
	s := openTemp(t)
	l := &List{NodeVersion: "v20.1.0", Entries: []ListEntry{
		{Name: "crypto", Version: "native"},
		{Name: "auth0", Version: "2.44.1"},
		{Name: "auth0", Version: "2.9.1"},
	}}
	d, err := s.Import("t", DefaultRuntime, l, ImportOptions{Replace: true, NodeVersion: "v20.1.0"})
	mustNoErr(t, err)
	_, bVers, bNames := builtinCounts(t)
	wantRemoved := slices.DeleteFunc(bNames, func(n string) bool { return n == "crypto" || n == "auth0" })
	if !slices.Equal(d.RemovedModules, wantRemoved) ||
		len(d.RemovedVersions) != bVers-3 || len(d.AddedVersions) != 0 || len(d.DefaultChanges) != 0 ||
		!slices.Equal(d.InfoChanges, []string{`node_version: "v18.20.4" -> "v20.1.0"`}) {
		t.Errorf("diff = %s %+v", d.Summary(), d)
	}
	mods, _ := s.Modules(DefaultRuntime)
	if len(mods) != 2 {
		t.Errorf("modules = %d", len(mods))
	}
	m, _ := s.Module(DefaultRuntime, "auth0")
	if !slices.Equal(versionsOf(m), []string{"2.9.1", "2.44.1"}) || m.Default != "2.44.1" {
		t.Errorf("auth0 = %v default %s", versionsOf(m), m.Default)
	}
	info, _ := s.Runtime(DefaultRuntime)
	if info.NodeVersion != "v20.1.0" {
		t.Errorf("node_version = %q", info.NodeVersion)
	}
	// Replacing with the same list again is a no-op.
	d, err = s.Import("t", DefaultRuntime, l, ImportOptions{Replace: true, NodeVersion: "v20.1.0"})
	mustNoErr(t, err)
	if !d.Empty() {
		t.Errorf("second replace = %s", d.Summary())
	}
}

func TestStore_Import_AllOrNothing(t *testing.T) {
	s := openTemp(t)
	gen := s.Generation()
	cases := []struct {
		name    string
		entries []ListEntry
		want    []string
	}{
		{"invalid name", []ListEntry{{"ok", "1.0.0", ""}, {"ok2", "1.0.0", ""}, {"bad name", "1.0.0", ""}}, []string{`entry 2 ("bad name")`, "malformed"}},
		{"invalid version", []ListEntry{{"ok", "1.0.0", ""}, {"x", "latest", ""}}, []string{`entry 1 ("x")`, `"latest"`}},
		{"no lower bound", []ListEntry{{"x", "<2.0.0", ""}}, []string{`entry 0 ("x")`, "no lower bound"}},
		{"core-only name with a version", []ListEntry{{"ok", "1.0.0", ""}, {"fs/promises", "native", ""}, {"fs/promises", "1.0.0", ""}}, []string{`entry 2 ("fs/promises")`, "malformed"}},
		{"scoped core", []ListEntry{{"@x/y/z", "native", ""}}, []string{`entry 0`, "malformed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Import("t", DefaultRuntime, &List{Entries: tc.entries}, ImportOptions{})
			wantErr(t, err, ErrInvalid, tc.want...)
			_, err = s.Import("t", "fresh", &List{Entries: tc.entries}, ImportOptions{})
			wantErr(t, err, ErrInvalid, tc.want...)
		})
	}
	if _, err := s.Module(DefaultRuntime, "ok"); err == nil {
		t.Error("a failed import left a module behind")
	}
	if s.Generation() != gen {
		t.Errorf("generation %d -> %d", gen, s.Generation())
	}
	_, err := s.Import("t", "Bad Runtime", &List{}, ImportOptions{})
	wantErr(t, err, ErrInvalid, "runtime name")
	_, err = s.Import("t", "x", nil, ImportOptions{})
	wantErr(t, err, ErrInvalid, "no list")
}

func TestStore_Import_BlockedListedDefaultKept(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.0.0", StatusBlocked, "CVE"))
	d, err := s.Import("t", DefaultRuntime, &List{Entries: []ListEntry{{Name: "auth0", Version: "2.0.0"}}}, ImportOptions{})
	mustNoErr(t, err)
	if !d.Empty() || len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "the listed default 2.0.0 is blocked here; the default stays 2.44.1") {
		t.Errorf("diff = %+v", d)
	}
	// With Replace the old default goes; the first unblocked remaining version takes over.
	d, err = s.Import("t", DefaultRuntime, &List{Entries: []ListEntry{{Name: "auth0", Version: "2.0.0"}, {Name: "auth0", Version: "2.1.0"}}}, ImportOptions{Replace: true})
	mustNoErr(t, err)
	m, _ := s.Module(DefaultRuntime, "auth0")
	if m.Default != "2.1.0" || !slices.Contains(d.DefaultChanges, "auth0: 2.44.1 -> 2.1.0") {
		t.Errorf("default = %s, diff %+v", m.Default, d)
	}
}

func TestStore_Import_DuplicatesAndRanges(t *testing.T) {
	s := openTemp(t)
	l := &List{Format: FormatCanirequire, NodeVersion: "v4.4.5", Entries: []ListEntry{
		{Name: "async", Version: "~0.9.0"},
		{Name: "async", Version: "0.9.0"},
		{Name: "async", Version: "2.x"},
		{Name: "q", Version: ">=1.0.1 <2 || ^0.8"},
	}}
	d, err := s.Import("t", "node4", l, ImportOptions{})
	mustNoErr(t, err)
	wantNotes := []string{
		"async: range ~0.9.0 imported as 0.9.0",
		"async@0.9.0 is listed more than once (entry 1); kept once",
		"async: range 2.x imported as 2.0.0",
		"q: range >=1.0.1 <2 || ^0.8 imported as 0.8.0",
	}
	if !slices.Equal(d.Notes, wantNotes) || !slices.Equal(d.AddedVersions, []string{"async@0.9.0", "async@2.0.0", "q@0.8.0"}) {
		t.Errorf("diff = %+v", d)
	}
	info, _ := s.Runtime("node4")
	if info.NodeVersion != "v4.4.5" {
		t.Errorf("node_version = %q", info.NodeVersion)
	}
	// Notes do not make a diff non-empty.
	d, _ = s.Import("t", "node4", l, ImportOptions{})
	if !d.Empty() || len(d.Notes) != 4 {
		t.Errorf("re-import = %+v", d)
	}
}

func TestStore_Import_ExportRoundTrip(t *testing.T) {
	s := openTemp(t)
	for _, file := range []string{"canirequire-webtask-node4-evidence.json", "canirequire-auth0-docs-rules-modules.json"} {
		l, err := ParseList(readFile(t, filepath.Join("testdata", "canirequire", file)), FormatAuto)
		mustNoErr(t, err)
		_, err = s.Import("t", "legacy", l, ImportOptions{})
		mustNoErr(t, err)
	}
	mustNoErr(t, s.SetDefault("t", "legacy", "auth0", "2.4.0"))
	mustNoErr(t, s.AddVersion("t", "legacy", "@auth0/rule-utilities", "0.2.0"))
	mustNoErr(t, s.SetStatus("t", "legacy", "auth0", "2.1.0", StatusBlocked, "x"))
	mustNoErr(t, s.AddVersion("t", "legacy", "buffer", "5.7.1")) // core and a package

	exported, err := s.Export("legacy")
	mustNoErr(t, err)
	for _, format := range []string{FormatCanirequire, FormatVerquire} {
		t.Run(format, func(t *testing.T) {
			var data []byte
			if format == FormatCanirequire {
				data, err = exported.MarshalCanirequire()
			} else {
				data, err = exported.MarshalVerquire()
			}
			mustNoErr(t, err)
			l, err := ParseList(data, FormatAuto)
			mustNoErr(t, err)
			if l.Format != format {
				t.Fatalf("re-parsed as %q", l.Format)
			}
			target := "copy-" + format
			_, err = s.Import("t", target, l, ImportOptions{})
			mustNoErr(t, err)
			orig, _ := s.Modules("legacy")
			copied, _ := s.Modules(target)
			if format == FormatVerquire { // verquire carries package versions only
				for i := range orig {
					orig[i].Versions = slices.DeleteFunc(orig[i].Versions, func(v Version) bool { return v.Version == NativeVersion })
					orig[i].Core = false
				}
				orig = slices.DeleteFunc(orig, func(m Module) bool { return len(m.Versions) == 0 })
			}
			if len(orig) != len(copied) {
				t.Fatalf("%d modules, copy has %d", len(orig), len(copied))
			}
			for i := range orig {
				o, c := orig[i], copied[i]
				ov, cv := versionsOf(o), versionsOf(c)
				slices.Sort(ov)
				slices.Sort(cv)
				if o.Name != c.Name || o.Core != c.Core || o.Default != c.Default || !slices.Equal(ov, cv) {
					t.Errorf("%s: %v default %s -> %s: %v default %s", o.Name, ov, o.Default, c.Name, cv, c.Default)
				}
				if format == FormatCanirequire && o.Homepage != c.Homepage {
					t.Errorf("%s: homepage %q -> %q", o.Name, o.Homepage, c.Homepage)
				}
			}
			if format == FormatCanirequire {
				info, _ := s.Runtime(target)
				if info.NodeVersion != "v4.4.5" {
					t.Errorf("node_version = %q", info.NodeVersion)
				}
			}
		})
	}
}

func TestStore_Import_HistoryPerChange(t *testing.T) {
	s := openTemp(t)
	_, err := s.Import("ops", "node18", &List{Format: FormatVerquire, Entries: []ListEntry{{Name: "a", Version: "1.0.0"}, {Name: "a", Version: "1.1.0"}}}, ImportOptions{})
	mustNoErr(t, err)
	h, _ := s.History("node18", 0)
	var got []string
	for _, c := range h {
		got = append(got, c.Action+" "+c.Module+" "+c.Version)
		if c.Actor != "ops" || !strings.Contains(c.Detail, "verquire list (2 entries)") {
			t.Errorf("change = %+v", c)
		}
	}
	want := []string{"import  ", "add a 1.1.0", "add a 1.0.0", "create-runtime  "}
	if !slices.Equal(got, want) {
		t.Errorf("history = %q", got)
	}
}

func TestBuiltin(t *testing.T) {
	l, err := Builtin()
	mustNoErr(t, err)
	_, bVers, _ := builtinCounts(t)
	if l.NodeVersion != "v18.20.4" || len(l.Entries) != bVers || bVers < 50 {
		t.Fatalf("builtin = %s, %d entries", l.NodeVersion, len(l.Entries))
	}
	var first []string
	for _, e := range l.Entries[:7] {
		first = append(first, e.Name+"@"+e.Version)
	}
	want := []string{"buffer@native", "crypto@native", "events@native", "querystring@native", "url@native", "util@native", "auth0@2.44.1"}
	if !slices.Equal(first, want) {
		t.Errorf("builtin starts %v", first)
	}
	f, sum, err := loadBuiltin()
	mustNoErr(t, err)
	if f.Runtime != DefaultRuntime || len(sum) != 64 || !strings.HasPrefix(f.Description, "verq built-in") {
		t.Errorf("builtin file = %+v", f)
	}
}

func TestParseBuiltin_Errors(t *testing.T) {
	cases := map[string]string{
		`{"runtime": "default", "modules": [{"name": "x", "versions": ["1.0.0"], "default": "2.0.0"}]}`:                         "default 2.0.0 is not one of its versions",
		`{"runtime": "default", "modules": [{"name": "x", "versions": ["^1.0.0"], "default": "1.0.0"}]}`:                        "want a canonical exact version",
		`{"runtime": "default", "modules": [{"name": "x", "core": true, "default": "1.0.0"}]}`:                                  "a core module without package versions has no default",
		`{"runtime": "default", "modules": [{"name": "x", "core": true, "versions": ["1.0.0"]}]}`:                               "default is missing",
		`{"runtime": "default", "modules": [{"name": "x", "core": true, "versions": ["native"], "default": "native"}]}`:         `"core": true instead`,
		`{"runtime": "default", "modules": [{"name": "fs/promises", "core": true, "versions": ["1.0.0"], "default": "1.0.0"}]}`: "malformed",
		`{"runtime": "default", "modules": [{"name": "x", "versions": []}]}`:                                                    "at least one version",
		`{"runtime": "default", "modules": [{"name": "x", "version": "1.0.0"}]}`:                                                `unknown field "version"`,
		`{"runtime": "Default", "modules": []}`:                                                                                 "runtime name",
		`{"runtime": "default", "modules": [{"name": "u", "core": true}, {"name": "u", "core": true}]}`:                         "listed twice",
	}
	for in, want := range cases {
		if _, _, err := parseBuiltin([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseBuiltin(%s) = %v, want %q", in, err, want)
		}
	}
}

// TestOpen_BuiltinChange_ExtendsRuntime simulates a newer build whose built-in list gained a module
// and a version: reopening adds them, keeping the operator's default and statuses.
func TestOpen_BuiltinChange_ExtendsRuntime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	mustNoErr(t, s.SetDefault("op", DefaultRuntime, "auth0", "2.9.1"))
	mustNoErr(t, s.SetStatus("op", DefaultRuntime, "auth0", "2.0.0", StatusBlocked, "old"))
	f, _, err := loadBuiltin()
	mustNoErr(t, err)
	f.Modules = append(f.Modules, builtinModule{Name: "request", Default: "2.88.2", Versions: []string{"2.88.2"}})
	f.Modules[6].Versions = append(f.Modules[6].Versions, "2.45.0")
	mustNoErr(t, s.update("seed", "builtin", func(w *wtx) error { return applyBuiltin(w, f) }))

	m, _ := s.Module(DefaultRuntime, "auth0")
	v, _ := m.Lookup("2.0.0")
	if m.Default != "2.9.1" || v.Status != StatusBlocked || m.Versions[len(m.Versions)-1].Version != "2.45.0" {
		t.Errorf("auth0 default %s, 2.0.0 %s, last %s", m.Default, v.Status, m.Versions[len(m.Versions)-1].Version)
	}
	if r, err := s.Module(DefaultRuntime, "request"); err != nil || r.Default != "2.88.2" {
		t.Errorf("request = %+v, %v", r, err)
	}
	mustNoErr(t, s.Close())
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// builtinCounts reads catalog/builtin.json independently of the code under test: the number of
// modules, of entries (core modules count one each) and the sorted module names.
func builtinCounts(t *testing.T) (modules, versions int, names []string) {
	t.Helper()
	var f struct {
		Modules []struct {
			Name     string   `json:"name"`
			Core     bool     `json:"core"`
			Versions []string `json:"versions"`
		} `json:"modules"`
	}
	if err := json.Unmarshal(builtinJSON, &f); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.Modules {
		modules++
		versions += len(m.Versions)
		if m.Core {
			versions++
		}
		names = append(names, m.Name)
	}
	slices.Sort(names)
	return modules, versions, names
}
