package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// anythingResolver resolves every spec to a provider that would read the named file from the host:
// if the sandbox ever loaded a path or a host module, the file's content would come back.
type anythingResolver struct{ loaded []string }

func (r *anythingResolver) Resolve(runtime, spec string) (*resolver.Resolution, error) {
	p := &fakeProvider{
		info: registry.Info{Name: spec, Kind: registry.KindCore},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			r.loaded = append(r.loaded, spec)
			b, err := os.ReadFile(spec)
			if err != nil {
				return nil, err
			}
			return req.Runtime.ToValue(string(b)), nil
		},
	}
	return &resolver.Resolution{Spec: spec, Name: spec, How: resolver.HowCore, Status: catalog.StatusAllowed,
		Implementation: p.Info(), Provider: p}, nil
}

func TestHardening_NoHostFilesThroughRequire(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, []byte("TOP-SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mod.js"), []byte("module.exports = 'TOP-SECRET'"), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	rel, _ := filepath.Rel(wd, secret)
	specs := []string{
		secret, "./" + rel, rel, "../" + rel, "..\\secret", "lib@1.2.3/../../../" + rel, "file://" + secret,
		"fs", "node:fs", "fs/promises", "child_process", "process", "os", "vm", "net", "worker_threads",
		filepath.Join(dir, "mod.js"), "~/.ssh/id_rsa", "C:\\secret", "a\x00b",
	}
	res := &anythingResolver{}
	e := mustExecutor(t, Config{Resolver: res}, `function (user, context, callback) {
  user.results = [];
  for (const spec of context.specs) {
    try { user.results.push({spec, leaked: String(require(spec))}); }
    catch (e) { user.results.push({spec, code: e.code, message: e.message}); }
  }
  callback(null, user, context);
}`)
	specsAny := make([]any, len(specs))
	for i, s := range specs {
		specsAny[i] = s
	}
	r := mustRun(t, e, nil, map[string]any{"specs": specsAny})
	if r.Outcome != OutcomeOK {
		t.Fatalf("outcome %s: %s", r.Outcome, r.Error)
	}
	out, _ := json.Marshal(r)
	if strings.Contains(string(out), "TOP-SECRET") {
		t.Fatalf("a host file leaked through require: %s", out)
	}
	for _, item := range r.User["results"].([]any) {
		m := item.(map[string]any)
		if m["code"] != CodeModuleNotFound {
			t.Errorf("require(%q) = %v, want a MODULE_NOT_FOUND error", m["spec"], m)
		}
	}
	if len(res.loaded) != 0 {
		t.Errorf("path and host-module specs were loaded: %q", res.loaded)
	}
}

