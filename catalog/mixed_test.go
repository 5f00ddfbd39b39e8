package catalog

import (
	"slices"
	"strings"
	"testing"

	"go.etcd.io/bbolt"
)

// Tests of modules that are a core module and a package at once (url core beside url@0.10.3).

func TestStore_AddVersion_PackageBesideCore(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "url", "0.10.3"))
	m, err := s.Module(DefaultRuntime, "url")
	mustNoErr(t, err)
	if !m.Core || m.Default != "0.10.3" || !slices.Equal(versionsOf(m), []string{"native", "0.10.3"}) ||
		!strings.Contains(m.Homepage, "nodejs.org") {
		t.Errorf("url = %+v", m)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Action != "add" || h[0].Version != "0.10.3" || !strings.Contains(h[0].Detail, "first package version of core module url; default 0.10.3") {
		t.Errorf("history = %+v", h[0])
	}
	// A second package version keeps the default and the core module.
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "url", "v0.11.0"))
	m, _ = s.Module(DefaultRuntime, "url")
	if !m.Core || m.Default != "0.10.3" || !slices.Equal(versionsOf(m), []string{"native", "0.10.3", "0.11.0"}) {
		t.Errorf("url = %+v", m)
	}

	// "native" added to a package marks it core and keeps its default.
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "auth0", "native"))
	a, _ := s.Module(DefaultRuntime, "auth0")
	if !a.Core || a.Default != "2.44.1" || a.Versions[len(a.Versions)-1].Version != "native" || len(a.Versions) != 45 {
		t.Errorf("auth0 core %v default %s, %d versions, last %s", a.Core, a.Default, len(a.Versions), a.Versions[len(a.Versions)-1].Version)
	}
	h, _ = s.History(DefaultRuntime, 1)
	if !strings.Contains(h[0].Detail, "core module added beside 44 package version(s)") {
		t.Errorf("history = %+v", h[0])
	}

	gen := s.Generation()
	wantErr(t, s.AddVersion("alice", DefaultRuntime, "url", "0.10.3"), ErrInvalid, "url@0.10.3 is already listed")
	wantErr(t, s.AddVersion("alice", DefaultRuntime, "url", "native"), ErrInvalid, "url is already listed as a core module")
	wantErr(t, s.AddVersion("alice", DefaultRuntime, "auth0", "native"), ErrInvalid, "already listed as a core module")
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "fs/promises", "native"))
	wantErr(t, s.AddVersion("alice", DefaultRuntime, "fs/promises", "1.0.0"), ErrInvalid, `"fs/promises" is malformed`)
	if s.Generation() != gen+1 {
		t.Errorf("failed adds changed the generation: %d -> %d", gen, s.Generation())
	}
	mustNoErr(t, s.Check())
}

