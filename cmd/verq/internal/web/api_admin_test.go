package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
)

func TestServer_AdminUnauthorized(t *testing.T) {
	f := newFixture(t)
	writes := []struct {
		method, target string
		body           any
	}{
		{"PUT", "/api/v1/runtimes/node99", map[string]string{"node_version": "v99.0.0"}},
		{"PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", nil},
		{"DELETE", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1", nil},
		{"PUT", "/api/v1/runtimes/node20/modules/auth0/default", DefaultRequest{Version: "2.9.1"}},
		{"PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1/status", StatusRequest{Status: catalog.StatusBlocked, Reason: "x"}},
		{"PATCH", "/api/v1/runtimes/node20/modules/auth0", ModuleInfoRequest{Notes: new("n")}},
		{"POST", "/api/v1/runtimes/node20/import", `{"left-pad": ["1.3.0"]}`},
		{"POST", "/api/v1/execute", ExecuteRequest{TenantRules: true}},
	}
	gen := f.store.Generation()
	for _, w := range writes {
		for _, auth := range []struct{ name, header string }{
			{"no header", ""},
			{"wrong token", "Bearer not-the-token"},
			{"token prefix", "Bearer " + testToken[:len(testToken)-1]},
			{"basic scheme", "Basic " + testToken},
			{"empty bearer", "Bearer "},
		} {
			t.Run(w.method+" "+w.target+" "+auth.name, func(t *testing.T) {
				var h []string
				if auth.header != "" {
					h = []string{"Authorization", auth.header}
				}
				r := f.do(w.method, w.target, w.body, h...)
				wantStatus(t, r, http.StatusUnauthorized)
				if e := r.errorBody(t); e.Code != CodeUnauthorized {
					t.Errorf("code %q", e.Code)
				}
				if !strings.HasPrefix(r.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", r.Header().Get("WWW-Authenticate"))
				}
			})
		}
	}
	if f.store.Generation() != gen {
		t.Fatalf("catalog changed without a token: generation %d -> %d", gen, f.store.Generation())
	}

	t.Run("server without a token", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.Token = Token{} })
		r := f.do("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", nil, "Authorization", "Bearer ")
		wantStatus(t, r, http.StatusUnauthorized)
		if e := r.errorBody(t); !strings.Contains(e.Error, "VERQ_ADMIN_TOKEN") {
			t.Errorf("error %q", e.Error)
		}
	})
}

