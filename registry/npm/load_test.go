package npm

import (
	"strings"
	"testing"
)

// loadFixture stores a set of packages exercising the module system and returns a Source.
func loadFixture(t testing.TB) (*Store, *Source) {
	db := openDB(t)
	s := newTestStore(db, "", nil)
	// Two versions of a dependency; app pins ^1 -> 1.1.0.
	addLocal(t, s, map[string]string{"package.json": pkgJSON("dep", "1.0.0", nil), "index.js": "exports.version = '1.0.0';"})
	addLocal(t, s, map[string]string{
		"package.json": pkgJSON("dep", "1.1.0", nil),
		"index.js":     "exports.version = '1.1.0'; exports.util = require('./util');",
		"util.js":      "module.exports = 'dep util';",
		"extra/sub.js": "module.exports = 'dep extra/sub';",
	})
	addLocal(t, s, map[string]string{"package.json": pkgJSON("dep", "2.0.0", nil), "index.js": "exports.version = '2.0.0';"})
	addLocal(t, s, map[string]string{
		"package.json": pkgJSON("app", "1.0.0", map[string]any{
			"main":         "./lib/main",
			"description":  "test app",
			"license":      "MIT",
			"dependencies": map[string]string{"dep": "^1.0.0"},
		}),
		"lib/main.js": `
			exports.self = this === module.exports;
			exports.filename = __filename;
			exports.dirname = __dirname;
			exports.data = require('../data.json');
			exports.dataNoExt = require('../data');
			exports.sibling = require('./sibling');
			exports.dirIndex = require('./dir');
			exports.nested = require('./nested');
			exports.dep = require('dep');
			exports.depSub = require('dep/extra/sub');
			exports.events = typeof require('events').EventEmitter;
			exports.nodePrefix = require('node:events') === require('events');
			exports.resolved = require.resolve('./sibling');
			exports.coreResolved = require.resolve('events');
			exports.cycle = require('./cycle-a').summary();
		`,
		"lib/sibling.js":          "module.exports = 'sibling';",
		"lib/dir/index.js":        "module.exports = 'dir index';",
		"lib/nested/package.json": `{"main": "entry.js"}`,
		"lib/nested/entry.js":     "module.exports = 'nested main';",
		"lib/cycle-a.js": `
			exports.loaded = false;
			var b = require('./cycle-b');
			exports.loaded = true;
			exports.summary = function () { return 'a sees b.done=' + b.done + ', b saw a.loaded=' + b.sawALoaded; };
		`,
		"lib/cycle-b.js": `
			var a = require('./cycle-a');
			exports.sawALoaded = a.loaded;
			exports.done = true;
		`,
		"data.json":    `{"answer": 42, "list": [1, 2]}`,
		"fp.js":        "module.exports = 'app/fp';",
		"not_index.js": "module.exports = 'not index';",
	})
	return s, NewSource(db, SourceOptions{})
}

