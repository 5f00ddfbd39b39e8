package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCLI_AuditInputs audits every input kind: files, directories, an auth0-deploy-cli directory, a
// Management API export, a live tenant over HTTP and the local tenant's stored rules.
func TestCLI_AuditInputs(t *testing.T) {
	c := newCLI(t)
	type report struct {
		Rules []struct {
			Name   string `json:"name"`
			Source string `json:"source"`
		} `json:"rules"`
	}
	for _, tc := range []struct {
		name  string
		args  []string
		rules []string
	}{
		{"file", []string{"examples/rules/04-management-client.js"}, []string{"04-management-client"}},
		{"directory", []string{"examples/rules"}, []string{"01-normalize-email", "05-request-mgmt-api"}},
		{"deploy-cli", []string{"cmd/verq/testdata/deploy-cli"}, []string{"greet", "add-plan", "disabled"}},
		{"export", []string{"cmd/verq/testdata/rules-export.json"}, []string{"tag-country", "deny-blocked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rep report
			c.json(&rep, append([]string{"audit"}, tc.args...)...)
			names := map[string]string{}
			for _, r := range rep.Rules {
				names[r.Name] = r.Source
			}
			for _, want := range tc.rules {
				if src, ok := names[want]; !ok || src == "" {
					t.Errorf("rule %q missing or without source in %+v", want, rep.Rules)
				}
			}
		})
	}

	// A live tenant: store a rule through the served Management API, audit it over HTTP, then stop
	// the server and audit the same rule from the local tenant's database.
	token := strings.TrimSpace(c.must("tenant", "token", "--scopes", "read:rules,create:rules"))
	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, verqBin, "tenant", "serve", "--addr", "127.0.0.1:0")
	srv.Env = c.env
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); srv.Wait() }()
	base := ""
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/api/v2`)
	deadline := time.After(30 * time.Second)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case base = <-found:
	case <-deadline:
		t.Fatal("tenant serve did not start")
	}
	body, _ := json.Marshal(map[string]any{"name": "stored-roles", "enabled": true,
		"script": "function (user, context, callback) {\n  var ManagementClient = require('auth0@2.9.1').ManagementClient;\n  var m = new ManagementClient({token: auth0.accessToken, domain: auth0.domain});\n  m.getUserRoles({id: user.user_id}, function () { callback(null, user, context); });\n}"})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v2/rules", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v2/rules: %s", resp.Status)
	}
	live := c.run("audit", "--tenant-url", base, "--token", token, "--fail-on", "error")
	if live.code != 1 || !strings.Contains(live.stdout, "getUserRoles is not in auth0 2.9.1") {
		t.Fatalf("live tenant audit: exit %d\n%s%s", live.code, live.stdout, live.stderr)
	}
	cancel()
	srv.Wait()
	local := c.run("audit", "--tenant-rules")
	if local.code != 0 || !strings.Contains(local.stdout, "stored-roles") {
		t.Fatalf("local tenant audit: exit %d\n%s%s", local.code, local.stdout, local.stderr)
	}
}