func TestServer_AdminWrites(t *testing.T) {
	f := newFixture(t)
	actor := []string{ActorHeader, "alice"}
	var wr WriteResponse

	// Add a version: 201, then 200 without a change.
	r := f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", nil, actor...)
	wantStatus(t, r, http.StatusCreated)
	r.json(t, &wr)
	if !wr.Changed || wr.Module == nil || wr.Module.Versions[len(wr.Module.Versions)-1].Version != "2.99.0" {
		t.Fatalf("add: %+v", wr)
	}
	gen := f.store.Generation()
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/v2.99.0", nil, actor...)
	wantStatus(t, r, http.StatusOK)
	wr = WriteResponse{}
	r.json(t, &wr)
	if wr.Changed || f.store.Generation() != gen {
		t.Fatalf("re-adding changed something: %+v", wr)
	}

	// Scoped module, new module.
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/@acme/rules-kit/versions/1.0.0", nil)
	wantStatus(t, r, http.StatusCreated)

	// Status: deprecate needs a reason; then with one.
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0/status", StatusRequest{Status: catalog.StatusDeprecated}, actor...)
	wantStatus(t, r, http.StatusBadRequest)
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0/status", StatusRequest{Status: "gone", Reason: "x"}, actor...)
	wantStatus(t, r, http.StatusBadRequest)
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0/status", StatusRequest{Status: catalog.StatusDeprecated, Reason: "use 2.44.1"}, actor...)
	wantStatus(t, r, http.StatusOK)
	m, err := f.store.Module(testRuntime, "auth0")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Lookup("2.99.0"); v.Status != catalog.StatusDeprecated || v.Reason != "use 2.44.1" {
		t.Fatalf("status %+v", v)
	}

	// Default, then blocking the default is refused by the catalog.
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/default", DefaultRequest{Version: "2.27.0"}, actor...)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &wr)
	if wr.Module.Default != "2.27.0" {
		t.Fatalf("default %+v", wr.Module)
	}
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.27.0/status", StatusRequest{Status: catalog.StatusBlocked, Reason: "x"}, actor...)
	wantStatus(t, r, http.StatusBadRequest)
	if e := r.errorBody(t); e.Code != CodeInvalid || !strings.Contains(e.Error, "default") {
		t.Errorf("error %+v", e)
	}
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1/status", StatusRequest{Status: catalog.StatusBlocked, Reason: "<b>leaks</b>"}, actor...)
	wantStatus(t, r, http.StatusOK)
	r = f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1/status", StatusRequest{Status: catalog.StatusAllowed}, actor...)
	wantStatus(t, r, http.StatusOK)

	// Module info.
	r = f.admin("PATCH", "/api/v1/runtimes/node20/modules/auth0", ModuleInfoRequest{Homepage: new("https://github.com/auth0/node-auth0"), Notes: new("Management API client")}, actor...)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &wr)
	if wr.Module.Homepage != "https://github.com/auth0/node-auth0" || wr.Module.Notes != "Management API client" {
		t.Fatalf("info %+v", wr.Module)
	}
	r = f.admin("PATCH", "/api/v1/runtimes/node20/modules/auth0", ModuleInfoRequest{Homepage: new("javascript:alert(1)")}, actor...)
	wantStatus(t, r, http.StatusBadRequest)

	// Remove: a version, then the last version of a module.
	r = f.admin("DELETE", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", nil, actor...)
	wantStatus(t, r, http.StatusOK)
	r = f.admin("DELETE", "/api/v1/runtimes/node20/modules/@acme/rules-kit/versions/1.0.0", nil, actor...)
	wantStatus(t, r, http.StatusOK)
	wr = WriteResponse{}
	r.json(t, &wr)
	if !wr.ModuleRemoved || wr.Module != nil {
		t.Fatalf("remove last: %+v", wr)
	}
	r = f.admin("DELETE", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", nil, actor...)
	wantStatus(t, r, http.StatusNotFound)

	// Create a runtime: 201, then 200.
	r = f.admin("PUT", "/api/v1/runtimes/node22", CreateRuntimeRequest{NodeVersion: "v22.1.0"}, actor...)
	wantStatus(t, r, http.StatusCreated)
	if r.Header().Get("Location") != "/api/v1/runtimes/node22" {
		t.Errorf("Location %q", r.Header().Get("Location"))
	}
	r = f.admin("PUT", "/api/v1/runtimes/node22", nil, actor...)
	wantStatus(t, r, http.StatusOK)

	// Every write is in the history with the actor.
	hist, err := f.store.History(testRuntime, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range hist[:9] {
		if c.Actor != "admin:alice" && c.Actor != "admin" {
			t.Errorf("change %+v: actor %q", c, c.Actor)
		}
	}
	if hist[0].Action != "remove" || hist[0].Module != "@acme/rules-kit" || hist[0].Actor != "admin:alice" {
		t.Errorf("newest change %+v", hist[0])
	}
	hist, _ = f.store.History("node22", 1)
	if len(hist) != 1 || hist[0].Action != "create-runtime" || hist[0].Actor != "admin:alice" {
		t.Errorf("node22 history %+v", hist)
	}
}

func TestServer_AdminErrors(t *testing.T) {
	f := newFixture(t)
	big := `{"version": "` + strings.Repeat("1", DefaultMaxBodyBytes) + `"}`
	tests := []struct {
		name, method, target string
		body                 any
		header               []string
		status               int
		code                 string
	}{
		{"unknown module", "PUT", "/api/v1/runtimes/node20/modules/nope/default", DefaultRequest{Version: "1.0.0"}, nil, 404, CodeNotFound},
		{"unknown runtime", "PUT", "/api/v1/runtimes/nope/modules/auth0/versions/1.0.0", nil, nil, 404, CodeNotFound},
		{"bad version", "PUT", "/api/v1/runtimes/node20/modules/auth0/versions/^2", nil, nil, 400, CodeInvalid},
		{"bad name", "PUT", "/api/v1/runtimes/node20/modules/Bad%20Name/versions/1.0.0", nil, nil, 400, CodeInvalid},
		{"bad runtime", "PUT", "/api/v1/runtimes/Bad!", nil, nil, 400, CodeInvalid},
		{"missing default body", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", nil, nil, 400, CodeBadRequest},
		{"empty default version", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", DefaultRequest{}, nil, 400, CodeBadRequest},
		{"malformed JSON", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", `{"version":`, nil, 400, CodeBadRequest},
		{"unknown field", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", `{"version":"2.9.1","force":true}`, nil, 400, CodeBadRequest},
		{"two values", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", `{"version":"2.9.1"} {}`, nil, 400, CodeBadRequest},
		{"form", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", `version=2.9.1`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, CodeBadRequest},
		{"multipart", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", "--x\r\n", []string{"Content-Type", "multipart/form-data; boundary=x"}, 415, CodeUnsupportedMedia},
		{"too large", "PUT", "/api/v1/runtimes/node20/modules/auth0/default", big, nil, 413, CodeTooLarge},
		{"unknown resource", "PUT", "/api/v1/runtimes/node20/modules/auth0/owners", nil, nil, 404, CodeNotFound},
		{"delete module", "DELETE", "/api/v1/runtimes/node20/modules/auth0", nil, nil, 404, CodeNotFound},
		{"patch version", "PATCH", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1", `{}`, nil, 404, CodeNotFound},
		{"body on add", "PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", `{"status":"blocked"}`, nil, 400, CodeBadRequest},
	}
	gen := f.store.Generation()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.admin(tt.method, tt.target, tt.body, tt.header...)
			wantStatus(t, r, tt.status)
			if e := r.errorBody(t); e.Code != tt.code {
				t.Errorf("code %q, want %q (%s)", e.Code, tt.code, e.Error)
			}
		})
	}
	if f.store.Generation() != gen {
		t.Errorf("failed writes changed the catalog")
	}
}

func TestServer_Import(t *testing.T) {
	f := newFixture(t)
	list := `{"node_version": "v22.3.0", "modules": [{"name": "fs", "version": "native"}, {"name": "left-pad", "version": "1.3.0"}, {"name": "left-pad", "version": "1.1.0"}]}`

	r := f.admin("POST", "/api/v1/runtimes/node22/import?dry_run=true", list)
	wantStatus(t, r, http.StatusOK)
	var ir ImportResponse
	r.json(t, &ir)
	if !ir.DryRun || !ir.Diff.CreatedRuntime || len(ir.Diff.AddedVersions) != 3 {
		t.Fatalf("dry run %+v", ir.Diff)
	}
	if _, err := f.store.Runtime("node22"); err == nil {
		t.Fatal("dry run created the runtime")
	}

	r = f.admin("POST", "/api/v1/runtimes/node22/import", list, ActorHeader, "ci-bot")
	wantStatus(t, r, http.StatusOK)
	r.json(t, &ir)
	if ir.DryRun || ir.Runtime != "node22" || len(ir.Diff.AddedModules) != 2 {
		t.Fatalf("import %+v", ir.Diff)
	}
	info, err := f.store.Runtime("node22")
	if err != nil || info.NodeVersion != "v22.3.0" {
		t.Fatalf("runtime %+v %v", info, err)
	}
	m, _ := f.store.Module("node22", "left-pad")
	if m.Default != "1.3.0" {
		t.Errorf("default %q", m.Default)
	}
	hist, _ := f.store.History("node22", 1)
	if hist[0].Actor != "admin:ci-bot" || hist[0].Action != "import" {
		t.Errorf("history %+v", hist[0])
	}

	// verquire format with replace.
	r = f.admin("POST", "/api/v1/runtimes/node22/import?replace=true&format=verquire", `{"left-pad": ["1.1.0"]}`)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &ir)
	if len(ir.Diff.RemovedVersions) != 2 {
		t.Fatalf("replace %+v", ir.Diff)
	}

	// The real reference list, larger than the JSON body limit would allow for other writes.
	data, err := os.ReadFile(filepath.Join("testdata", "node20.json"))
	if err != nil {
		t.Fatal(err)
	}
	r = f.admin("POST", "/api/v1/runtimes/copy/import", data)
	wantStatus(t, r, http.StatusOK)

	for _, tt := range []struct {
		name, target, body string
		status             int
	}{
		{"empty", "/api/v1/runtimes/x/import", "", 400},
		{"not a list", "/api/v1/runtimes/x/import", `{"modules": 3}`, 400},
		{"bad version", "/api/v1/runtimes/x/import", `{"a": ["not-a-version"]}`, 400},
		{"bad flag", "/api/v1/runtimes/x/import?dry_run=maybe", `{}`, 400},
		{"bad format", "/api/v1/runtimes/x/import?format=yaml", `{}`, 400},
		{"too large", "/api/v1/runtimes/x/import", `{"a": ["` + strings.Repeat("1", DefaultMaxImportBytes) + `"]}`, 413},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.admin("POST", tt.target, tt.body)
			wantStatus(t, r, tt.status)
			r.errorBody(t)
		})
	}
}

func TestServer_ReadOnlyCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	st, err := catalog.Open(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	f := newFixtureOn(t, ro, ro, func(c *Config) { c.DefaultRuntime = catalog.DefaultRuntime })
	r := f.admin("PUT", "/api/v1/runtimes/default/modules/auth0/versions/2.99.0", nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if e := r.errorBody(t); e.Code != CodeReadOnly {
		t.Errorf("code %q", e.Code)
	}
	r = f.do("GET", "/api/v1/modules/auth0", nil)
	wantStatus(t, r, http.StatusOK)
}