func TestHardening_NoSourceMapFileReads(t *testing.T) {
	dir := t.TempDir()
	mapFile := filepath.Join(dir, "map.json")
	if err := os.WriteFile(mapFile, []byte("not a source map"), 0o600); err != nil {
		t.Fatal(err)
	}
	code := fmt.Sprintf("eval('1\\n//# sourceMappingURL=%s')", mapFile)
	// control: a default goja runtime tries to load the file named by the comment
	if _, err := goja.New().RunString(code); err == nil || !strings.Contains(err.Error(), "source map") {
		t.Fatalf("control: default goja did not try to load the source map (err %v); the test would prove nothing", err)
	}
	e := mustExecutor(t, Config{}, `function (user, context, callback) {
  user.v = eval(context.code);
  user.f = new Function('return 2\n' + context.code)();
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, map[string]any{"code": fmt.Sprintf("1\n//# sourceMappingURL=%s", mapFile)})
	if r.Outcome != OutcomeOK || r.User["v"] != int64(1) || r.User["f"] != int64(2) {
		t.Fatalf("eval with a sourceMappingURL: outcome %s %q user %v", r.Outcome, r.Error, r.User)
	}
}

func TestHardening_NoHostEnvironment(t *testing.T) {
	t.Setenv("VERQ_TEST_SECRET", "ENV-SECRET-VALUE")
	e := mustExecutor(t, Config{}, `function (user, context, callback) {
  const g = Function('return this')();
  user.process = typeof process;
  user.gprocess = typeof g.process;
  user.names = Reflect.ownKeys(globalThis).map(String);
  user.env = (function () { try { return require('process').env; } catch (e) { return e.code; } })();
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	out, _ := json.Marshal(r)
	if strings.Contains(string(out), "ENV-SECRET-VALUE") {
		t.Fatalf("the host environment leaked: %s", out)
	}
	if r.User["process"] != "undefined" || r.User["gprocess"] != "undefined" || r.User["env"] != CodeModuleNotFound {
		t.Fatalf("process is reachable: %v", r.User)
	}
}

// goThing is a Go value with methods and fields that a careless module might hand to JS.
type goThing struct {
	Visible string `json:"visible"`
	Hidden  string
}

func (g *goThing) Secret() string      { return "method-called" }
func (g goThing) ValueMethod() string  { return "method-called" }
func (g *goThing) SetHidden(s string)  { g.Hidden = s }
func (g *goThing) Env(k string) string { return os.Getenv(k) }
func (g *goThing) Chain() *goThing     { return g }
func (g *goThing) String() string      { return "go" }

func TestHardening_NoGoMethodsReachable(t *testing.T) {
	thing := &goThing{Visible: "v", Hidden: "h"}
	p := &fakeProvider{
		info: registry.Info{Name: "gothing", Version: "1.0.0", Kind: registry.KindGo},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			o := req.Runtime.NewObject()
			_ = o.Set("ptr", thing)
			_ = o.Set("val", *thing)
			_ = o.Set("list", []*goThing{thing})
			_ = o.Set("fn", func() *goThing { return thing })
			return o, nil
		},
	}
	rs := testResolver()
	rs.modules["gothing@1.0.0"] = &resolver.Resolution{Name: "gothing", Version: "1.0.0", How: resolver.HowExact,
		Status: catalog.StatusAllowed, Implementation: p.Info(), Provider: p}
	e := mustExecutor(t, Config{Resolver: rs}, `function (user, context, callback) {
  const m = require('gothing@1.0.0');
  const probe = (o) => ({
    visible: o.visible,
    names: Object.getOwnPropertyNames(o).sort(),
    methods: ['Secret', 'secret', 'ValueMethod', 'SetHidden', 'Env', 'Chain', 'String', 'Hidden', 'hidden']
      .filter((k) => o[k] !== undefined),
  });
  user.ptr = probe(m.ptr);
  user.val = probe(m.val);
  user.list = probe(m.list[0]);
  user.fn = probe(m.fn());
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s: %s", r.Outcome, r.Error)
	}
	for _, k := range []string{"ptr", "val", "list", "fn"} {
		got := r.User[k].(map[string]any)
		if len(got["methods"].([]any)) != 0 {
			t.Errorf("%s: Go methods or untagged fields reachable from JS: %v", k, got["methods"])
		}
		if got["visible"] != "v" {
			t.Errorf("%s: json-tagged field not visible: %v", k, got)
		}
	}
	if thing.Hidden != "h" {
		t.Errorf("JS changed a hidden Go field: %q", thing.Hidden)
	}
}

func TestHardening_NativePanics(t *testing.T) {
	e := mustExecutor(t, Config{Pool: 1}, `function (user, context, callback) {
  global.n = (global.n || 0) + 1;
  user.n = global.n;
  if (context.explode) {
    try { require('boom@1.0.0').explode(); } catch (e) { user.caught = e.message; }
  }
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.User["n"] != int64(1) {
		t.Fatalf("first run: %v", r.User)
	}
	r = mustRun(t, e, nil, map[string]any{"explode": true})
	if r.Outcome != OutcomeError || r.Failure == nil || r.Failure.Code != "ERR_NATIVE_PANIC" || !strings.Contains(r.Error, "kaboom") {
		t.Fatalf("a module's native panic: outcome %s %+v", r.Outcome, r.Failure)
	}
	// the process survived and the runtime was recycled: global state is fresh
	r = mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK || r.User["n"] != int64(1) {
		t.Fatalf("after a native panic: outcome %s user %v", r.Outcome, r.User)
	}

	// the sandbox's own native functions turn a Go panic into a catchable JS error
	e2 := mustExecutor(t, Config{Pool: 1}, `function (user, context, callback) {
  try { sandboxNative(); } catch (e) { user.caught = e.message; user.code = e.code; user.isError = e instanceof Error; }
  callback(null, user, context);
}`)
	v := <-e2.idle
	_ = v.rt.Set("sandboxNative", v.nativeFunc("sandboxNative", 0, func(goja.FunctionCall) goja.Value {
		var m map[string]int
		m["x"] = 1 // nil map write panics
		return goja.Undefined()
	}))
	e2.idle <- v
	r = mustRun(t, e2, nil, nil)
	if r.Outcome != OutcomeOK || !strings.Contains(fmt.Sprint(r.User["caught"]), "internal error in sandboxNative") ||
		r.User["isError"] != true || r.User["code"] != "ERR_INTERNAL" {
		t.Fatalf("sandbox native panic: outcome %s %q user %v", r.Outcome, r.Error, r.User)
	}
}

func TestHardening_InfiniteLoopStopsAtDeadline(t *testing.T) {
	const skip = "if (!context.loop) return callback(null, user, context);\n"
	cases := map[string]string{
		"sync":      `function (user, context, callback) {` + skip + `while (true) {} }`,
		"timer":     `function (user, context, callback) {` + skip + `setTimeout(function () { for (;;) {} }, 1); }`,
		"microtask": `async function (user, context, callback) {` + skip + `await null; for (;;) {} }`,
		"getter": `function (user, context, callback) {` + skip + `
  var u = {}; Object.defineProperty(u, 'x', {enumerable: true, get: function () { for (;;) {} }});
  callback(null, u, context);
}`,
	}
	for name, script := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := mustExecutor(t, Config{Pool: 1, Limits: Limits{Timeout: 100 * time.Millisecond}},
				`function (user, context, callback) { global.n = (global.n || 0) + 1; user.n = global.n; callback(null, user, context); }`, script)
			r := mustRun(t, e, nil, map[string]any{"loop": true})
			if name == "getter" {
				// the pipeline finished; reading the final user hit the deadline
				if len(r.Warnings) == 0 {
					t.Fatalf("no warning about the unreadable user: %+v", r)
				}
			} else if r.Outcome != OutcomeTimeout || r.Failure.Rule != "rule-2" {
				t.Fatalf("outcome %s %q", r.Outcome, r.Error)
			}
			// the interrupted runtime was recycled (global reset) and the executor still works
			r = mustRun(t, e, nil, map[string]any{})
			if r.Rules[0].Ran != true || r.User["n"] != int64(1) {
				t.Fatalf("after the loop: %s %q %+v", r.Outcome, r.Error, r.User)
			}
		})
	}
}

