package web

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/resolver"
)

func TestServer_Runtimes(t *testing.T) {
	f := newFixture(t)
	r := f.do("GET", "/api/v1/runtimes", nil)
	wantStatus(t, r, http.StatusOK)
	var got RuntimesResponse
	r.json(t, &got)
	if got.DefaultRuntime != testRuntime {
		t.Errorf("default_runtime %q", got.DefaultRuntime)
	}
	var names []string
	for _, rt := range got.Runtimes {
		names = append(names, rt.Name)
	}
	if !slices.Equal(names, []string{catalog.DefaultRuntime, testRuntime}) {
		t.Errorf("runtimes %v", names)
	}

	r = f.do("GET", "/api/v1/runtimes/"+testRuntime, nil)
	wantStatus(t, r, http.StatusOK)
	var info catalog.RuntimeInfo
	r.json(t, &info)
	if info.Name != testRuntime || info.NodeVersion != "v20.20.2" || info.Modules != 180 {
		t.Errorf("runtime %+v", info)
	}

	r = f.do("GET", "/api/v1/runtimes/nope", nil)
	wantStatus(t, r, http.StatusNotFound)
	if e := r.errorBody(t); e.Code != CodeNotFound || !strings.Contains(e.Error, "nope") {
		t.Errorf("error %+v", e)
	}
	r = f.do("GET", "/api/v1/runtimes/BAD%20NAME", nil)
	wantStatus(t, r, http.StatusBadRequest)
	r.errorBody(t)
}

func TestServer_Modules(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name      string
		target    string
		total     int
		first     string
		count     int
		page, per int
	}{
		{"first page", "/api/v1/runtimes/node20/modules", 180, "@auth0/hapi", 50, 0, 50},
		{"short form", "/api/v1/modules?runtime=node20&per_page=10", 180, "@auth0/hapi", 10, 0, 10},
		{"default runtime", "/api/v1/modules?per_page=10", 180, "@auth0/hapi", 10, 0, 10},
		{"last page", "/api/v1/modules?page=3&per_page=50", 180, "stream/web", 30, 3, 50},
		{"past the end", "/api/v1/modules?page=9", 180, "", 0, 9, 50},
		{"query", "/api/v1/modules?q=AUTH0", 13, "@auth0/hapi", 13, 0, 50},
		{"query name@version", "/api/v1/modules?q=auth0@2.9", 1, "auth0", 1, 0, 50},
		{"query no match", "/api/v1/modules?q=zzzz", 0, "", 0, 0, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do("GET", tt.target, nil)
			wantStatus(t, r, http.StatusOK)
			var p ModulesPage
			r.json(t, &p)
			if p.Total != tt.total || len(p.Modules) != tt.count || p.Page != tt.page || p.PerPage != tt.per {
				t.Fatalf("total %d, %d modules, page %d/%d; want %d, %d, %d/%d", p.Total, len(p.Modules), p.Page, p.PerPage, tt.total, tt.count, tt.page, tt.per)
			}
			if tt.count > 0 && p.Modules[0].Name != tt.first {
				t.Errorf("first module %q, want %q", p.Modules[0].Name, tt.first)
			}
			if p.Modules == nil {
				t.Error("modules is null, want []")
			}
		})
	}
	for _, bad := range []string{"page=-1", "page=x", "per_page=0", "per_page=501", "runtime=Bad!"} {
		t.Run("bad "+bad, func(t *testing.T) {
			r := f.do("GET", "/api/v1/modules?"+bad, nil)
			wantStatus(t, r, http.StatusBadRequest)
			r.errorBody(t)
		})
	}
	t.Run("builtin runtime", func(t *testing.T) {
		builtin, err := f.store.Modules(catalog.DefaultRuntime)
		if err != nil {
			t.Fatal(err)
		}
		r := f.do("GET", "/api/v1/runtimes/default/modules", nil)
		var p ModulesPage
		r.json(t, &p)
		if p.Total != len(builtin) || p.Modules[0].Name != builtin[0].Name {
			t.Fatalf("default runtime: %d modules, first %q", p.Total, p.Modules[0].Name)
		}
	})
	t.Run("unknown runtime", func(t *testing.T) {
		r := f.do("GET", "/api/v1/runtimes/nope/modules", nil)
		wantStatus(t, r, http.StatusNotFound)
		r.errorBody(t)
	})
}

