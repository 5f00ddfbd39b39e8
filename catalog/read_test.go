package catalog

import (
	"slices"
	"testing"
)

func TestStore_Runtimes_SortedWithCounts(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.CreateRuntime("t", "node8", "v8"))
	mustNoErr(t, s.CreateRuntime("t", "node12", "v12"))
	mustNoErr(t, s.AddVersion("t", "node12", "lodash", "4.17.21"))
	mustNoErr(t, s.AddVersion("t", "node12", "lodash", "4.17.20"))
	mustNoErr(t, s.AddVersion("t", "node12", "url", "native"))
	rts, err := s.Runtimes()
	mustNoErr(t, err)
	var names []string
	for _, r := range rts {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"default", "node12", "node8"}) {
		t.Fatalf("runtimes = %v", names)
	}
	if r := rts[1]; r.Modules != 2 || r.Versions != 3 || r.NodeVersion != "v12" || r.Builtin {
		t.Errorf("node12 = %+v", r)
	}
	if r := rts[2]; r.Modules != 0 || r.Versions != 0 {
		t.Errorf("node8 = %+v", r)
	}
	_, err = s.Runtime("node4")
	wantErr(t, err, ErrRuntimeNotFound, `"node4"`, "known runtimes: default, node12, node8")
}

func TestStore_Module_Errors(t *testing.T) {
	s := openTemp(t)
	_, err := s.Module("node4", "auth0")
	wantErr(t, err, ErrRuntimeNotFound, `runtime not found: "node4" (known runtimes: default)`)
	_, err = s.Module(DefaultRuntime, "lodash")
	wantErr(t, err, ErrModuleNotFound, `module not found: "lodash" is not in catalog "default"`)
	_, err = s.Module(DefaultRuntime, "\x00info") // the runtime's own record is not a module
	wantErr(t, err, ErrModuleNotFound)
	_, err = s.Module(DefaultRuntime, "")
	wantErr(t, err, ErrModuleNotFound)
}

func TestStore_Module_Builtin(t *testing.T) {
	s := openTemp(t)
	m, err := s.Module(DefaultRuntime, "auth0")
	mustNoErr(t, err)
	vs := versionsOf(m)
	if m.Default != "2.44.1" || len(vs) != 44 || vs[0] != "2.0.0" || vs[43] != "2.44.1" || m.Homepage != "https://github.com/auth0/node-auth0" {
		t.Errorf("auth0 = default %s, %d versions %v…, homepage %s", m.Default, len(vs), vs[:3], m.Homepage)
	}
	for _, v := range m.Versions {
		if v.Status != StatusAllowed || v.Added.IsZero() {
			t.Errorf("version %+v", v)
		}
	}
	for _, core := range []string{"buffer", "crypto", "events", "querystring", "url", "util"} {
		m, err := s.Module(DefaultRuntime, core)
		if err != nil || !m.Core || !slices.Equal(versionsOf(m), []string{"native"}) {
			t.Errorf("%s = %+v, %v", core, m, err)
		}
	}
}

func TestStore_Modules_SortedByName(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.CreateRuntime("t", "r", ""))
	for _, n := range []string{"zlib", "@scope/a", "Buffer", "async", "assert/strict"} {
		v := "1.0.0"
		if n == "assert/strict" {
			v = "native"
		}
		mustNoErr(t, s.AddVersion("t", "r", n, v))
	}
	mods, err := s.Modules("r")
	mustNoErr(t, err)
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"@scope/a", "Buffer", "assert/strict", "async", "zlib"}) {
		t.Errorf("modules = %v", names)
	}
	_, err = s.Modules("nope")
	wantErr(t, err, ErrRuntimeNotFound)
}

func TestStore_History_OrderFilterLimit(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.CreateRuntime("a1", "node12", ""))
	mustNoErr(t, s.AddVersion("a2", "node12", "x", "1.0.0"))
	mustNoErr(t, s.AddVersion("a3", DefaultRuntime, "y", "1.0.0"))
	mustNoErr(t, s.SetStatus("a4", "node12", "x", "1.0.0", StatusDeprecated, "old"))

	all, err := s.History("", 0)
	mustNoErr(t, err)
	for i := 1; i < len(all); i++ {
		if all[i-1].Seq <= all[i].Seq {
			t.Fatalf("not newest first: %d then %d", all[i-1].Seq, all[i].Seq)
		}
	}
	if all[len(all)-1].Seq != 1 {
		t.Errorf("oldest seq = %d", all[len(all)-1].Seq)
	}
	got, _ := s.History("node12", 0)
	want := []Change{
		{Actor: "a4", Runtime: "node12", Action: "deprecate", Module: "x", Version: "1.0.0", Detail: "old"},
		{Actor: "a2", Runtime: "node12", Action: "add", Module: "x", Version: "1.0.0", Detail: "new module; default 1.0.0"},
		{Actor: "a1", Runtime: "node12", Action: "create-runtime", Detail: `node_version ""`},
	}
	if len(got) != len(want) {
		t.Fatalf("history = %+v", got)
	}
	for i := range want {
		g := got[i]
		if g.Time.IsZero() || g.Seq == 0 {
			t.Errorf("entry %d lacks time or seq: %+v", i, g)
		}
		g.Time, g.Seq = want[i].Time, 0
		if g != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, g, want[i])
		}
	}
	if got, _ := s.History("", 2); len(got) != 2 || got[0].Action != "deprecate" || got[1].Runtime != DefaultRuntime {
		t.Errorf("limit 2 = %+v", got)
	}
	if got, _ := s.History("nope", 0); len(got) != 0 {
		t.Errorf("unknown runtime history = %+v", got)
	}
}

func TestStore_Export_Order(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.CreateRuntime("t", "r", "v12.22.12"))
	for _, nv := range [][2]string{{"zeta", "1.0.0"}, {"zeta", "2.0.0"}, {"zeta", "0.5.0"}, {"url", "native"}, {"alpha", "3.0.0"}, {"buffer", "native"}} {
		mustNoErr(t, s.AddVersion("t", "r", nv[0], nv[1]))
	}
	mustNoErr(t, s.SetDefault("t", "r", "zeta", "2.0.0"))
	mustNoErr(t, s.SetStatus("t", "r", "zeta", "0.5.0", StatusBlocked, "x"))
	mustNoErr(t, s.SetModuleInfo("t", "r", "alpha", "https://example.com/alpha", ""))
	l, err := s.Export("r")
	mustNoErr(t, err)
	want := []ListEntry{
		{"buffer", "native", ""}, {"url", "native", ""},
		{"alpha", "3.0.0", "https://example.com/alpha"},
		{"zeta", "2.0.0", ""}, {"zeta", "1.0.0", ""}, {"zeta", "0.5.0", ""},
	}
	if l.NodeVersion != "v12.22.12" || !slices.Equal(l.Entries, want) {
		t.Errorf("export = %+v", l)
	}
	_, err = s.Export("nope")
	wantErr(t, err, ErrRuntimeNotFound)
}
