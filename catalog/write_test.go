package catalog

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedModule lists name with versions (first = default) in the default runtime.
func seedModule(t *testing.T, s *Store, name string, versions ...string) {
	t.Helper()
	for _, v := range versions {
		mustNoErr(t, s.AddVersion("test", DefaultRuntime, name, v))
	}
}

func TestStore_CreateRuntime(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.CreateRuntime("alice", "node18", "v18.20.4"))
	info, err := s.Runtime("node18")
	mustNoErr(t, err)
	if info.Name != "node18" || info.NodeVersion != "v18.20.4" || info.Builtin || info.Modules != 0 || info.Created.IsZero() {
		t.Errorf("info = %+v", info)
	}
	h, _ := s.History("node18", 1)
	if len(h) != 1 || h[0].Action != "create-runtime" || h[0].Actor != "alice" {
		t.Errorf("history = %+v", h)
	}
	wantErr(t, s.CreateRuntime("alice", "node18", ""), ErrInvalid, `runtime "node18" already exists`)
	for _, bad := range []string{"", "Node18", "-x", "a b", strings.Repeat("a", 65), "../x"} {
		wantErr(t, s.CreateRuntime("alice", bad, ""), ErrInvalid, "runtime name")
	}
}

func TestStore_AddVersion(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "lodash", "v4.17.21")) // leading v stripped
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "lodash", "3.10.1"))
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "@auth0/rule-utilities", "0.2.0"))
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "mysql", "2.0.0-alpha8"))
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "assert/strict", "native"))

	m, err := s.Module(DefaultRuntime, "lodash")
	mustNoErr(t, err)
	if m.Default != "4.17.21" || !slices.Equal(versionsOf(m), []string{"4.17.21", "3.10.1"}) || m.Core {
		t.Errorf("lodash = %+v", m)
	}
	if v := m.Versions[1]; v.Status != StatusAllowed || v.Added.IsZero() || v.Added.Location().String() != "UTC" {
		t.Errorf("version entry = %+v", v)
	}
	core, err := s.Module(DefaultRuntime, "assert/strict")
	mustNoErr(t, err)
	if !core.Core || core.Default != "" || !slices.Equal(versionsOf(core), []string{"native"}) {
		t.Errorf("core module = %+v", core)
	}

	cases := []struct {
		name, runtime, module, version string
		target                         error
		fragments                      []string
	}{
		{"duplicate", DefaultRuntime, "lodash", "4.17.21", ErrInvalid, []string{"lodash@4.17.21 is already listed"}},
		{"duplicate with v", DefaultRuntime, "lodash", "v3.10.1", ErrInvalid, []string{"already listed"}},
		{"duplicate core", DefaultRuntime, "crypto", "native", ErrInvalid, []string{"already listed as a core module"}},
		{"version on a core-only name", DefaultRuntime, "assert/strict", "1.0.0", ErrInvalid, []string{`"assert/strict" is malformed`}},
		{"missing runtime", "node99", "lodash", "1.0.0", ErrRuntimeNotFound, []string{`"node99"`, "known runtimes: default"}},
		{"range", DefaultRuntime, "lodash", "^4.0.0", ErrInvalid, []string{"not an exact semantic version"}},
		{"partial", DefaultRuntime, "lodash", "4.17", ErrInvalid, []string{"not an exact"}},
		{"empty version", DefaultRuntime, "lodash", "", ErrInvalid, []string{"version is empty"}},
		{"bad name", DefaultRuntime, "a/b", "1.0.0", ErrInvalid, []string{`"a/b" is malformed`}},
		{"name with version", DefaultRuntime, "foo@1.0.0", "1.0.0", ErrInvalid, []string{"looks like name@version"}},
		{"dotdot", DefaultRuntime, "a..b", "1.0.0", ErrInvalid, []string{`contains ".."`}},
		{"core dotdot", DefaultRuntime, "fs/../x", "native", ErrInvalid, []string{`contains ".."`}},
		{"too long", DefaultRuntime, strings.Repeat("a", 215), "1.0.0", ErrInvalid, []string{"limit is 214"}},
		{"empty name", DefaultRuntime, "", "1.0.0", ErrInvalid, []string{"name is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, s.AddVersion("alice", tc.runtime, tc.module, tc.version), tc.target, tc.fragments...)
		})
	}
}

