package main

import (
	"encoding/csv"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/resolver/audit"
)

// seedUsage records recs into the catalog database at path (created if missing) the way a server
// does, and flushes them. End-to-end tests use it to give `verq audit --usage` and `verq serve`
// something to show without running rules.
func seedUsage(t *testing.T, path string, recs ...audit.UsageRecord) {
	t.Helper()
	st, err := catalog.Open(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
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

func TestCLI_AuditUsage(t *testing.T) {
	c := newCLI(t)
	if out := c.must("audit", "--usage"); !strings.Contains(out, "no usage recorded") {
		t.Errorf("audit --usage on a fresh database:\n%s", out)
	}
	ok := audit.UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"}
	other := audit.UsageRecord{Tenant: "globex", Runtime: "node18", Rule: "enrich", Spec: "auth0", Resolved: "auth0@2.30.0"}
	failed := audit.UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "old", Spec: "auth0@9.9.9",
		Error: `Cannot find module 'auth0@9.9.9': version 9.9.9 is not in catalog "node18"`}
	core := audit.UsageRecord{Tenant: "acme", Runtime: "node12", Rule: "add-roles", Spec: "url", Resolved: "url"}
	seedUsage(t, filepath.Join(c.dir, "verq.db"), ok, ok, ok, other, failed, core)

	table := c.must("audit", "--usage")
	for _, want := range []string{"MODULE", "add-roles", "auth0@2.30.0", "version 9.9.9 is not in catalog", "3 rules, 2 tenants, 6 require calls, 1 failure"} {
		if !strings.Contains(table, want) {
			t.Errorf("audit --usage lacks %q:\n%s", want, table)
		}
	}

	var rows []audit.UsageRow
	c.json(&rows, "audit", "--usage", "--module", "auth0@2.9.1")
	if len(rows) != 1 || rows[0].Rule != "add-roles" || rows[0].Count != 3 || rows[0].FirstSeen.IsZero() {
		t.Errorf("--module auth0@2.9.1: %+v", rows)
	}
	c.json(&rows, "audit", "--usage", "--tenant", "acme", "--rule", "add-roles")
	if len(rows) != 2 || rows[0].Module != "auth0" || rows[1].Module != "url" {
		t.Errorf("--tenant acme --rule add-roles: %+v", rows)
	}
	c.json(&rows, "audit", "--usage", "--runtime", "node12")
	if len(rows) != 1 || rows[0].Resolved != "url" {
		t.Errorf("--runtime node12: %+v", rows)
	}

	recs, err := csv.NewReader(strings.NewReader(c.must("audit", "--usage", "--format", "csv", "--module", "auth0"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "tenant" || recs[3][3] != "auth0@9.9.9" {
		t.Errorf("csv: %q", recs)
	}

	for _, args := range [][]string{
		{"audit", "--usage", "examples/rules"},
		{"audit", "--usage", "--format", "sarif"},
		{"audit", "--usage", "--module", "auth0@"},
		{"audit", "--tenant", "acme", "examples/rules"},
	} {
		if r := c.run(args...); r.code != 2 || r.stderr == "" {
			t.Errorf("verq %s: exit %d, stderr %q; want a usage error", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// TestCLI_RecordUsage runs rules with `verq run --record-usage` and through `verq serve`, then finds
// their requires in `verq audit --usage`, GET /api/v1/usage and the module API.
func TestCLI_RecordUsage(t *testing.T) {
	c := newCLI(t)
	c.must("run", "examples/rules/04-management-client.js", "--record-usage")
	var rows []audit.UsageRow
	c.json(&rows, "audit", "--usage", "--tenant", "cli")
	if len(rows) != 1 || rows[0].Rule != "04-management-client" || rows[0].Resolved != "auth0@2.9.1" || rows[0].Count != 1 {
		t.Fatalf("after verq run --record-usage: %+v", rows)
	}

	env := []string{"VERQ_ADMIN_TOKEN=tok"}
	s := c.startServe(env)
	body := `{"rules":[{"name":"srv-rule","script":"function (u, c, cb) { require('auth0@2.9.1'); try { require('auth0@9.9.9'); } catch (e) {} cb(null, u, c); }"}]}`
	for range 2 {
		if code := s.do("POST", "/api/v1/execute", "tok", body, nil); code != http.StatusOK {
			t.Fatalf("execute: %d", code)
		}
	}
	s.stop() // the last flush
	c.json(&rows, "audit", "--usage", "--tenant", "http")
	if len(rows) != 2 || rows[0].Resolved != "auth0@2.9.1" || rows[0].Count != 2 || rows[1].Spec != "auth0@9.9.9" || rows[1].Errors != 2 {
		t.Fatalf("after verq serve: %+v", rows)
	}

	s = c.startServe(env, "--read-only")
	var resp struct{ Rows []audit.UsageRow }
	if code := s.do("GET", "/api/v1/usage?module=auth0@2.9.1", "", "", &resp); code != http.StatusOK || len(resp.Rows) != 2 {
		t.Errorf("GET /api/v1/usage: %d %+v", code, resp.Rows)
	}
	var mod struct {
		Usage []struct {
			Version string
			Rules   []string
		}
	}
	s.do("GET", "/api/v1/modules/auth0", "", "", &mod)
	if len(mod.Usage) != 1 || mod.Usage[0].Version != "2.9.1" || !slices.Equal(mod.Usage[0].Rules, []string{"04-management-client", "srv-rule"}) {
		t.Errorf("module usage: %+v", mod.Usage)
	}
	s.stop()
}