func TestServer_Module(t *testing.T) {
	f := newFixture(t)
	t.Run("package with implementations", func(t *testing.T) {
		r := f.do("GET", "/api/v1/runtimes/node20/modules/auth0", nil)
		wantStatus(t, r, http.StatusOK)
		var m ModuleView
		r.json(t, &m)
		if m.Name != "auth0" || m.Core || m.Default == "" || len(m.Versions) < 5 {
			t.Fatalf("module %+v", m)
		}
		for _, v := range m.Versions {
			wantImpl := "Go shim"
			if !strings.HasPrefix(v.Version, "2.") {
				wantImpl = NotInstalled
			}
			if v.Implementation != wantImpl || v.Require != "require('auth0@"+v.Version+"')" {
				t.Errorf("version %+v: want implementation %q", v, wantImpl)
			}
			if v.Default != (v.Version == m.Default) {
				t.Errorf("version %s default %v", v.Version, v.Default)
			}
		}
	})
	t.Run("stored package license", func(t *testing.T) {
		r := f.do("GET", "/api/v1/modules/lodash", nil)
		wantStatus(t, r, http.StatusOK)
		var m ModuleView
		r.json(t, &m)
		found := false
		for _, v := range m.Versions {
			if v.Version == "4.17.21" {
				found = true
				if v.Implementation != "JS package (MIT)" || v.Kind != "package" {
					t.Errorf("lodash 4.17.21: %+v", v)
				}
			}
		}
		if !found {
			t.Fatalf("lodash 4.17.21 not listed: %+v", m.Versions)
		}
	})
	for _, target := range []string{
		"/api/v1/runtimes/node20/modules/@auth0/rule-utilities",
		"/api/v1/runtimes/node20/modules/@auth0%2Frule-utilities",
		"/api/v1/modules/@auth0/rule-utilities?runtime=node20",
	} {
		t.Run("scoped "+target, func(t *testing.T) {
			r := f.do("GET", target, nil)
			wantStatus(t, r, http.StatusOK)
			var m ModuleView
			r.json(t, &m)
			if m.Name != "@auth0/rule-utilities" || m.Versions[0].Require != "require('@auth0/rule-utilities@"+m.Versions[0].Version+"')" {
				t.Fatalf("module %+v", m)
			}
		})
	}
	t.Run("core module with a slash", func(t *testing.T) {
		r := f.do("GET", "/api/v1/modules/assert/strict", nil)
		wantStatus(t, r, http.StatusOK)
		var m ModuleView
		r.json(t, &m)
		want := []VersionView{{Version: "native", Status: catalog.StatusAllowed, Implementation: NotInstalled, Require: "require('assert/strict')"}}
		m.Versions[0].Added = want[0].Added
		if m.Name != "assert/strict" || !m.Core || !reflect.DeepEqual(m.Versions, want) {
			t.Fatalf("module %+v", m)
		}
	})
	t.Run("core module implemented", func(t *testing.T) {
		r := f.do("GET", "/api/v1/modules/crypto", nil)
		var m ModuleView
		r.json(t, &m)
		if m.Versions[0].Implementation != "core module" || m.Versions[0].Require != "require('crypto')" {
			t.Fatalf("crypto %+v", m.Versions)
		}
	})
	for _, tt := range []struct{ target, code string }{
		{"/api/v1/modules/nope", CodeNotFound},
		{"/api/v1/runtimes/nope/modules/auth0", CodeNotFound},
		{"/api/v1/modules/auth0/bogus", CodeNotFound},
		{"/api/v1/modules/@auth0", CodeNotFound},
	} {
		t.Run("404 "+tt.target, func(t *testing.T) {
			r := f.do("GET", tt.target, nil)
			wantStatus(t, r, http.StatusNotFound)
			if e := r.errorBody(t); e.Code != tt.code {
				t.Errorf("code %q", e.Code)
			}
		})
	}
}