func TestStore_RemoveVersion(t *testing.T) {
	s := openTemp(t)
	seedModule(t, s, "x", "1.0.0", "2.0.0", "3.0.0")
	mustNoErr(t, s.SetStatus("t", DefaultRuntime, "x", "2.0.0", StatusBlocked, "CVE"))

	// Removing the default skips the blocked next version.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "x", "1.0.0"))
	m, _ := s.Module(DefaultRuntime, "x")
	if m.Default != "3.0.0" || !slices.Equal(versionsOf(m), []string{"2.0.0", "3.0.0"}) {
		t.Errorf("after removing the default: %+v", m)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Action != "remove" || h[0].Version != "1.0.0" || h[0].Actor != "bob" || !strings.Contains(h[0].Detail, "default is now 3.0.0") {
		t.Errorf("history = %+v", h[0])
	}
	// Removing the default when only blocked versions remain leaves no default.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "x", "3.0.0"))
	m, _ = s.Module(DefaultRuntime, "x")
	if m.Default != "" {
		t.Errorf("default = %q with only blocked versions left", m.Default)
	}
	// Allowing a version again restores a default.
	mustNoErr(t, s.SetStatus("t", DefaultRuntime, "x", "2.0.0", StatusAllowed, ""))
	m, _ = s.Module(DefaultRuntime, "x")
	if m.Default != "2.0.0" {
		t.Errorf("default = %q after allowing the only version", m.Default)
	}
	// Removing the last version removes the module.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "x", "2.0.0"))
	_, err := s.Module(DefaultRuntime, "x")
	wantErr(t, err, ErrModuleNotFound, `"x" is not in catalog "default"`)
	// Core modules are removed by their "native" entry.
	mustNoErr(t, s.RemoveVersion("bob", DefaultRuntime, "crypto", "native"))
	_, err = s.Module(DefaultRuntime, "crypto")
	wantErr(t, err, ErrModuleNotFound)

	wantErr(t, s.RemoveVersion("bob", DefaultRuntime, "auth0", "9.9.9"), ErrVersionNotFound, "auth0@9.9.9 is not listed", "listed: 2.0.0, 2.1.0")
	wantErr(t, s.RemoveVersion("bob", DefaultRuntime, "nope", "1.0.0"), ErrModuleNotFound)
	wantErr(t, s.RemoveVersion("bob", "node1", "auth0", "2.0.0"), ErrRuntimeNotFound)
	wantErr(t, s.RemoveVersion("bob", DefaultRuntime, "auth0", "2.x"), ErrInvalid)
}

func TestStore_RemoveVersion_DefaultWrapsAround(t *testing.T) {
	s := openTemp(t)
	seedModule(t, s, "x", "1.0.0", "2.0.0", "3.0.0")
	mustNoErr(t, s.SetDefault("t", DefaultRuntime, "x", "3.0.0"))
	mustNoErr(t, s.RemoveVersion("t", DefaultRuntime, "x", "3.0.0"))
	m, _ := s.Module(DefaultRuntime, "x")
	if m.Default != "1.0.0" {
		t.Errorf("default = %q, want the first listed version after removing the last-listed default", m.Default)
	}
}

func TestStore_SetDefault(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.SetDefault("carol", DefaultRuntime, "auth0", "2.9.1"))
	m, _ := s.Module(DefaultRuntime, "auth0")
	if m.Default != "2.9.1" {
		t.Fatalf("default = %q", m.Default)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Action != "default" || h[0].Detail != "2.44.1 -> 2.9.1" || h[0].Actor != "carol" {
		t.Errorf("history = %+v", h[0])
	}
	mustNoErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.0.0", StatusBlocked, "too old"))
	wantErr(t, s.SetDefault("t", DefaultRuntime, "auth0", "2.0.0"), ErrInvalid, "auth0@2.0.0 is blocked (too old)", "allow it first")
	wantErr(t, s.SetDefault("t", DefaultRuntime, "auth0", "9.0.0"), ErrVersionNotFound, "auth0@9.0.0")
	wantErr(t, s.SetDefault("t", DefaultRuntime, "crypto", "1.0.0"), ErrVersionNotFound, "only a core module", "no package versions", "verq catalog add crypto@1.0.0")
	wantErr(t, s.SetDefault("t", DefaultRuntime, "crypto", "native"), ErrInvalid, `"native" cannot be the default`, "always gets the core module")
	wantErr(t, s.SetDefault("t", DefaultRuntime, "auth0", "native"), ErrInvalid, `"native" cannot be the default`)
	wantErr(t, s.SetDefault("t", DefaultRuntime, "nope", "1.0.0"), ErrModuleNotFound)
	wantErr(t, s.SetDefault("t", "nope", "auth0", "1.0.0"), ErrRuntimeNotFound)
	wantErr(t, s.SetDefault("t", DefaultRuntime, "auth0", "latest"), ErrInvalid)
}

func TestStore_SetStatus(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.SetStatus("dave", DefaultRuntime, "auth0", "2.9.1", StatusDeprecated, "  use 2.44.1  "))
	m, _ := s.Module(DefaultRuntime, "auth0")
	v, _ := m.Lookup("2.9.1")
	if v.Status != StatusDeprecated || v.Reason != "use 2.44.1" {
		t.Errorf("2.9.1 = %+v", v)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Action != "deprecate" || h[0].Detail != "use 2.44.1" {
		t.Errorf("history = %+v", h[0])
	}
	mustNoErr(t, s.SetStatus("dave", DefaultRuntime, "auth0", "2.9.1", StatusBlocked, "CVE-1"))
	mustNoErr(t, s.SetStatus("dave", DefaultRuntime, "auth0", "2.9.1", StatusAllowed, "ignored"))
	m, _ = s.Module(DefaultRuntime, "auth0")
	if v, _ := m.Lookup("2.9.1"); v.Status != StatusAllowed || v.Reason != "" {
		t.Errorf("after allow: %+v", v)
	}
	h, _ = s.History(DefaultRuntime, 2)
	if h[0].Action != "allow" || h[1].Action != "block" {
		t.Errorf("history = %+v", h)
	}
	// Core modules can be blocked too.
	mustNoErr(t, s.SetStatus("dave", DefaultRuntime, "crypto", "native", StatusBlocked, "not in this tenant"))

	wantErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.44.1", StatusBlocked, "x"), ErrInvalid,
		"cannot block auth0@2.44.1: it is the default version", "set another default first (for example 2.0.0)")
	seedModule(t, s, "solo", "1.0.0")
	wantErr(t, s.SetStatus("t", DefaultRuntime, "solo", "1.0.0", StatusBlocked, "x"), ErrInvalid,
		"the only package version of solo", "not blocked", "or remove the module")
	wantErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.0.0", StatusDeprecated, " "), ErrInvalid, "needs a reason")
	wantErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.0.0", StatusBlocked, ""), ErrInvalid, "needs a reason")
	wantErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.0.0", "retired", "x"), ErrInvalid, `unknown status "retired"`)
	wantErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "7.0.0", StatusDeprecated, "x"), ErrVersionNotFound)
	wantErr(t, s.SetStatus("t", DefaultRuntime, "nope", "7.0.0", StatusDeprecated, "x"), ErrModuleNotFound)
	wantErr(t, s.SetStatus("t", "nope", "auth0", "7.0.0", StatusDeprecated, "x"), ErrRuntimeNotFound)

	// Repeating a status is a no-op: no history.
	before, _ := s.History("", 0)
	mustNoErr(t, s.SetStatus("t", DefaultRuntime, "auth0", "2.0.0", StatusAllowed, ""))
	after, _ := s.History("", 0)
	if len(after) != len(before) {
		t.Error("a no-op status change wrote history")
	}
}