func TestStore_SetStatus_CoreEntryOfMixedModule(t *testing.T) {
	s := openTemp(t)
	seedModule(t, s, "crypto", "1.0.0", "3.3.0")

	// Blocking crypto@native blocks the core module only.
	mustNoErr(t, s.SetStatus("sec", DefaultRuntime, "crypto", "native", StatusBlocked, "use the package"))
	m, _ := s.Module(DefaultRuntime, "crypto")
	core, _ := m.Lookup(NativeVersion)
	pkg, _ := m.Lookup("1.0.0")
	if !m.Core || m.Default != "1.0.0" || core.Status != StatusBlocked || core.Reason != "use the package" || pkg.Status != StatusAllowed {
		t.Errorf("crypto = %+v", m)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Action != "block" || h[0].Version != "native" || h[0].Detail != "use the package" {
		t.Errorf("history = %+v", h[0])
	}

	// The package default cannot be blocked while it is the default; a blocked core entry is no
	// alternative.
	wantErr(t, s.SetStatus("sec", DefaultRuntime, "crypto", "1.0.0", StatusBlocked, "x"), ErrInvalid,
		"it is the default version", "for example 3.3.0")
	mustNoErr(t, s.RemoveVersion("sec", DefaultRuntime, "crypto", "3.3.0"))
	wantErr(t, s.SetStatus("sec", DefaultRuntime, "crypto", "1.0.0", StatusBlocked, "x"), ErrInvalid,
		"the only package version of crypto", "remove crypto@1.0.0 (the core module stays)")

	// Allowing the core entry never makes "native" the default.
	mustNoErr(t, s.AddVersion("sec", DefaultRuntime, "url", "0.10.3"))
	mustNoErr(t, s.SetStatus("sec", DefaultRuntime, "url", "native", StatusDeprecated, "prefer URL"))
	mustNoErr(t, s.SetStatus("sec", DefaultRuntime, "url", "native", StatusAllowed, ""))
	u, _ := s.Module(DefaultRuntime, "url")
	if u.Default != "0.10.3" {
		t.Errorf("url default = %q", u.Default)
	}
	mustNoErr(t, s.Check())
}

func TestStore_RemoveVersion_MixedModule(t *testing.T) {
	s := openTemp(t)
	seedModule(t, s, "url", "0.10.3", "0.11.0")

	// Removing "native" leaves the package.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "url", "native"))
	m, err := s.Module(DefaultRuntime, "url")
	mustNoErr(t, err)
	if m.Core || m.Default != "0.10.3" || !slices.Equal(versionsOf(m), []string{"0.10.3", "0.11.0"}) {
		t.Errorf("after removing native: %+v", m)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Version != "native" || !strings.Contains(h[0].Detail, "core module removed; the package stays, default 0.10.3") {
		t.Errorf("history = %+v", h[0])
	}

	// Removing the default skips the "native" entry when picking the next one.
	mustNoErr(t, s.AddVersion("bob", DefaultRuntime, "url", "native"))
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "url", "0.11.0"))
	mustNoErr(t, s.AddVersion("bob", DefaultRuntime, "url", "0.12.0"))
	// url is now [0.10.3, native, 0.12.0], default 0.10.3.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "url", "0.10.3"))
	m, _ = s.Module(DefaultRuntime, "url")
	if !m.Core || m.Default != "0.12.0" || !slices.Equal(versionsOf(m), []string{"native", "0.12.0"}) {
		t.Errorf("after removing the default: %+v", m)
	}

	// Removing the last package version keeps the core module without a default.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "url", "0.12.0"))
	m, err = s.Module(DefaultRuntime, "url")
	mustNoErr(t, err)
	if !m.Core || m.Default != "" || !slices.Equal(versionsOf(m), []string{"native"}) {
		t.Errorf("after removing the last package version: %+v", m)
	}
	h, _ = s.History(DefaultRuntime, 1)
	if !strings.Contains(h[0].Detail, "default is now (none)") || !strings.Contains(h[0].Detail, "url stays a core module") {
		t.Errorf("history = %+v", h[0])
	}

	// Removing the last entry removes the module.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "url", "native"))
	_, err = s.Module(DefaultRuntime, "url")
	wantErr(t, err, ErrModuleNotFound)
	mustNoErr(t, s.Check())
}

func TestStore_SetDefault_MixedModule(t *testing.T) {
	s := openTemp(t)
	seedModule(t, s, "querystring", "0.2.0", "0.2.1")
	mustNoErr(t, s.SetDefault("carol", DefaultRuntime, "querystring", "0.2.1"))
	m, _ := s.Module(DefaultRuntime, "querystring")
	if !m.Core || m.Default != "0.2.1" {
		t.Errorf("querystring = %+v", m)
	}
	wantErr(t, s.SetDefault("carol", DefaultRuntime, "querystring", "native"), ErrInvalid, `"native" cannot be the default`)
	wantErr(t, s.SetDefault("carol", DefaultRuntime, "querystring", "9.9.9"), ErrVersionNotFound, "listed: native, 0.2.0, 0.2.1")
}

