package main

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verq/verq/registry/npm/tarball"
)

// registryApp runs CLI commands in-process against one database, with extra environment.
type registryApp struct {
	t   *testing.T
	env map[string]string
}

func newRegistryApp(t *testing.T) *registryApp {
	dir := t.TempDir()
	return &registryApp{t: t, env: map[string]string{"VERQ_DB": filepath.Join(dir, "verq.db"), "VERQ_ACTOR": "tester", "HOME": dir}}
}

func (r *registryApp) run(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &errb, func(k string) string { return r.env[k] })
	code = a.run(context.Background(), args)
	return out.String(), errb.String(), code
}

func (r *registryApp) must(args ...string) string {
	r.t.Helper()
	out, errs, code := r.run(args...)
	if code != 0 {
		r.t.Fatalf("verq %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// writeTarball writes a package tarball into dir and returns its path.
func writeTarball(t *testing.T, dir, file string, files map[string]string) string {
	t.Helper()
	var fs []tarball.File
	for _, p := range []string{"package.json", "index.js"} {
		if c, ok := files[p]; ok {
			fs = append(fs, tarball.File{Path: p, Data: []byte(c)})
		}
	}
	data, err := tarball.Bytes(fs)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, file)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRegistryCommands_LocalTarballs(t *testing.T) {
	r := newRegistryApp(t)
	dir := t.TempDir()
	dep := writeTarball(t, dir, "dep.tgz", map[string]string{"package.json": `{"name":"dep","version":"1.2.0","license":"MIT"}`, "index.js": "module.exports = 1;"})
	app := writeTarball(t, dir, "app.tgz", map[string]string{
		"package.json": `{"name":"app","version":"1.0.0","license":"Apache-2.0","description":"the app","dependencies":{"dep":"^1.0.0"}}`,
		"index.js":     "module.exports = require('dep');",
	})

	out, errs, code := r.run("registry", "add", app)
	if code != 1 || !strings.Contains(errs, "app@1.0.0 needs dependencies that are not stored: dep@^1.0.0") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	r.must("registry", "add", dep)
	out = r.must("registry", "add", app, "--catalog", "default")
	for _, want := range []string{"stored app@1.0.0: 1 new, 0 already stored", "  + app@1.0.0", "dependencies pinned: dep@1.2.0", `listed app@1.0.0 in runtime "default"`} {
		if !strings.Contains(out, want) {
			t.Errorf("add output lacks %q:\n%s", want, out)
		}
	}
	out = r.must("registry", "list")
	if !strings.Contains(out, "app      1.0.0    Apache-2.0  2      ") || !strings.Contains(out, "dep      1.2.0    MIT") {
		t.Errorf("list:\n%s", out)
	}
	out = r.must("registry", "show", "app@1.0.0")
	for _, want := range []string{"app@1.0.0  JS package (Apache-2.0)", "the app", "catalogs:    default", "dep   ^1.0.0  dependency  1.2.0", "files:", "index.js"} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}
	var shown struct {
		Name     string `json:"name"`
		Pinned   map[string]string
		ListedIn []string                `json:"listed_in"`
		FileList []struct{ Path string } `json:"file_list"`
	}
	if err := json.Unmarshal([]byte(r.must("registry", "show", "app@1.0.0", "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Name != "app" || shown.Pinned["dep"] != "1.2.0" || len(shown.ListedIn) != 1 || len(shown.FileList) != 2 {
		t.Errorf("show --json: %+v", shown)
	}

	_, errs, code = r.run("registry", "remove", "app@1.0.0")
	if code != 1 || !strings.Contains(errs, "listed in catalog runtime(s) default") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, errs, code = r.run("registry", "remove", "dep@1.2.0")
	if code != 1 || !strings.Contains(errs, "pinned dependency of app@1.0.0") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out, errs, code = r.run("registry", "remove", "app@1.0.0", "--force")
	if code != 0 || !strings.Contains(out, "removed app@1.0.0") || !strings.Contains(errs, "warning: runtime(s) default still list app@1.0.0") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	r.must("registry", "remove", "dep@1.2.0")
	if out := r.must("registry", "list"); !strings.Contains(out, "no packages stored") {
		t.Errorf("list after removals:\n%s", out)
	}
	if _, errs, code := r.run("registry", "show", "dep"); code != 2 || !strings.Contains(errs, "give an exact version") {
		t.Errorf("show without version: exit %d %s", code, errs)
	}
}

func TestRegistryCommands_AddFromRegistry(t *testing.T) {
	data, err := tarball.Bytes([]tarball.File{{Path: "package.json", Data: []byte(`{"name":"tiny","version":"2.0.0","license":"MIT"}`)}, {Path: "index.js", Data: []byte("module.exports = 2;")}})
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/tiny":
			sum := sha512SRI(data)
			json.NewEncoder(w).Encode(map[string]any{"name": "tiny", "dist-tags": map[string]string{"latest": "2.0.0"},
				"versions": map[string]any{"2.0.0": map[string]any{"name": "tiny", "version": "2.0.0",
					"dist": map[string]string{"tarball": srv.URL + "/tiny.tgz", "integrity": sum}}}})
		case "/tiny.tgz":
			w.Write(data)
		default:
			http.NotFound(w, req)
		}
	}))
	defer srv.Close()

	r := newRegistryApp(t)
	r.env["NPM_CONFIG_REGISTRY"] = srv.URL
	out, errs, code := r.run("registry", "add", "tiny", "--json")
	if code != 0 || !strings.Contains(out, `"package": "tiny@2.0.0"`) || !strings.Contains(errs, "fetched tiny@2.0.0: ") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	// --registry wins over the environment.
	r.env["NPM_CONFIG_REGISTRY"] = "http://127.0.0.1:1"
	_, errs, code = r.run("registry", "add", "nothere@1.0.0", "--registry", srv.URL)
	if code != 1 || !strings.Contains(errs, "nothere not found (404)") || !strings.Contains(errs, srv.URL) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func sha512SRI(data []byte) string {
	sum := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}
