package sandbox

import (
	"bytes"
	"context"
	"sort"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/npm"
	"github.com/verq/verq/registry/npm/tarball"
	"github.com/verq/verq/resolver"
)

// TestIntegration_StoredPackagesShareModulesPerRuntime checks that stored packages loaded by separate
// requires in one runtime (two packages pinning the same dependency, and a package's subpath) share
// module instances, as in Node, through the host's per-runtime storage.
func TestIntegration_StoredPackagesShareModulesPerRuntime(t *testing.T) {
	cat, err := catalog.Open(t.TempDir()+"/verq.db", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	store := npm.NewStore(cat.DB(), npm.Options{})
	add := func(files map[string]string) {
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
		if _, err := store.AddTarball(context.Background(), bytes.NewReader(data), "test.tgz",
			npm.AddOptions{Catalog: cat, Runtime: catalog.DefaultRuntime, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	add(map[string]string{"package.json": `{"name": "counter", "version": "1.0.0", "license": "MIT"}`,
		"index.js": "var n = 0; exports.next = function () { return ++n; };"})
	for _, name := range []string{"a", "b"} {
		add(map[string]string{
			"package.json": `{"name": "` + name + `", "version": "1.0.0", "license": "MIT", "dependencies": {"counter": "1.0.0"}}`,
			"index.js":     "exports.next = function () { return require('counter').next(); };",
			"sub.js":       "module.exports = require('./index.js');",
		})
	}
	reg := registry.New()
	reg.AddSource(npm.NewSource(cat.DB(), npm.SourceOptions{}))
	e := mustExecutor(t, Config{Resolver: resolver.New(cat, reg), Pool: 1}, `function (user, context, callback) {
  var a = require('a@1.0.0'), b = require('b@1.0.0');
  user.counts = [a.next(), b.next(), a.next()];
  user.subIsMain = require('a@1.0.0/sub') === a;
  callback(null, user, context);
}`)
	for _, want := range [][]any{{int64(1), int64(2), int64(3)}, {int64(4), int64(5), int64(6)}} {
		r := mustRun(t, e, nil, nil)
		if r.Outcome != OutcomeOK {
			t.Fatalf("%s: %s", r.Outcome, r.Error)
		}
		if !jsonEqual(t, r.User["counts"], want) || r.User["subIsMain"] != true {
			t.Fatalf("user %v; want counts %v from one counter instance and the subpath sharing a's module", r.User, want)
		}
	}
}