func TestStore_Import_CoreAndPackage(t *testing.T) {
	s := openTemp(t)
	l := &List{Format: FormatCanirequire, NodeVersion: "v8.17.0", Entries: []ListEntry{
		{Name: "querystring", Version: "native"},
		{Name: "url", Version: "0.10.3"},
		{Name: "url", Version: "native"},
		{Name: "crypto", Version: "native"},
		{Name: "querystring", Version: "0.2.0"},
		{Name: "url", Version: "0.11.0"},
		{Name: "url", Version: "native"},
	}}
	d, err := s.Import("t", "node8", l, ImportOptions{})
	mustNoErr(t, err)
	if !slices.Equal(d.AddedModules, []string{"querystring", "url", "crypto"}) ||
		!slices.Equal(d.AddedVersions, []string{"querystring@native", "querystring@0.2.0", "url@0.10.3", "url@native", "url@0.11.0", "crypto@native"}) ||
		!slices.Contains(d.Notes, "url@native is listed more than once (entry 6); kept once") {
		t.Errorf("diff = %+v", d)
	}
	cases := []struct {
		name, def string
		core      bool
		versions  []string
	}{
		{"querystring", "0.2.0", true, []string{"native", "0.2.0"}},
		{"url", "0.10.3", true, []string{"0.10.3", "native", "0.11.0"}},
		{"crypto", "", true, []string{"native"}},
	}
	for _, tc := range cases {
		m, err := s.Module("node8", tc.name)
		mustNoErr(t, err)
		if m.Core != tc.core || m.Default != tc.def || !slices.Equal(versionsOf(m), tc.versions) {
			t.Errorf("%s = %+v", tc.name, m)
		}
	}
	if d, _ := s.Import("t", "node8", l, ImportOptions{}); !d.Empty() {
		t.Errorf("re-import = %s", d.Summary())
	}

	// Merge into the built-in runtime, where url and crypto are core and auth0 a package.
	d, err = s.Import("t", DefaultRuntime, &List{Entries: []ListEntry{
		{Name: "url", Version: "0.10.3"}, {Name: "auth0", Version: "native"}, {Name: "crypto", Version: "native"},
	}}, ImportOptions{})
	mustNoErr(t, err)
	if !slices.Equal(d.AddedVersions, []string{"url@0.10.3", "auth0@native"}) || !slices.Equal(d.DefaultChanges, []string{"url: (none) -> 0.10.3"}) ||
		d.Unchanged != 1 || len(d.AddedModules) != 0 {
		t.Errorf("merge diff = %+v", d)
	}
	u, _ := s.Module(DefaultRuntime, "url")
	a, _ := s.Module(DefaultRuntime, "auth0")
	if !u.Core || u.Default != "0.10.3" || !a.Core || a.Default != "2.44.1" {
		t.Errorf("url = %+v; auth0 core %v default %s", u, a.Core, a.Default)
	}

	// Replace removes whichever kind of entry the list lacks.
	d, err = s.Import("t", "node8", &List{Entries: []ListEntry{
		{Name: "querystring", Version: "0.2.0"}, // loses its core entry
		{Name: "url", Version: "native"},        // loses its package versions
		{Name: "crypto", Version: "native"},
		{Name: "crypto", Version: "3.3.0"}, // gains a package version
	}}, ImportOptions{Replace: true})
	mustNoErr(t, err)
	if !slices.Equal(d.RemovedVersions, []string{"querystring@native", "url@0.10.3", "url@0.11.0"}) ||
		!slices.Equal(d.AddedVersions, []string{"crypto@3.3.0"}) || len(d.RemovedModules) != 0 ||
		!slices.Equal(d.DefaultChanges, []string{"url: 0.10.3 -> (none)", "crypto: (none) -> 3.3.0"}) {
		t.Errorf("replace diff = %+v", d)
	}
	cases = []struct {
		name, def string
		core      bool
		versions  []string
	}{
		{"querystring", "0.2.0", false, []string{"0.2.0"}},
		{"url", "", true, []string{"native"}},
		{"crypto", "3.3.0", true, []string{"native", "3.3.0"}},
	}
	for _, tc := range cases {
		m, err := s.Module("node8", tc.name)
		mustNoErr(t, err)
		if m.Core != tc.core || m.Default != tc.def || !slices.Equal(versionsOf(m), tc.versions) {
			t.Errorf("after replace %s = %+v", tc.name, m)
		}
	}
	mustNoErr(t, s.Check())
}

func TestStore_Export_MixedModuleRoundTrip(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.CreateRuntime("t", "node8", "v8.17.0"))
	for _, nv := range [][2]string{{"url", "0.10.3"}, {"url", "native"}, {"url", "0.11.0"}, {"crypto", "native"}, {"querystring", "0.2.0"}} {
		mustNoErr(t, s.AddVersion("t", "node8", nv[0], nv[1]))
	}
	mustNoErr(t, s.SetDefault("t", "node8", "url", "0.11.0"))
	mustNoErr(t, s.SetStatus("t", "node8", "url", "native", StatusBlocked, "package only"))

	l, err := s.Export("node8")
	mustNoErr(t, err)
	var got []string
	for _, e := range l.Entries {
		got = append(got, e.Name+"@"+e.Version)
	}
	want := []string{"crypto@native", "url@native", "querystring@0.2.0", "url@0.11.0", "url@0.10.3"}
	if !slices.Equal(got, want) {
		t.Errorf("export = %v, want %v", got, want)
	}
	verquire, err := l.MarshalVerquire()
	mustNoErr(t, err)
	if string(verquire) != "{\n  \"querystring\": [\"0.2.0\"],\n  \"url\": [\"0.11.0\", \"0.10.3\"]\n}\n" {
		t.Errorf("verquire = %s", verquire)
	}

	orig, _ := s.Modules("node8")
	for _, format := range []string{FormatCanirequire, FormatVerquire} {
		t.Run(format, func(t *testing.T) {
			var data []byte
			if format == FormatCanirequire {
				data, err = l.MarshalCanirequire()
			} else {
				data, err = l.MarshalVerquire()
			}
			mustNoErr(t, err)
			back, err := ParseList(data, FormatAuto)
			mustNoErr(t, err)
			target := "copy-" + format
			_, err = s.Import("t", target, back, ImportOptions{})
			mustNoErr(t, err)
			copied, _ := s.Modules(target)
			want := orig
			if format == FormatVerquire { // package versions only
				want = nil
				for _, m := range orig {
					m.Versions = slices.DeleteFunc(slices.Clone(m.Versions), func(v Version) bool { return v.Version == NativeVersion })
					m.Core = false
					if len(m.Versions) > 0 {
						want = append(want, m)
					}
				}
			}
			if len(want) != len(copied) {
				t.Fatalf("%d modules, copy has %d", len(want), len(copied))
			}
			for i := range want {
				o, c := want[i], copied[i]
				ov, cv := versionsOf(o), versionsOf(c)
				slices.Sort(ov)
				slices.Sort(cv)
				if o.Name != c.Name || o.Core != c.Core || o.Default != c.Default || !slices.Equal(ov, cv) {
					t.Errorf("%s core %v %v default %s -> %s core %v %v default %s", o.Name, o.Core, ov, o.Default, c.Name, c.Core, cv, c.Default)
				}
			}
		})
	}
}

