package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCLI_RunExamples(t *testing.T) {
	c := newCLI(t)
	out := c.must("run", "examples/rules/01-normalize-email.js", "examples/rules/02-add-claims.js",
		"examples/rules/03-record-login.js", "examples/rules/04-management-client.js", "examples/rules/05-request-mgmt-api.js")
	for _, want := range []string{"outcome: ok", "auth0@2.9.1", "crypto", "login_fingerprint", "1 account(s)",
		"request@2.88.2", "has 42 logins", "GET     local.verq  200"} {
		if !strings.Contains(out, want) {
			t.Errorf("run output lacks %q:\n%s", want, out)
		}
	}
	// The rule's PATCH went to the local tenant: its stored user now has the fingerprint.
	users := c.must("tenant", "export")
	if !strings.Contains(users, "login_fingerprint") {
		t.Errorf("local tenant was not updated by auth0.users.updateAppMetadata:\n%.500s", users)
	}
}

func TestCLI_RunOutcomes(t *testing.T) {
	c := newCLI(t)
	cases := []struct {
		name     string
		args     []string
		code     int
		outcome  string
		errorHas string
	}{
		{"ok", []string{"examples/rules/02-add-claims.js"}, 0, "ok", ""},
		{"unauthorized", []string{"cmd/verq/testdata/rules/deny.js"}, 3, "unauthorized", "[E042] access denied"},
		{"thrown", []string{"cmd/verq/testdata/rules/throws.js"}, 4, "error", "Cannot read property 'name'"},
		{"timeout", []string{"cmd/verq/testdata/rules/never.js", "--timeout", "300ms"}, 4, "timeout", ""},
		{"missing method", []string{"cmd/verq/testdata/rules/roles.js"}, 4, "error", "getUserRoles"},
		{"config", []string{"examples/rules/01-normalize-email.js", "--config", "BLOCKED_DOMAINS=example.com",
			"--user", "cmd/verq/testdata/unverified-user.json"}, 3, "unauthorized", "[E001]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run(append([]string{"run", "--json"}, tc.args...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			var res struct {
				Outcome  string           `json:"outcome"`
				Error    string           `json:"error"`
				User     map[string]any   `json:"user"`
				Context  map[string]any   `json:"context"`
				Logs     []map[string]any `json:"logs"`
				Requires []map[string]any `json:"requires"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("--json output: %v\n%s", err, r.stdout)
			}
			if res.Outcome != tc.outcome || !strings.Contains(res.Error, tc.errorHas) {
				t.Fatalf("outcome %q error %q, want %q containing %q", res.Outcome, res.Error, tc.outcome, tc.errorHas)
			}
			if res.User == nil || res.Context == nil || res.Logs == nil || res.Requires == nil {
				t.Fatalf("--json lacks user/context/logs/requires: %s", r.stdout)
			}
		})
	}
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{{"run"}, {"run", "nope.js"}, {"run", "examples/rules/02-add-claims.js", "--config", "novalue"},
			{"run", "cmd/verq/testdata/rules/syntax-error.js"}} {
			r := c.run(args...)
			if r.code == 0 || r.code > 2 || strings.Contains(r.stderr, "panic") {
				t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
			}
		}
		r := c.run("run", "cmd/verq/testdata/rules/syntax-error.js")
		if !strings.Contains(r.stderr, "syntax-error") || !strings.Contains(r.stderr, "2:31") {
			t.Errorf("compile error does not name the rule and line: %s", r.stderr)
		}
	})
}

func TestCLI_Bench(t *testing.T) {
	c := newCLI(t)
	var rep map[string]any
	c.json(&rep, "bench", "examples/rules/02-add-claims.js", "-n", "300", "--concurrency", "2")
	for _, k := range []string{"p50_us", "p90_us", "p99_us", "per_second"} {
		v, ok := rep[k].(float64)
		if !ok || v <= 0 {
			t.Errorf("bench %s = %v", k, rep[k])
		}
	}
	out := c.must("bench", "examples/rules/02-add-claims.js", "-n", "100")
	if !strings.Contains(out, "PER SECOND") {
		t.Errorf("bench table: %s", out)
	}
}

// TestCLI_RunAgainstServedTenant runs a ManagementClient rule against `verq tenant serve` over
// loopback HTTP instead of the in-process tenant.
func TestCLI_RunAgainstServedTenant(t *testing.T) {
	c := newCLI(t)
	token := strings.TrimSpace(c.must("tenant", "token", "--scopes", "read:users,update:users"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, verqBin, "tenant", "serve", "--addr", "127.0.0.1:0")
	srv.Env = c.env
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); srv.Wait() })
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`(http://127\.0\.0\.1:\d+/api/v2)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urlCh <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var base string
	select {
	case base = <-urlCh:
	case <-time.After(30 * time.Second):
		t.Fatal("tenant serve did not report its address")
	}
	out := c.must("run", "examples/rules/04-management-client.js", "examples/rules/03-record-login.js",
		"--mgmt-url", base, "--mgmt-token", token, "--egress-allow-private")
	if !strings.Contains(out, "outcome: ok") || !strings.Contains(out, "1 account(s)") || !strings.Contains(out, base) {
		t.Fatalf("run against served tenant:\n%s", out)
	}
	r := c.run("run", "examples/rules/04-management-client.js", "--mgmt-url", base, "--mgmt-token", "bogus")
	if r.code != 4 || !strings.Contains(r.stdout, "outcome: error") {
		t.Fatalf("bad token: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestCLI_Audit(t *testing.T) {
	c := newCLI(t)
	out := c.must("audit", "examples/rules")
	if !strings.Contains(out, "auth0@2.9.1") {
		t.Errorf("audit of examples: %s", out)
	}
	r := c.run("audit", "cmd/verq/testdata/rules/roles.js", "cmd/verq/testdata/rules/dynamic.js", "--fail-on", "error")
	if r.code != 1 || !strings.Contains(r.stdout, "getUserRoles is not in auth0 2.9.1; first in 2.17.1") {
		t.Fatalf("audit --fail-on error: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"dynamic", "lodash"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("audit output lacks %q", want)
		}
	}
	var sarif map[string]any
	sr := c.run("audit", "cmd/verq/testdata/rules/roles.js", "--format", "sarif")
	if err := json.Unmarshal([]byte(sr.stdout), &sarif); err != nil || sarif["version"] != "2.1.0" {
		t.Fatalf("sarif: %v %v\n%s", err, sarif["version"], sr.stdout)
	}
	imp := c.must("audit", filepath.Join("examples", "rules"), "--what-if-remove", "auth0@2.9.1")
	if !strings.Contains(imp, "04-management-client") {
		t.Errorf("what-if-remove: %s", imp)
	}
}

func TestCLI_RunRuleSources(t *testing.T) {
	c := newCLI(t)
	cases := []struct {
		name    string
		path    string
		wantLog string
		wantCtx string
	}{
		{"deploy-cli directory", "cmd/verq/testdata/deploy-cli", "hello Jane Smith", "https://example.com/plan"},
		{"management API export", "cmd/verq/testdata/rules-export.json", "", "https://example.com/country"},
		{"directory of .js files", "examples/rules", "login of", "https://example.com/roles"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var res struct {
				Outcome string           `json:"outcome"`
				Context map[string]any   `json:"context"`
				Logs    []map[string]any `json:"logs"`
				Rules   []map[string]any `json:"rules"`
			}
			c.json(&res, "run", tc.path)
			if res.Outcome != "ok" {
				t.Fatalf("outcome %q", res.Outcome)
			}
			idt, _ := res.Context["idToken"].(map[string]any)
			if _, ok := idt[tc.wantCtx]; !ok {
				t.Errorf("idToken lacks %q: %v", tc.wantCtx, idt)
			}
			if tc.wantLog != "" {
				found := false
				for _, l := range res.Logs {
					if strings.Contains(l["message"].(string), tc.wantLog) {
						found = true
					}
				}
				if !found {
					t.Errorf("logs lack %q: %v", tc.wantLog, res.Logs)
				}
			}
		})
	}
}