func TestStore_SetModuleInfo(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.SetModuleInfo("erin", DefaultRuntime, "auth0", "https://auth0.github.io/node-auth0/", "ManagementClient"))
	m, _ := s.Module(DefaultRuntime, "auth0")
	if m.Homepage != "https://auth0.github.io/node-auth0/" || m.Notes != "ManagementClient" {
		t.Errorf("auth0 = %+v", m)
	}
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Action != "info" || !strings.Contains(h[0].Detail, "homepage") || !strings.Contains(h[0].Detail, "notes") {
		t.Errorf("history = %+v", h[0])
	}
	mustNoErr(t, s.SetModuleInfo("erin", DefaultRuntime, "auth0", "", ""))
	m, _ = s.Module(DefaultRuntime, "auth0")
	if m.Homepage != "" || m.Notes != "" {
		t.Errorf("not cleared: %+v", m)
	}
	wantErr(t, s.SetModuleInfo("erin", DefaultRuntime, "auth0", "javascript:alert(1)", ""), ErrInvalid, "not an http(s) URL")
	wantErr(t, s.SetModuleInfo("erin", DefaultRuntime, "auth0", "ftp://x", ""), ErrInvalid)
	wantErr(t, s.SetModuleInfo("erin", DefaultRuntime, "nope", "", ""), ErrModuleNotFound)
	wantErr(t, s.SetModuleInfo("erin", "nope", "auth0", "", ""), ErrRuntimeNotFound)
}

func TestStore_Write_EmptyActorUsesOptionsActor(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "verq.db"), Options{Actor: "cli-user"})
	mustNoErr(t, err)
	defer s.Close()
	mustNoErr(t, s.AddVersion(" ", DefaultRuntime, "x", "1.0.0"))
	h, _ := s.History(DefaultRuntime, 1)
	if h[0].Actor != "cli-user" {
		t.Errorf("actor = %q", h[0].Actor)
	}
}