func TestBuiltin_MixedModule(t *testing.T) {
	f, _, err := parseBuiltin([]byte(`{"runtime": "default", "node_version": "v18.20.4", "modules": [
		{"name": "url", "core": true, "default": "0.11.0", "versions": ["0.10.3", "0.11.0"]},
		{"name": "crypto", "core": true}]}`))
	mustNoErr(t, err)
	specs := f.specs()
	if !specs[0].core || specs[0].def != "0.11.0" || len(specs[0].versions) != 3 || specs[0].versions[0].version != NativeVersion {
		t.Errorf("url spec = %+v", specs[0])
	}

	// A newer built-in list that adds package versions to a core module extends it in place.
	s := openTemp(t)
	mustNoErr(t, s.SetStatus("op", DefaultRuntime, "url", "native", StatusDeprecated, "prefer URL"))
	mustNoErr(t, s.update("seed", "builtin", func(w *wtx) error { return applyBuiltin(w, f) }))
	m, _ := s.Module(DefaultRuntime, "url")
	core, _ := m.Lookup(NativeVersion)
	if !m.Core || m.Default != "0.11.0" || !slices.Equal(versionsOf(m), []string{"native", "0.10.3", "0.11.0"}) || core.Status != StatusDeprecated {
		t.Errorf("url = %+v", m)
	}
	mustNoErr(t, s.Check())
}

// TestStore_Check_ModuleInvariants: Check accepts mixed modules and rejects records whose Core flag
// and "native" entry disagree or whose default is not a listed package version; putModule refuses to
// write them.
func TestStore_Check_ModuleInvariants(t *testing.T) {
	native := Version{Version: NativeVersion, Status: StatusAllowed}
	pkg := Version{Version: "0.10.3", Status: StatusAllowed}
	cases := []struct {
		name string
		m    Module
		want string // "" = consistent
	}{
		{"core", Module{Name: "url", Core: true, Versions: []Version{native}}, ""},
		{"package", Module{Name: "url", Default: "0.10.3", Versions: []Version{pkg}}, ""},
		{"mixed", Module{Name: "url", Core: true, Default: "0.10.3", Versions: []Version{pkg, native}}, ""},
		{"mixed without default", Module{Name: "url", Core: true, Versions: []Version{native, pkg}}, ""},
		{"core flag without native", Module{Name: "url", Core: true, Default: "0.10.3", Versions: []Version{pkg}}, `marked core but has no "native" entry`},
		{"native without core flag", Module{Name: "url", Default: "0.10.3", Versions: []Version{native, pkg}}, `has a "native" entry but is not marked core`},
		{"native default", Module{Name: "url", Core: true, Default: "native", Versions: []Version{native, pkg}}, `the default is "native"`},
		{"unlisted default", Module{Name: "url", Core: true, Default: "1.0.0", Versions: []Version{native, pkg}}, "default 1.0.0 is not one of its versions"},
		{"native twice", Module{Name: "url", Core: true, Versions: []Version{native, native}}, `version "native" is listed twice`},
		{"no versions", Module{Name: "url"}, "no versions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			mustNoErr(t, s.DB().Update(func(tx *bbolt.Tx) error {
				b := runtimeBucket(tx, DefaultRuntime)
				err := putModule(b, &tc.m)
				if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
					t.Errorf("putModule = %v, want %q", err, tc.want)
				}
				return b.Put([]byte(tc.m.Name), encodeModule(&tc.m)) // bypass the guard
			}))
			err := s.Check()
			if tc.want == "" {
				mustNoErr(t, err)
				return
			}
			wantErr(t, err, ErrNotCatalog, "damaged", `module "url"`, tc.want)
		})
	}
}