func TestServer_Version(t *testing.T) {
	f := newFixture(t)
	if err := f.store.SetStatus("t", testRuntime, "auth0", "2.9.1", catalog.StatusDeprecated, "use 2.44"); err != nil {
		t.Fatal(err)
	}
	r := f.do("GET", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1", nil)
	wantStatus(t, r, http.StatusOK)
	var d VersionDetail
	r.json(t, &d)
	if d.Runtime != testRuntime || d.Module != "auth0" || d.Version != "2.9.1" || d.Status != catalog.StatusDeprecated || d.Reason != "use 2.44" || d.Implementation != "Go shim" || d.Added.IsZero() {
		t.Fatalf("detail %+v", d)
	}
	r = f.do("GET", "/api/v1/modules/auth0/versions/v2.9.1", nil)
	wantStatus(t, r, http.StatusOK)

	r = f.do("GET", "/api/v1/modules/crypto/versions/native", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &d)
	if !d.Core || d.Require != "require('crypto')" {
		t.Fatalf("core detail %+v", d)
	}
	for _, target := range []string{"/api/v1/modules/auth0/versions/9.9.9", "/api/v1/modules/auth0/versions/^2", "/api/v1/modules/nope/versions/1.0.0"} {
		r = f.do("GET", target, nil)
		wantStatus(t, r, http.StatusNotFound)
		r.errorBody(t)
	}
}

func TestServer_History(t *testing.T) {
	f := newFixture(t)
	if err := f.store.AddVersion("alice", testRuntime, "auth0", "2.99.0"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetStatus("bob", testRuntime, "auth0", "2.99.0", catalog.StatusBlocked, "broken"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddVersion("carol", catalog.DefaultRuntime, "lodash", "4.17.21"); err != nil {
		t.Fatal(err)
	}
	var h HistoryResponse
	r := f.do("GET", "/api/v1/runtimes/node20/history?limit=2", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &h)
	if h.Runtime != testRuntime || len(h.Changes) != 2 || h.Changes[0].Actor != "bob" || h.Changes[0].Action != "block" || h.Changes[1].Actor != "alice" {
		t.Fatalf("history %+v", h)
	}
	r = f.do("GET", "/api/v1/runtimes/node20/history", nil)
	r.json(t, &h)
	if len(h.Changes) != DefaultHistoryLimit {
		t.Fatalf("default limit: %d changes", len(h.Changes))
	}
	r = f.do("GET", "/api/v1/history?limit=1", nil)
	h = HistoryResponse{}
	r.json(t, &h)
	if h.Runtime != "" || len(h.Changes) != 1 || h.Changes[0].Actor != "carol" {
		t.Fatalf("all-runtime history %+v", h)
	}
	r = f.do("GET", "/api/v1/modules/auth0/history", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &h)
	if h.Module != "auth0" || h.Changes[0].Actor != "bob" || h.Changes[1].Actor != "alice" || h.Changes[2].Action != "add" || h.Changes[2].Actor != "seed" {
		t.Fatalf("module history %+v", h)
	}
	r = f.do("GET", "/api/v1/runtimes/default/modules/lodash/history", nil)
	r.json(t, &h)
	if len(h.Changes) != 1 || h.Changes[0].Actor != "carol" {
		t.Fatalf("lodash history in default %+v", h)
	}
	for target, code := range map[string]int{
		"/api/v1/runtimes/nope/history":    http.StatusNotFound,
		"/api/v1/modules/nope/history":     http.StatusNotFound,
		"/api/v1/history?limit=0":          http.StatusBadRequest,
		"/api/v1/history?limit=1001":       http.StatusBadRequest,
		"/api/v1/history?runtime=No+Such!": http.StatusBadRequest,
	} {
		r = f.do("GET", target, nil)
		wantStatus(t, r, code)
		r.errorBody(t)
	}
}

func TestServer_Resolve(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		target  string
		outcome resolver.Outcome
		key     string
	}{
		{"/api/v1/runtimes/node20/resolve?spec=auth0@2.9.1", resolver.OutcomeOK, "auth0@2.9.1"},
		{"/api/v1/resolve?spec=auth0@%5E2.9", resolver.OutcomeOK, ""},
		{"/api/v1/resolve?spec=crypto", resolver.OutcomeOK, "crypto"},
		{"/api/v1/resolve?spec=auth0@9.9.9", resolver.OutcomeVersionNotFound, ""},
		{"/api/v1/resolve?spec=../../etc/passwd", resolver.OutcomeInvalidSpec, ""},
		{"/api/v1/resolve?spec=auth0&runtime=nope", resolver.OutcomeUnknownRuntime, ""},
		{"/api/v1/resolve?spec=assert", resolver.OutcomeNoImplementation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r := f.do("GET", tt.target, nil)
			wantStatus(t, r, http.StatusOK)
			var ex resolver.Explanation
			r.json(t, &ex)
			if ex.Outcome != tt.outcome || len(ex.Steps) == 0 {
				t.Fatalf("explanation %+v", ex)
			}
			if tt.key != "" && (ex.Resolution == nil || ex.Resolution.Key() != tt.key) {
				t.Fatalf("resolution %+v, want %s", ex.Resolution, tt.key)
			}
			if tt.outcome != resolver.OutcomeOK && ex.Error == "" {
				t.Fatalf("failed explanation without error: %+v", ex)
			}
		})
	}
	r := f.do("GET", "/api/v1/resolve", nil)
	wantStatus(t, r, http.StatusBadRequest)
	if e := r.errorBody(t); !strings.Contains(e.Error, "spec") {
		t.Errorf("error %+v", e)
	}
}

func TestServer_UnmatchedAPI(t *testing.T) {
	f := newFixture(t)
	r := f.do("GET", "/api/v1/nothing-here", nil)
	wantStatus(t, r, http.StatusNotFound)
	if e := r.errorBody(t); e.Code != CodeNotFound {
		t.Errorf("error %+v", e)
	}
	r = f.do("POST", "/api/v1/runtimes", nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
	if e := r.errorBody(t); e.Code != CodeMethodNotAllowed || r.Header().Get("Allow") == "" {
		t.Errorf("error %+v, Allow %q", e, r.Header().Get("Allow"))
	}
	r = f.do("GET", "/api/v1/", nil)
	wantStatus(t, r, http.StatusOK)
}
