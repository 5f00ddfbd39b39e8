package npm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/crypto"
	"github.com/verq/verq/registry/node/events"
	"github.com/verq/verq/registry/node/util"
	"github.com/verq/verq/registry/npm"
	"github.com/verq/verq/registry/npm/tarball"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/sandbox"
)

// env is a catalog, a package store and a resolver wired as the verq binary wires them.
type env struct {
	cat   *catalog.Store
	store *npm.Store
	res   *resolver.Resolver
}

func newEnv(t testing.TB, registryURL string) *env {
	t.Helper()
	cat, err := catalog.Open(t.TempDir()+"/verq.db", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	reg := registry.New()
	reg.MustRegister(events.Module{}, util.Module{}, crypto.Module{})
	reg.AddSource(npm.NewSource(cat.DB(), npm.SourceOptions{}))
	return &env{
		cat:   cat,
		store: npm.NewStore(cat.DB(), npm.Options{Registry: registryURL}),
		res:   resolver.New(cat, reg),
	}
}

// addTarball stores a package built from files and lists it in the default runtime.
func (e *env) addTarball(t testing.TB, files map[string]string) {
	t.Helper()
	var fs []tarball.File
	for p, c := range files {
		fs = append(fs, tarball.File{Path: p, Data: []byte(c)})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
	data, err := tarball.Bytes(fs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddTarball(context.Background(), bytes.NewReader(data), "test.tgz",
		npm.AddOptions{Catalog: e.cat, Runtime: catalog.DefaultRuntime, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
}

// run executes one rule whose body sets context.out, and returns the result.
func (e *env) run(t testing.TB, body string) *sandbox.Result {
	t.Helper()
	rs, err := sandbox.Compile([]sandbox.Rule{{Name: "r", Enabled: true,
		Script: "function (user, context, callback) {\n" + body + "\n}"}})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := sandbox.NewExecutor(rs, sandbox.Config{Resolver: e.res})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ex.Execute(context.Background(), map[string]any{"user_id": "u1"}, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func pj(name, version string, extra string) string {
	return `{"name": "` + name + `", "version": "` + version + `", "license": "MIT"` + extra + `}`
}

func TestSandbox_RequiresStoredPackages(t *testing.T) {
	e := newEnv(t, "")
	e.addTarball(t, map[string]string{"package.json": pj("dep", "1.0.0", ""), "index.js": "exports.twice = function (x) { return x * 2 };"})
	e.addTarball(t, map[string]string{
		"package.json": pj("app", "1.0.0", `, "main": "lib/app.js", "dependencies": {"dep": "^1.0.0"}`),
		"lib/app.js": `var EventEmitter = require('events').EventEmitter;
			var dep = require('dep');
			exports.run = function (x, cb) {
				var em = new EventEmitter();
				em.on('done', cb);
				setImmediate(function () { em.emit('done', dep.twice(x)); });
			};`,
		"lib/fs.js": "require('fs');",
	})
	res := e.run(t, `
		var app = require('app@1.0.0');
		app.run(21, function (v) {
			context.out = v;
			try { require('app@1.0.0/lib/fs'); } catch (err) { context.err = err.message; context.code = err.code; }
			callback(null, user, context);
		});`)
	if res.Outcome != sandbox.OutcomeOK {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Error)
	}
	if res.Context["out"] != int64(42) && res.Context["out"] != float64(42) {
		t.Fatalf("context %v", res.Context)
	}
	if msg, _ := res.Context["err"].(string); !strings.Contains(msg, "Cannot find module 'fs' required by app@1.0.0/lib/fs.js: fs is a Node.js core module that is not available in the sandbox") {
		t.Fatalf("error message %q", msg)
	}
	// The package's own require of a core module is recorded too (before the package, which is
	// recorded once it has loaded).
	var kinds []string
	for _, r := range res.Requires {
		kinds = append(kinds, r.Spec+"="+r.Kind)
	}
	if got := strings.Join(kinds, ","); got != "events=core,app@1.0.0=package,fs=,app@1.0.0/lib/fs=package" {
		b, _ := json.Marshal(res.Requires)
		t.Fatalf("requires %s\n%s", got, b)
	}
}