func TestSource_Load_ModuleSystem(t *testing.T) {
	_, src := loadFixture(t)
	for _, local := range []bool{true, false} {
		name := "LocalHost"
		if !local {
			name = "plain host"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, src, local)
			got := h.mustRun(`var app = require('app@1.0.0'); JSON.stringify(app)`)
			want := `{"self":true,"filename":"/node_modules/app@1.0.0/lib/main.js","dirname":"/node_modules/app@1.0.0/lib",` +
				`"data":{"answer":42,"list":[1,2]},"dataNoExt":{"answer":42,"list":[1,2]},"sibling":"sibling","dirIndex":"dir index",` +
				`"nested":"nested main","dep":{"version":"1.1.0","util":"dep util"},"depSub":"dep extra/sub","events":"function",` +
				`"nodePrefix":true,"resolved":"/node_modules/app@1.0.0/lib/sibling.js","coreResolved":"events",` +
				`"cycle":"a sees b.done=true, b saw a.loaded=false"}`
			if got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestSource_Load_Subpaths(t *testing.T) {
	_, src := loadFixture(t)
	h := newHarness(t, src, true)
	tests := []struct{ spec, want string }{
		{"app@1.0.0/fp", "app/fp"},
		{"app@1.0.0/not_index", "not index"},
		{"app@1.0.0/lib/dir", "dir index"},
		{"app@1.0.0/lib/dir/", "dir index"},
		{"app@1.0.0/lib/sibling.js", "sibling"},
		{"app@1.0.0/data.json", "[object Object]"},
		{"dep@2.0.0", "[object Object]"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			if got := h.mustRun(`String(require('` + tc.spec + `'))`); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if got := h.mustRun(`require('dep@2.0.0').version + ' ' + require('dep@1.1.0').version`); got != "2.0.0 1.1.0" {
		t.Fatalf("two versions in one runtime: %v", got)
	}
}

func TestSource_Load_SharesInstancesPerRuntime(t *testing.T) {
	_, src := loadFixture(t)
	h := newHarness(t, src, true)
	got := h.mustRun(`
		var app = require('app@1.0.0');
		var dep = require('dep@1.1.0');
		[app.dep === dep, require('app@1.0.0') === app, require('dep@1.1.0/util') === dep.util].join()`)
	if got != "true,true,true" {
		t.Fatalf("got %v", got)
	}
	// Another runtime gets its own instances but reuses the compiled programs.
	before := src.CacheStats()
	h2 := newHarness(t, src, true)
	h2.mustRun(`require('app@1.0.0')`)
	after := src.CacheStats()
	if after.Misses != before.Misses || after.Hits <= before.Hits {
		t.Fatalf("second runtime compiled again: before %+v after %+v", before, after)
	}
}

func TestSource_Load_Errors(t *testing.T) {
	db := openDB(t)
	s := newTestStore(db, "", nil)
	addLocal(t, s, map[string]string{"package.json": pkgJSON("dep", "1.0.0", nil)})
	addLocal(t, s, map[string]string{
		"package.json":  pkgJSON("bad", "1.0.0", map[string]any{"dependencies": map[string]string{"dep": "1"}}),
		"index.js":      "module.exports = 1;",
		"escape.js":     "require('../../etc/passwd');",
		"abs.js":        "require('/etc/passwd');",
		"fs.js":         "require('fs');",
		"undeclared.js": "require('left-pad');",
		"missing.js":    "require('./nope');",
		"noentry.js":    "require('dep');",
		"syntax.js":     "var = ;",
		"esm.js":        "export default 1;",
		"native.js":     "require('./addon.node');",
		"addon.node":    "binary",
		"throws.js":     "globalThis.throwCount = (globalThis.throwCount || 0) + 1; throw new TypeError('boom ' + throwCount);",
		"nonstring.js":  "require(42);",
		"code.js":       "try { require('fs') } catch (e) { module.exports = e.code + ' ' + (e instanceof Error); }",
		"lib/deep.js":   "require('../../outside');",
	})
	src := NewSource(db, SourceOptions{})
	tests := []struct{ sub, want string }{
		{"escape", "Cannot find module '../../etc/passwd' required by bad@1.0.0/escape.js: the path leaves the package bad@1.0.0"},
		{"lib/deep", "Cannot find module '../../outside' required by bad@1.0.0/lib/deep.js: the path leaves the package bad@1.0.0"},
		{"abs", "Cannot find module '/etc/passwd' required by bad@1.0.0/abs.js: absolute paths are not available in the sandbox"},
		{"fs", "Cannot find module 'fs' required by bad@1.0.0/fs.js: fs is a Node.js core module that is not available in the sandbox"},
		{"undeclared", "Cannot find module 'left-pad' required by bad@1.0.0/undeclared.js: left-pad is not a dependency of bad@1.0.0 (dependencies: dep)"},
		{"missing", "Cannot find module './nope' required by bad@1.0.0/missing.js: bad@1.0.0 has no file nope, nope.js, nope.json or nope/index.js"},
		{"noentry", "Cannot find module 'dep' required by bad@1.0.0/noentry.js: dep@1.0.0 has no entry point: no main in package.json and no index.js"},
		{"syntax", "SyntaxError: bad@1.0.0/syntax.js: Line 1:67 Unexpected token ="},
		{"esm", "(the file looks like an ES module; verq loads CommonJS modules only)"},
		{"native", "bad@1.0.0/addon.node is a native addon; the sandbox runs JavaScript only"},
		{"throws", "TypeError: boom 1"},
		{"nonstring", `TypeError: The "id" argument must be of type string. Received type int64`},
		{"nothere", "bad@1.0.0 has no file 'nothere' (tried nothere, nothere.js, nothere.json and nothere/index.js)"},
	}
	for _, tc := range tests {
		t.Run(tc.sub, func(t *testing.T) {
			h := newHarness(t, src, true)
			_, err := h.run(`require('bad@1.0.0/` + tc.sub + `')`)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
	t.Run("error code", func(t *testing.T) {
		h := newHarness(t, src, true)
		if got := h.mustRun(`require('bad@1.0.0/code')`); got != "MODULE_NOT_FOUND true" {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("a module that throws runs again on the next require", func(t *testing.T) {
		h := newHarness(t, src, true)
		h.run(`require('bad@1.0.0/throws')`)
		_, err := h.run(`require('bad@1.0.0/throws')`)
		if err == nil || !strings.Contains(err.Error(), "boom 2") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("pinned version removed", func(t *testing.T) {
		if _, err := s.Remove("dep", "1.0.0", RemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, src, true)
		_, err := h.run(`require('bad@1.0.0/noentry')`)
		if err == nil || !strings.Contains(err.Error(), "its pinned version dep@1.0.0 is not stored; add it with verq registry add dep@1.0.0") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSource_Load_CoreFallbackToDependency(t *testing.T) {
	db := openDB(t)
	s := newTestStore(db, "", nil)
	addLocal(t, s, map[string]string{"package.json": pkgJSON("punycode", "1.3.2", nil), "index.js": "module.exports = 'npm punycode';"})
	addLocal(t, s, map[string]string{
		"package.json": pkgJSON("url", "0.10.3", map[string]any{"dependencies": map[string]string{"punycode": "1.3.2"}}),
		"index.js":     "module.exports = [require('punycode'), typeof require('events').EventEmitter].join();",
		"prefixed.js":  "require('node:punycode');",
	})
	src := NewSource(db, SourceOptions{})
	h := newHarness(t, src, true)
	if got := h.mustRun(`require('url@0.10.3')`); got != "npm punycode,function" {
		t.Fatalf("got %v", got)
	}
	if _, err := h.run(`require('url@0.10.3/prefixed')`); err == nil || !strings.Contains(err.Error(), "punycode is a Node.js core module that is not available") {
		t.Fatalf("node: prefix must not fall back: %v", err)
	}
}

func TestSource_Load_ExportsAndModuleType(t *testing.T) {
	db := openDB(t)
	s := newTestStore(db, "", nil)
	addLocal(t, s, map[string]string{
		// Key order matters in "exports": written by hand.
		"package.json": `{"name": "dual", "version": "1.0.0", "type": "module", "main": "./esm/index.js",
			"exports": {
				".": {"import": "./esm/index.js", "require": "./cjs/index.js"},
				"./feature": {"node": {"require": "./cjs/feature.js"}, "default": "./esm/feature.js"},
				"./locale/*": "./cjs/locale/*.js",
				"./locale/x": null,
				"./package.json": "./package.json"
			}}`,
		"esm/index.js":     "export default 1;",
		"esm/feature.js":   "export default 2;",
		"cjs/package.json": `{"type": "commonjs"}`,
		"cjs/index.js":     "exports.kind = 'cjs'; exports.self = require('dual/feature');",
		"cjs/feature.js":   "module.exports = 'feature';",
		"cjs/locale/en.js": "module.exports = 'en';",
		"cjs/locale/x.js":  "module.exports = 'x';",
	})
	addLocal(t, s, map[string]string{
		"package.json": pkgJSON("esmonly", "1.0.0", map[string]any{"type": "module"}),
		"index.js":     "export default 1;",
	})
	addLocal(t, s, map[string]string{
		"package.json": pkgJSON("proto", "1.0.0", map[string]any{"main": "data.json"}),
		"data.json":    `{"__proto__": {"polluted": true}, "a": 1}`,
	})
	src := NewSource(db, SourceOptions{})
	h := newHarness(t, src, true)
	tests := []struct{ js, want string }{
		{`JSON.stringify(require('dual@1.0.0'))`, `{"kind":"cjs","self":"feature"}`},
		{`require('dual@1.0.0/locale/en')`, "en"},
		{`require('dual@1.0.0/package.json').name`, "dual"},
		{`var o = require('proto@1.0.0'); [Object.keys(o).join(), o.polluted, ({}).polluted].join()`, "__proto__,a,,"},
	}
	for _, tc := range tests {
		if got := h.mustRun(tc.js); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.js, got, tc.want)
		}
	}
	errs := []struct{ js, want string }{
		{`require('dual@1.0.0/cjs/feature')`, `package subpath './cjs/feature' is not defined by "exports" in dual@1.0.0/package.json`},
		{`require('dual@1.0.0/locale/x')`, `package subpath './locale/x' is not defined by "exports"`},
		{`require('esmonly@1.0.0')`, `esmonly@1.0.0/index.js is an ES module (package.json "type": "module"); verq loads CommonJS modules only`},
	}
	for _, tc := range errs {
		if _, err := h.run(tc.js); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.js, err, tc.want)
		}
	}
}

func TestSource_Find(t *testing.T) {
	s, src := loadFixture(t)
	p, ok := src.Find("app", "1.0.0")
	if !ok {
		t.Fatal("app@1.0.0 not found")
	}
	info := p.Info()
	if info.Kind.Label() != "JS package" || info.License != "MIT" || info.Version != "1.0.0" || info.Description != "test app" {
		t.Fatalf("info %+v", info)
	}
	if _, ok := src.Find("app", "9.9.9"); ok {
		t.Fatal("found a version never stored")
	}
	if _, err := s.Remove("app", "1.0.0", RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := src.Find("app", "1.0.0"); ok {
		t.Fatal("found a removed version")
	}
}

func TestSource_ConcurrentRuntimes(t *testing.T) {
	_, src := loadFixture(t)
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			h := newHarness(t, src, i%2 == 0)
			_, err := h.run(`var app = require('app@1.0.0'); if (app.dep.version !== '1.1.0') throw new Error('wrong dep ' + app.dep.version);`)
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if st := src.CacheStats(); st.Entries == 0 || st.Misses != uint64(st.Entries) {
		t.Errorf("each module should compile exactly once: %+v", st)
	}
}
