package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/resolver/audit"
)

// seedUsage records recs into the fixture's catalog file and flushes them.
func seedUsage(t testing.TB, st *catalog.Store, recs ...audit.UsageRecord) {
	t.Helper()
	u, err := audit.NewUsageRecorder(st.DB(), audit.UsageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		u.Record(r)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
}

func usageFixture(t testing.TB) *fixture {
	t.Helper()
	st := openTestStore(t)
	f := newFixtureOn(t, st, st, func(c *Config) { c.Usage = UsageFromDB(st.DB()) })
	seedUsage(t, st,
		audit.UsageRecord{Tenant: "acme", Runtime: testRuntime, Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"},
		audit.UsageRecord{Tenant: "acme", Runtime: testRuntime, Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"},
		audit.UsageRecord{Tenant: "globex", Runtime: testRuntime, Rule: "<sync>", Spec: "auth0@~2.9.0", Resolved: "auth0@2.9.1"},
		audit.UsageRecord{Tenant: "acme", Runtime: testRuntime, Rule: "enrich", Spec: "auth0", Resolved: "auth0@2.30.0"},
		audit.UsageRecord{Tenant: "acme", Runtime: testRuntime, Rule: "old", Spec: "auth0@9.9.9", Error: "Cannot find module 'auth0@9.9.9'"},
		audit.UsageRecord{Tenant: "acme", Runtime: "node12", Rule: "legacy", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"},
		audit.UsageRecord{Tenant: "acme", Runtime: testRuntime, Rule: "links", Spec: "url", Resolved: "url"},
	)
	return f
}

func TestServer_Usage(t *testing.T) {
	f := usageFixture(t)
	type key struct{ tenant, rule, spec string }
	tests := []struct {
		query string
		want  []key
	}{
		{"", []key{{"acme", "legacy", "auth0@2.9.1"}, {"acme", "add-roles", "auth0@2.9.1"}, {"globex", "<sync>", "auth0@~2.9.0"},
			{"acme", "enrich", "auth0"}, {"acme", "old", "auth0@9.9.9"}, {"acme", "links", "url"}}},
		{"?tenant=globex", []key{{"globex", "<sync>", "auth0@~2.9.0"}}},
		{"?rule=add-roles&runtime=" + testRuntime, []key{{"acme", "add-roles", "auth0@2.9.1"}}},
		{"?module=auth0@2.30.0", []key{{"acme", "enrich", "auth0"}}},
		{"?module=auth0&version=2.9.1&runtime=node12", []key{{"acme", "legacy", "auth0@2.9.1"}}},
		{"?module=url", []key{{"acme", "links", "url"}}},
		{"?tenant=initech", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := f.do("GET", "/api/v1/usage"+tt.query, nil)
			wantStatus(t, r, http.StatusOK)
			if r.Header().Get("Access-Control-Allow-Origin") != "*" || r.Header().Get("Cache-Control") != "no-store" || r.Header().Get("ETag") != "" {
				t.Errorf("headers %v", r.Header())
			}
			if tt.want == nil && !strings.Contains(r.body(), `"rows": []`) {
				t.Errorf("no match gives %s, want an empty rows array", r.body())
			}
			var got UsageResponse
			r.json(t, &got)
			var keys []key
			for _, row := range got.Rows {
				keys = append(keys, key{row.Tenant, row.Rule, row.Spec})
			}
			if !slices.Equal(keys, tt.want) {
				t.Errorf("rows %v\nwant %v", keys, tt.want)
			}
		})
	}
	for _, q := range []string{"?version=2.9.1", "?module=auth0@", "?module=a%20b"} {
		r := f.do("GET", "/api/v1/usage"+q, nil)
		wantStatus(t, r, http.StatusBadRequest)
		var e ErrorBody
		r.json(t, &e)
		if e.Code != CodeBadRequest || e.Error == "" {
			t.Errorf("%s: %+v", q, e)
		}
	}
	wantStatus(t, f.do("POST", "/api/v1/usage", nil), http.StatusMethodNotAllowed)
}

// catalogOnly hides the store's DB method: a catalog that keeps no usage.
type catalogOnly struct{ Catalog }

func TestServer_Usage_NoStore(t *testing.T) {
	st := openTestStore(t)
	f := newFixtureOn(t, st, catalogOnly{st})
	r := f.do("GET", "/api/v1/usage", nil)
	wantStatus(t, r, http.StatusNotImplemented)
}

func TestUsageFromDB_ModulePages(t *testing.T) {
	f := usageFixture(t)
	r := f.do("GET", "/modules/auth0", nil)
	wantStatus(t, r, http.StatusOK)
	body := r.body()
	for _, want := range []string{`<span class="rule">&lt;sync&gt;</span>, <span class="rule">add-roles</span>`, `<span class="rule">enrich</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("module page lacks %s", want)
		}
	}
	if strings.Contains(body, "legacy") || strings.Contains(body, ">old<") {
		t.Error("the page shows another runtime's rule or a require that did not resolve")
	}

	var m ModuleView
	f.do("GET", "/api/v1/modules/auth0", nil).json(t, &m)
	want := []VersionUsage{
		{Version: "2.9.1", Rules: []string{"<sync>", "add-roles"}, Specs: []string{"auth0@2.9.1", "auth0@~2.9.0"}, Requires: 3},
		{Version: "2.30.0", Rules: []string{"enrich"}, Specs: []string{"auth0"}, Requires: 1},
	}
	if len(m.Usage) != len(want) {
		t.Fatalf("usage %+v, want %+v", m.Usage, want)
	}
	for i := range want {
		g := m.Usage[i]
		if g.Version != want[i].Version || !slices.Equal(g.Rules, want[i].Rules) || !slices.Equal(g.Specs, want[i].Specs) || g.Requires != want[i].Requires {
			t.Errorf("usage[%d] = %+v, want %+v", i, g, want[i])
		}
	}

	var d VersionDetail
	f.do("GET", "/api/v1/modules/url/versions/native", nil).json(t, &d)
	if d.Usage == nil || !slices.Equal(d.Usage.Rules, []string{"links"}) {
		t.Errorf("core module usage %+v", d.Usage)
	}
	r = f.do("GET", "/modules/url", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body(), `<span class="rule">links</span>`) {
		t.Error("core module page lacks its rule")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := UsageFromDB(f.store.DB())(ctx, testRuntime, "auth0"); err == nil {
		t.Error("a cancelled context was not reported")
	}
}
