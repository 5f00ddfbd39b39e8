package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCLI_CatalogWalkthrough(t *testing.T) {
	c := newCLI(t)

	var rts []struct {
		Name    string `json:"name"`
		Builtin bool   `json:"builtin"`
	}
	c.json(&rts, "catalog", "runtimes")
	if len(rts) != 1 || rts[0].Name != "default" || !rts[0].Builtin {
		t.Fatalf("fresh database runtimes = %+v, want only the built-in default", rts)
	}

	var auth0 moduleView
	c.json(&auth0, "catalog", "show", "auth0")
	if auth0.Default != "2.44.1" || len(auth0.Versions) < 40 {
		t.Fatalf("built-in auth0: default %q, %d versions", auth0.Default, len(auth0.Versions))
	}
	for _, v := range auth0.Versions {
		if v.Implementation != "Go shim" {
			t.Errorf("auth0@%s implemented by %q, want Go shim", v.Version, v.Implementation)
		}
	}

	steps := []struct {
		args     []string
		wantCode int
		wantOut  string // substring of stdout (code 0) or stderr
	}{
		{[]string{"catalog", "add", "leftpad@1.3.0"}, 0, "leftpad@1.3.0 added"},
		{[]string{"catalog", "add", "leftpad@1.3.0"}, 1, "already listed"},
		{[]string{"catalog", "add", "leftpad"}, 2, "expected NAME@VERSION"},
		{[]string{"catalog", "add", "leftpad@not-a-version"}, 1, "not-a-version"},
		{[]string{"catalog", "add", "leftpad@2.0.0-beta.1"}, 0, "added"},
		{[]string{"catalog", "default", "leftpad", "2.0.0-beta.1"}, 0, "is now the default"},
		{[]string{"resolve", "leftpad"}, 1, "no implementation is installed"},
		{[]string{"catalog", "deprecate", "auth0@2.9.1"}, 2, "--reason is required"},
		{[]string{"catalog", "deprecate", "auth0@2.9.1", "--reason", "use 2.30.0 or later"}, 0, "deprecated"},
		{[]string{"resolve", "auth0@2.9.1"}, 0, "use 2.30.0 or later"},
		{[]string{"catalog", "block", "auth0@2.0.0", "--reason", "CVE-2099-0001"}, 0, "blocked"},
		{[]string{"resolve", "auth0@2.0.0"}, 1, "CVE-2099-0001"},
		{[]string{"resolve", "auth0@~2.0.0"}, 1, "blocked"},
		{[]string{"catalog", "allow", "auth0@2.0.0"}, 0, "allowed"},
		{[]string{"resolve", "auth0@2.0.0"}, 0, "auth0@2.0.0"},
		{[]string{"catalog", "add", "url@0.10.3"}, 0, "added"},
		{[]string{"resolve", "url"}, 0, "core"},
		{[]string{"resolve", "url@0.10.3"}, 1, "no implementation"},
		{[]string{"catalog", "remove", "leftpad@1.3.0"}, 0, "removed"},
		{[]string{"catalog", "remove", "leftpad@9.9.9"}, 1, "9.9.9"},
		{[]string{"catalog", "show", "nope"}, 1, "not"},
		{[]string{"resolve", "/etc/passwd"}, 1, "invalid module specifier"},
		{[]string{"resolve", "auth0@2.9.1/../../x"}, 1, "traversal"},
		{[]string{"catalog", "list", "--runtime", "nosuch"}, 1, "nosuch"},
		{[]string{"catalog", "frobnicate"}, 2, "unknown command"},
		{[]string{"catalog", "list", "--no-such-flag"}, 2, "no-such-flag"},
	}
	for _, s := range steps {
		t.Run(strings.Join(s.args, " "), func(t *testing.T) {
			r := c.run(s.args...)
			if r.code != s.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, s.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, s.wantOut) {
				t.Fatalf("output lacks %q\nstdout: %s\nstderr: %s", s.wantOut, r.stdout, r.stderr)
			}
		})
	}

	var hist []struct {
		Actor, Action, Module, Version string
	}
	c.json(&hist, "catalog", "history", "--limit", "0")
	actions := map[string]bool{}
	for _, h := range hist {
		if h.Actor == "builtin" {
			continue
		}
		if h.Actor != "e2e" {
			t.Errorf("history entry %+v has actor %q, want e2e", h, h.Actor)
		}
		actions[h.Action] = true
	}
	for _, a := range []string{"add", "default", "deprecate", "block", "allow", "remove"} {
		if !actions[a] {
			t.Errorf("history lacks a %q entry: %+v", a, hist)
		}
	}
}

