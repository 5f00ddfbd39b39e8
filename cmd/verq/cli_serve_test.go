package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server is a running `verq serve` process.
type server struct {
	t     *testing.T
	cmd   *exec.Cmd
	base  string
	token string // the token printed at this start, if any
	lines []string
	done  chan error
}

// startServe starts `verq serve` on a free loopback port and waits until it says where it listens.
func (c *cli) startServe(env []string, args ...string) *server {
	c.t.Helper()
	cmd := exec.Command(verqBin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append([]string{}, c.env...), env...)
	cmd.Dir = repoRoot(c.t)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	s := &server{t: c.t, cmd: cmd, done: make(chan error, 1)}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		s.done <- cmd.Wait()
	}()
	c.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	timeout := time.After(30 * time.Second)
	for s.base == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				c.t.Fatalf("verq serve exited before listening: %v", s.lines)
			}
			s.lines = append(s.lines, line)
			if strings.HasPrefix(line, "  verq_") {
				s.token = strings.TrimSpace(line)
			}
			if rest, ok := strings.CutPrefix(line, "verq serving "); ok {
				s.base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
		case <-timeout:
			c.t.Fatalf("verq serve did not start: %v", s.lines)
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("verq serve after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		s.t.Fatal("verq serve did not stop on SIGTERM")
	}
}