func TestHardening_ContextCancellation(t *testing.T) {
	e := mustExecutor(t, Config{}, `function (user, context, callback) { while (true) {} }`)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	r, err := e.Execute(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != OutcomeTimeout || r.Failure.Code != "ABORT_ERR" {
		t.Fatalf("cancelled: %s %+v", r.Outcome, r.Failure)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	r, _ = e.Execute(done, nil, nil)
	if r.Outcome != OutcomeTimeout {
		t.Fatalf("already cancelled: %s", r.Outcome)
	}
}

func TestHardening_DeepRecursionFailsFast(t *testing.T) {
	e := mustExecutor(t, Config{}, `function (user, context, callback) {
  function down(n) { return down(n + 1) + 1; }
  down(0);
}`)
	start := time.Now()
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeError || r.Failure.Name != "RangeError" || r.Failure.Rule != "rule-1" ||
		!strings.Contains(r.Error, "Maximum call stack size exceeded") || !strings.Contains(r.Failure.Stack, "rule-1:2:") {
		t.Fatalf("deep recursion: %s %+v", r.Outcome, r.Failure)
	}
	t.Logf("stopped after %v", time.Since(start))
}

func TestHardening_CatastrophicRegexp(t *testing.T) {
	cases := []struct {
		name, script string
		timeout      time.Duration
		outcome      Outcome
	}{
		// RE2-compatible: goja runs it in linear time
		{"re2", `function (user, context, callback) { user.m = /(a+)+$/.test('a'.repeat(40) + '!'); callback(null, user, context); }`, 5 * time.Second, OutcomeOK},
		// a backreference forces regexp2 (backtracking); its match timeout stops it
		{"regexp2", `function (user, context, callback) { user.m = /^(a+)+\1x$/.test('a'.repeat(40)); callback(null, user, context); }`, 10 * time.Second, OutcomeOK},
		// the deadline passes during a match: the execution stops when the match returns
		{"regexp2-deadline", `function (user, context, callback) { for (;;) /^(a+)+\1x$/.test('a'.repeat(40)); }`, 200 * time.Millisecond, OutcomeTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := mustExecutor(t, Config{Limits: Limits{Timeout: c.timeout}}, c.script)
			done := make(chan *Result, 1)
			go func() { done <- mustRun(t, e, nil, nil) }()
			select {
			case r := <-done:
				if r.Outcome != c.outcome {
					t.Fatalf("outcome %s %q", r.Outcome, r.Error)
				}
				if c.outcome == OutcomeOK && r.User["m"] != false {
					t.Fatalf("match result %v", r.User["m"])
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the regular expression was not stopped")
			}
		})
	}
}

func TestHardening_SingleCallAllocationsRefused(t *testing.T) {
	e := mustExecutor(t, Config{Limits: Limits{MaxMemoryBytes: 256 << 20, Timeout: 2 * time.Second}}, `function (user, context, callback) {
  const attempts = {
    repeat: () => 'x'.repeat(2 ** 30),
    repeatObject: () => String.prototype.repeat.call({ toString() { return 'xy'; } }, 2 ** 29),
    padStart: () => 'x'.padStart(2 ** 30),
    padEnd: () => 'x'.padEnd(2 ** 30, 'ab'),
    join: () => new Array(2 ** 32 - 1).join('x'),
    joinBig: () => { const s = 'y'.repeat(1 << 20); return new Array(200).fill(s).join(''); },
    indexOfSparse: () => new Array(2 ** 32 - 1).indexOf(1),
    fillSparse: () => new Array(1e7).fill(0),
    arrayLike: () => Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1),
    from: () => Array.from({ length: 1e9 }),
    replaceAll: () => 'x'.repeat(1e5).replaceAll('x', 'y'.repeat(1e5)),
    replaceAffix: () => 'x'.repeat(1e5).replace(/x/g, "$'"),
    split: () => 'x'.repeat(1e7).split(''),
    typed: () => new Uint8Array(2 ** 31),
    typedCtor: () => new (new Float64Array(1).constructor)(2 ** 28),
    typedLike: () => new Int32Array({ length: 2 ** 30 }),
    buffer: () => new ArrayBuffer(2 ** 31),
    bufferAlloc: () => Buffer.alloc(2 ** 31),
    bufferConcat: () => Buffer.concat([], 2 ** 31),
    bufferFrom: () => Buffer.from({ length: 2 ** 31 }),
    apply: () => Math.max.apply(null, { length: 2 ** 31 }),
    reflectApply: () => Reflect.apply(Math.max, null, new Array(2 ** 32 - 1)),
    reflectConstruct: () => Reflect.construct(Array, { length: 2 ** 30 }),
    fromSparse: () => Array.from(new Array(2 ** 32 - 1)),
    json: () => JSON.stringify(new Array(2 ** 32 - 1)),
    jsonNested: () => JSON.stringify({ a: [1, { b: new Array(1e9) }] }),
    jsonOwnToJSON: () => { const a = new Array(1e9); Object.defineProperty(a, 'toJSON', { value: undefined }); return JSON.stringify({ a }); },
    jsonToJSON: () => JSON.stringify({ toJSON() { return new Array(1e9); } }),
    jsonReplacer: () => JSON.stringify({ a: 1 }, (k, v) => (k === 'a' ? new Array(1e9) : v)),
    jsonList: () => JSON.stringify({ a: new Array(1e9) }, ['a']),
    consoleJ: () => console.log('%j', new Array(1e9)),
    flatSparse: () => [new Array(1e9)].flat(),
    flatShared: () => { let a = [1]; for (let i = 0; i < 40; i++) a = [a, a]; return a.flat(Infinity); },
    flatMapSparse: () => [1].flatMap(() => new Array(1e9)),
    concatSpreadable: () => [].concat({ length: 1e9, [Symbol.isConcatSpreadable]: true }),
    proxyIndexOf: () => { let c = 0; return Array.prototype.indexOf.call(new Proxy([], { get: (t, k) => (k === 'length' ? (c++ ? 1e9 : 0) : t[k]) }), 1); },
    proxyFlat: () => { let c = 0; return [new Proxy([], { get: (t, k) => (k === 'length' ? (c++ ? 1e9 : 0) : t[k]) })].flat(); },
    proxyJoin: () => { let c = 0; return Array.prototype.join.call(new Proxy([], { get: (t, k) => (k === 'length' ? (c++ ? 1e9 : 0) : t[k]) })); },
    proxyApply: () => { let c = 0; return Math.max.apply(null, new Proxy([], { get: (t, k) => (k === 'length' ? (c++ ? 1e9 : 0) : t[k]) })); },
  };
  user.errors = {};
  for (const [name, f] of Object.entries(attempts)) {
    try { f(); user.errors[name] = 'allowed'; } catch (e) { user.errors[name] = e.code || e.message; }
  }
  user.ok = ['x'.repeat(10), 'a'.padStart(3), [1, 2].join('-'), 'a,b'.split(',').length, new Uint8Array(4).length, Buffer.alloc(3).length,
    [3, 1, 2].sort().join(''), 'aXa'.replace('X', '$&$&'), 'aa'.replaceAll('a', 'b'), Math.max.apply(null, [1, 5, 2]),
    JSON.stringify({ b: [1, { c: 2 }], d: new Date(0) }, null, 0), JSON.stringify({ a: 1, b: 2, c: 3 }, ['c', 'a']),
    JSON.stringify({ a: 1, b: 'x' }, (k, v) => (typeof v === 'number' ? v * 2 : v)), Array.from(new Set([1, 1, 2])).length,
    [...'ab', ...[1, 2]].length, Reflect.apply(Math.min, null, [4, 3]), [1, [2, [3, [4]]]].flat(Infinity).join(''),
    [1, 2].flatMap((x) => [x, x * 10]).join(','), Array.from(new Proxy([1, 2], {})).length];
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	for name, got := range r.User["errors"].(map[string]any) {
		if got != "ERR_SANDBOX_LIMIT" {
			t.Errorf("%s: %v, want a RangeError with code ERR_SANDBOX_LIMIT", name, got)
		}
	}
	want := []any{"xxxxxxxxxx", "  a", "1-2", int64(2), int64(4), int64(3), "123", "aXXa", "bb", int64(5),
		`{"b":[1,{"c":2}],"d":"1970-01-01T00:00:00.000Z"}`, `{"c":3,"a":1}`, `{"a":2,"b":"x"}`, int64(2), int64(4), int64(3), "1234", "1,10,2,20", int64(2)}
	if !jsonEqual(t, r.User["ok"], want) {
		t.Errorf("ordinary calls: %v, want %v", r.User["ok"], want)
	}
}

func TestHardening_NativeIterationStopsAtDeadline(t *testing.T) {
	cases := map[string]string{
		"spread":             `[...new Array(2 ** 32 - 1)]`,
		"call-spread":        `Math.max(...new Array(2 ** 32 - 1))`,
		"set":                `new Set(new Array(2 ** 32 - 1))`,
		"promise-all":        `Promise.all(new Array(2 ** 32 - 1))`,
		"destructure":        `const [a, ...rest] = new Array(2 ** 32 - 1)`,
		"string":             `[...'ab'.repeat(2 ** 24)].concat([...'ab'.repeat(2 ** 24)], [...'ab'.repeat(2 ** 24)])`,
		"json-deep":          `let o = {}; for (let i = 0; i < 2e5; i++) o = { a: o }; JSON.stringify(o)`,
		"json-deep-replacer": `let o = {}; for (let i = 0; i < 2e5; i++) o = { a: o }; JSON.stringify(o, (k, v) => v)`,
	}
	for name, code := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := mustExecutor(t, Config{Limits: Limits{Timeout: 200 * time.Millisecond}},
				"function (user, context, callback) { try { "+code+"; } catch (e) { user.caught = e.code; } callback(null, user, context); }")
			done := make(chan *Result, 1)
			go func() { done <- mustRun(t, e, nil, nil) }()
			select {
			case r := <-done:
				if r.Outcome != OutcomeTimeout {
					t.Fatalf("outcome %s %q %v", r.Outcome, r.Error, r.User)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the built-in iteration was not stopped")
			}
		})
	}
}

func TestHardening_MemoryBombStoppedOthersSurvive(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates hundreds of MiB")
	}
	bomb := mustExecutor(t, Config{Tenant: "bomb", Limits: Limits{MaxMemoryBytes: 300 << 20}}, `function (user, context, callback) {
  var hoard = [];
  for (var i = 0; ; i++) hoard.push('x'.repeat(1 << 20) + i);
}`)
	calm := mustExecutor(t, Config{Tenant: "calm", Limits: Limits{MaxMemoryBytes: 300 << 20}}, `function (user, context, callback) {
  setTimeout(function () { user.ok = true; callback(null, user, context); }, 1);
}`)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var calmRuns, calmFailures int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			r := mustRun(t, calm, nil, nil)
			calmRuns++
			if r.Outcome != OutcomeOK {
				calmFailures++
				t.Errorf("calm execution failed: %s %q", r.Outcome, r.Error)
			}
		}
	}()
	r := mustRun(t, bomb, nil, nil)
	close(stop)
	wg.Wait()
	if r.Outcome != OutcomeError || r.Failure == nil || r.Failure.Code != "ERR_MEMORY_LIMIT" || r.Failure.Rule != "rule-1" {
		t.Fatalf("memory bomb: outcome %s %+v", r.Outcome, r.Failure)
	}
	t.Logf("bomb stopped: %s; %d calm executions meanwhile, %d failed", r.Error, calmRuns, calmFailures)
	// the bomb's executor is usable again
	r = mustRun(t, calm, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("after the bomb: %s", r.Outcome)
	}
}

func TestHardening_ConstructorEscapeReachesOnlySandboxGlobal(t *testing.T) {
	e := mustExecutor(t, Config{}, `async function (user, context, callback) {
  const candidates = [
    constructor.constructor('return this')(),
    (function () {}).constructor('return this')(),
    await Object.getPrototypeOf(async function () {}).constructor('return this')(),
    Object.getPrototypeOf(function* () {}).constructor('return this')().next().value,
    [].constructor.constructor('return this')(),
    require.constructor('return this')(),
    setTimeout.constructor('return this')(),
    console.log.constructor('return globalThis')(),
    (0, eval)('this'),
    user.constructor.constructor('return this')(),
  ];
  user.same = candidates.map((g) => g === global);
  user.process = candidates.map((g) => typeof g.process);
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	for i, s := range r.User["same"].([]any) {
		if s != true {
			t.Errorf("candidate %d is not the sandbox global", i)
		}
	}
	for i, p := range r.User["process"].([]any) {
		if p != "undefined" {
			t.Errorf("candidate %d has process: %v", i, p)
		}
	}
}

// pollution is a rule that pollutes every shared thing it can when context.pollute is set, and reports
// what it sees otherwise.
const pollution = `function (user, context, callback) {
  if (context.pollute) {
    Object.prototype.polluted = context.tenant;
    Array.prototype.includes = function () { return 'hijacked'; };
    String.prototype.toUpperCase = function () { return 'PWNED'; };
    JSON.parse = function () { return 'pwned'; };
    global.secret = context.tenant;
    configuration.extra = 'x';
    globalThis.UnauthorizedError = function () {};
  }
  user.polluted = ({}).polluted === undefined ? null : ({}).polluted;
  user.includes = [1].includes(1);
  user.upper = 'a'.toUpperCase();
  user.parse = JSON.parse('1');
  user.secret = global.secret === undefined ? null : global.secret;
  user.extra = configuration.extra === undefined ? null : configuration.extra;
  callback(null, user, context);
}`

func TestHardening_NoCrossTenantLeaks(t *testing.T) {
	rs, err := Compile([]Rule{{Name: "pollute", Script: pollution, Enabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	newExec := func(tenant string) *Executor {
		e, err := NewExecutor(rs, Config{Tenant: tenant, Resolver: testResolver(), Pool: 2})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	evil, victim := newExec("evil"), newExec("victim")
	clean := map[string]any{"polluted": nil, "includes": true, "upper": "A", "parse": int64(1), "secret": nil, "extra": nil}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := mustRun(t, evil, nil, map[string]any{"pollute": true, "tenant": "evil"})
				if r.Outcome != OutcomeOK || r.User["polluted"] != "evil" {
					t.Errorf("evil run: %s %v", r.Outcome, r.User)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := mustRun(t, victim, nil, map[string]any{"tenant": "victim"})
				if r.Outcome != OutcomeOK || !jsonEqual(t, r.User, clean) {
					t.Errorf("victim saw another tenant's changes: %v", r.User)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestHardening_MemoryFarOverLimitStopsWithoutCollection(t *testing.T) {
	const limit = 64 << 20
	// a live Go allocation far over the limit: the heap is over twice the limit from the first check
	ballast := make([]byte, 3*limit)
	defer runtime.KeepAlive(ballast)
	forced := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(forced)
	before := forced[0].Value.Uint64()
	e := mustExecutor(t, Config{Limits: Limits{Timeout: 5 * time.Second, MaxMemoryBytes: limit}},
		`function (user, context, callback) { for (;;) {} }`)
	r := mustRun(t, e, nil, nil)
	metrics.Read(forced)
	if r.Outcome != OutcomeError || r.Failure == nil || r.Failure.Code != "ERR_MEMORY_LIMIT" {
		t.Fatalf("outcome %s %+v", r.Outcome, r.Failure)
	}
	if n := forced[0].Value.Uint64() - before; n != 0 {
		t.Fatalf("the watchdog forced %d collections before stopping an execution with the heap at 3x the limit", n)
	}
}

func TestHardening_StringDoublingStopped(t *testing.T) {
	e := mustExecutor(t, Config{Limits: Limits{Timeout: 10 * time.Second, MaxMemoryBytes: 64 << 20}},
		`function (user, context, callback) { let s = 'x'; for (;;) s += s; }`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeError || r.Failure == nil || r.Failure.Code != "ERR_MEMORY_LIMIT" {
		t.Fatalf("outcome %s %+v", r.Outcome, r.Failure)
	}
	t.Log(r.Error)
}

func TestHardening_HugeSourcesRefused(t *testing.T) {
	e := mustExecutor(t, Config{Limits: Limits{Timeout: 5 * time.Second}}, `function (user, context, callback) {
  const big = '0;'.repeat(600000);
  const attempts = {
    Function: () => Function(big),
    newFunction: () => new Function('a', big),
    chain: () => (function () {}).constructor(big),
    arrowChain: () => (() => 1).constructor.constructor(big),
    async: () => Object.getPrototypeOf(async function () {}).constructor(big),
    generator: () => Object.getPrototypeOf(function* () {}).constructor(big),
    throughProto: () => Object.getPrototypeOf(Object.getPrototypeOf(async function () {}).constructor)(big),
    regexp: () => new RegExp('a'.repeat(1 << 21)),
    regexpCall: () => RegExp('a'.repeat(1 << 21)),
    regexpCtor: () => new (/a/.constructor)('a'.repeat(1 << 21)),
    regexpLike: () => new RegExp({ [Symbol.match]: true, source: 'a'.repeat(1 << 21), flags: 'g' }),
    regexpToString: () => { let n = 0; return new RegExp({ toString: () => (n++ ? 'a' : 'a'.repeat(1 << 21)) }); },
  };
  user.errors = {};
  for (const [name, f] of Object.entries(attempts)) {
    try { f(); user.errors[name] = 'allowed'; } catch (e) { user.errors[name] = e.code || e.message; }
  }
  const re = new RegExp({ [Symbol.match]: true, source: 'a+', flags: 'g' });
  user.ok = [Function('a', 'b', 'return a + b')(1, 2), new (async function () {}).constructor('return 3')() instanceof Promise,
    (function () {}) instanceof Function, Function.prototype.constructor === Function, new RegExp('a+b', 'g').test('aab'),
    /x/ instanceof RegExp, re.flags, RegExp(/q/g).source, new RegExp('c', 'i').flags, typeof Function('return this')().Function,
    (async function () {}) instanceof Function];
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	for name, got := range r.User["errors"].(map[string]any) {
		if got != "ERR_SANDBOX_LIMIT" {
			t.Errorf("%s: %v, want a RangeError with code ERR_SANDBOX_LIMIT", name, got)
		}
	}
	want := []any{int64(3), true, true, true, true, true, "g", "q", "i", "function", true}
	if !jsonEqual(t, r.User["ok"], want) {
		t.Errorf("ordinary calls: %v, want %v", r.User["ok"], want)
	}
}