func TestCLI_ImportEveryReferenceList(t *testing.T) {
	c := newCLI(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "catalog", "testdata", "canirequire", "*.json"))
	if err != nil || len(files) < 10 {
		t.Fatalf("reference lists: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			rt := "ref-" + strings.ToLower(strings.ReplaceAll(name, ".", "-"))
			if len(rt) > 60 {
				rt = rt[:60]
			}
			if strings.Contains(name, "provenance") {
				r := c.run("catalog", "import", abs, "--runtime", rt)
				if r.code != 1 || !strings.Contains(r.stderr, "not a catalog list") {
					t.Fatalf("provenance file: exit %d, stderr %s", r.code, r.stderr)
				}
				return
			}
			dry := c.must("catalog", "import", abs, "--runtime", rt, "--dry-run")
			if !strings.Contains(dry, "would change") {
				t.Fatalf("dry run output: %s", dry)
			}
			if r := c.run("catalog", "list", "--runtime", rt); r.code == 0 {
				t.Fatalf("dry run created runtime %s", rt)
			}
			c.must("catalog", "import", abs, "--runtime", rt)
			again := c.must("catalog", "import", abs, "--runtime", rt)
			if !strings.Contains(again, "nothing to change") {
				t.Fatalf("second import not idempotent: %s", again)
			}
			// Export, re-import into a new runtime, export again: the same list.
			exp1 := c.must("catalog", "export", "--runtime", rt)
			tmp := filepath.Join(t.TempDir(), "export.json")
			if err := os.WriteFile(tmp, []byte(exp1), 0o600); err != nil {
				t.Fatal(err)
			}
			c.must("catalog", "import", tmp, "--runtime", rt+"-rt")
			exp2 := c.must("catalog", "export", "--runtime", rt+"-rt")
			if exp1 != exp2 {
				t.Fatalf("export round trip differs:\n%s\n---\n%s", exp1, exp2)
			}
		})
	}
}

func TestCLI_ImportBadFiles(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	cases := map[string]string{
		"not-json.json":    "{nope",
		"bad-name.json":    `{"node_version":"v18.0.0","modules":[{"name":"../evil","version":"1.0.0"}]}`,
		"bad-version.json": `{"node_version":"v18.0.0","modules":[{"name":"ok","version":"1.0.0"},{"name":"x","version":"banana"}]}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			r := c.run("catalog", "import", p)
			if r.code == 0 {
				t.Fatalf("import of %s succeeded", name)
			}
			if !strings.Contains(r.stderr, name) {
				t.Errorf("error does not name the file: %s", r.stderr)
			}
			// All or nothing: the runtime the file names was not created.
			if out := c.must("catalog", "runtimes"); strings.Contains(out, "node18") {
				t.Fatalf("failed import left a runtime behind:\n%s", out)
			}
		})
	}
}

func TestCLI_LockTimeout(t *testing.T) {
	c := newCLI(t)
	c.must("catalog", "runtimes") // create the database
	db := filepath.Join(c.dir, "verq.db")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	holder := exec.Command(self, "-test.run=^$")
	holder.Env = append(os.Environ(), "VERQ_TEST_HOLD_DB="+db)
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "holding" {
				close(ready)
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("lock holder did not start")
	}
	start := time.Now()
	r := c.run("catalog", "add", "leftpad@1.0.0", "--lock-timeout", "300ms")
	if r.code != 1 {
		t.Fatalf("write while locked: exit %d, stderr %s", r.code, r.stderr)
	}
	for _, want := range []string{db, "locked", "pid"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("lock error lacks %q: %s", want, r.stderr)
		}
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("lock timeout not honoured: took %s", time.Since(start))
	}
}

func TestCLI_RefusesForeignDatabase(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "verq.db")
	junk := bytes.Repeat([]byte("not a database "), 500)
	if err := os.WriteFile(db, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"catalog", "runtimes"}, {"catalog", "add", "x@1.0.0"}} {
		r := c.run(args...)
		if r.code != 1 || !strings.Contains(r.stderr, "not a verq database") || !strings.Contains(r.stderr, db) {
			t.Fatalf("%v on a foreign file: exit %d, stderr %s", args, r.code, r.stderr)
		}
	}
	after, err := os.ReadFile(db)
	if err != nil || !bytes.Equal(after, junk) {
		t.Fatal("the foreign file was modified")
	}
}

func TestCLI_JSONOnEveryReadCommand(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"catalog", "runtimes"}, {"catalog", "list"}, {"catalog", "list", "auth0"}, {"catalog", "show", "crypto"},
		{"catalog", "history"}, {"resolve", "auth0@^2.9"}, {"tenant", "users"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := c.must(append(args, "--json")...)
			if !json.Valid([]byte(out)) {
				t.Fatalf("not JSON: %s", out)
			}
		})
	}
}