// do sends a request and decodes a JSON answer into v (when v is not nil); it returns the status.
func (s *server) do(method, path, token, body string, v any) int {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Verq-Actor", "cli-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			s.t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

func TestCLI_Serve(t *testing.T) {
	c := newCLI(t)
	s := c.startServe(nil)
	if s.token == "" {
		t.Fatalf("no admin token printed at first start: %v", s.lines)
	}
	old := s.token

	// Curate: import a list, deprecate a version.
	list, err := os.ReadFile(filepath.Join(repoRoot(t), "cmd", "verq", "internal", "web", "testdata", "node20.json"))
	if err != nil {
		t.Fatal(err)
	}
	if code := s.do("POST", "/api/v1/runtimes/node20/import", "", string(list), nil); code != http.StatusUnauthorized {
		t.Fatalf("import without a token: %d", code)
	}
	var imp struct {
		Diff struct {
			AddedModules []string `json:"added_modules"`
		} `json:"diff"`
	}
	if code := s.do("POST", "/api/v1/runtimes/node20/import", s.token, string(list), &imp); code != 200 || len(imp.Diff.AddedModules) != 180 {
		t.Fatalf("import: %d, %d modules", code, len(imp.Diff.AddedModules))
	}
	if code := s.do("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.9.1/status", s.token, `{"status":"deprecated","reason":"use 2.27"}`, nil); code != 200 {
		t.Fatalf("deprecate: %d", code)
	}

	// Read it back in the canirequire format.
	var list2 struct {
		NodeVersion string `json:"node_version"`
		Modules     []struct{ Name, Version string }
	}
	if code := s.do("GET", "/canirequire?runtime=node20", "", "", &list2); code != 200 || list2.NodeVersion != "v20.20.2" || len(list2.Modules) != 308 {
		t.Fatalf("canirequire: %d %s %d entries", code, list2.NodeVersion, len(list2.Modules))
	}

	rawResp, err := http.Get(s.base + "/canirequire?runtime=node20")
	if err != nil {
		t.Fatal(err)
	}
	rawList, _ := io.ReadAll(rawResp.Body)
	rawResp.Body.Close()
	listFile := filepath.Join(t.TempDir(), "canirequire.json")
	if err := os.WriteFile(listFile, rawList, 0o600); err != nil {
		t.Fatal(err)
	}

	// Execute a ruleset in the sandbox; a require is reported, and shows in the metrics.
	var res struct {
		Outcome  string         `json:"outcome"`
		Context  map[string]any `json:"context"`
		Requires []struct {
			Resolved, Status string
		} `json:"requires"`
	}
	rules := `{"runtime": "node20", "rules": [{"name": "tag", "script": "function (user, context, callback) { var c = require('crypto'); context.tag = c.createHash('sha256').update('x').digest('hex').slice(0, 6); callback(null, user, context); }"}]}`
	if code := s.do("POST", "/api/v1/execute", s.token, rules, &res); code != 200 || res.Outcome != "ok" || res.Context["tag"] != "2d7116" || len(res.Requires) != 1 || res.Requires[0].Resolved != "crypto" {
		t.Fatalf("execute: %d %+v", code, res)
	}
	var bad struct {
		Code    string `json:"code"`
		Details []struct {
			Rule string `json:"rule"`
			Line int    `json:"line"`
		} `json:"details"`
	}
	if code := s.do("POST", "/api/v1/execute", s.token, `{"rules": [{"name": "broken", "script": "function (user, context, callback) {"}]}`, &bad); code != 422 || len(bad.Details) != 1 || bad.Details[0].Rule != "broken" {
		t.Fatalf("compile error: %d %+v", code, bad)
	}
	req, _ := http.NewRequest("GET", s.base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`verq_resolutions_total{runtime="node20",outcome="ok",module="crypto"} 1`, `verq_executions_total{outcome="ok"} 1`, `verq_executions_total{outcome="rejected"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	s.stop()

	// The served list round-trips through `verq catalog import`: same entries, same defaults.
	c.must("catalog", "import", listFile, "--runtime", "node20-copy")
	if a, b := c.must("catalog", "export", "--runtime", "node20"), c.must("catalog", "export", "--runtime", "node20-copy"); a != b {
		t.Fatalf("canirequire round trip differs:\n%s\n---\n%s", a, b)
	}

	// The database is free again, and the history names the admin.
	var hist []struct{ Actor, Action string }
	c.json(&hist, "catalog", "history", "--runtime", "node20", "--limit", "1")
	if len(hist) != 1 || hist[0].Actor != "admin:cli-test" || hist[0].Action != "deprecate" {
		t.Fatalf("history %+v", hist)
	}

	// A second start keeps the stored token and prints none.
	s = c.startServe(nil, "--no-execute")
	if s.token != "" {
		t.Fatalf("token printed again: %v", s.lines)
	}
	if code := s.do("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("write without a token: %d", code)
	}
	if code := s.do("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", old, "", nil); code != http.StatusCreated {
		t.Fatalf("write with the stored token: %d", code)
	}
	if code := s.do("POST", "/api/v1/execute", old, `{"tenant_rules": true}`, nil); code != http.StatusNotImplemented {
		t.Fatalf("execute with --no-execute: %d", code)
	}
	s.stop()

	// VERQ_ADMIN_TOKEN wins over the stored token.
	s = c.startServe([]string{"VERQ_ADMIN_TOKEN=from-env"}, "--no-execute")
	if code := s.do("DELETE", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", old, "", nil); code != http.StatusUnauthorized {
		t.Fatalf("stored token accepted although VERQ_ADMIN_TOKEN is set: %d", code)
	}
	if code := s.do("DELETE", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", "from-env", "", nil); code != http.StatusOK {
		t.Fatalf("env token: %d", code)
	}
	s.stop()

	// Rotation prints a new token and forgets the old one.
	s = c.startServe(nil, "--no-execute", "--rotate-admin-token")
	if s.token == "" || s.token == old {
		t.Fatalf("rotation printed %q", s.token)
	}
	if code := s.do("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", old, "", nil); code != http.StatusUnauthorized {
		t.Fatalf("old token after rotation: %d", code)
	}
	rotated := s.token
	if code := s.do("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", rotated, "", nil); code != http.StatusCreated {
		t.Fatalf("new token after rotation: %d", code)
	}
	s.stop()

	// Read-only: other read-only commands share the file; writes answer 503.
	s = c.startServe(nil, "--read-only", "--no-execute")
	c.must("catalog", "list", "--runtime", "node20")
	if code := s.do("DELETE", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", rotated, "", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("write on a read-only server: %d", code)
	}
	s.stop()

	if r := c.run("serve", "--tls-cert", "x.pem"); r.code != exitUsage {
		t.Fatalf("--tls-cert alone: exit %d", r.code)
	}
}
