package sandbox

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	httpmods "github.com/verq/verq/registry/http"
)

// sandboxGlobals are the globals the sandbox defines on top of ECMAScript.
var sandboxGlobals = []string{
	"Buffer", "URL", "URLSearchParams", "UnauthorizedError", "clearImmediate", "clearInterval", "clearTimeout",
	"configuration", "console", "global", "require", "setImmediate", "setInterval", "setTimeout",
}

// ecmaGlobals are goja's ECMAScript globals, all kept (the binary constructors are replaced by
// size-checking proxies); goja's GoError is removed.
var ecmaGlobals = []string{
	"AggregateError", "Array", "ArrayBuffer", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean", "DataView",
	"Date", "Error", "EvalError", "Float32Array", "Float64Array", "Function", "Infinity", "Int16Array", "Int32Array",
	"Int8Array", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy", "RangeError", "ReferenceError",
	"Reflect", "RegExp", "Set", "String", "Symbol", "SyntaxError", "TypeError", "URIError", "Uint16Array",
	"Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakSet", "decodeURI", "decodeURIComponent",
	"encodeURI", "encodeURIComponent", "escape", "eval", "globalThis", "isFinite", "isNaN", "parseFloat", "parseInt",
	"undefined", "unescape",
}

// legacyGlobalNames are the globals Config.LegacyGlobals adds (before any of them is read).
var legacyGlobalNames = []string{
	"Auth0", "Knex", "ObjectID", "Pubnub", "_", "async", "azure_storage", "bcrypt", "couchbase", "cql", "crypto", "ip",
	"jwt", "mongo", "mysql", "mysql_pool", "pbkdf2", "pg", "postgres", "q", "querystring", "request", "sqlserver",
	"uuid", "xml2js", "xmldom", "xpath", "xtend",
}

// fetchGlobalNames are the globals registry/http's FetchGlobal installs.
var fetchGlobalNames = []string{"Headers", "Request", "Response", "fetch"}

func TestGlobals_ExactSet(t *testing.T) {
	tests := []struct {
		name   string
		legacy bool
		fetch  bool
		extra  []string // own globals beyond the sandbox's, ECMAScript's and auth0
	}{
		{name: "default"},
		{name: "legacy globals", legacy: true, extra: legacyGlobalNames},
		{name: "fetch installed", fetch: true, extra: fetchGlobalNames},
		{name: "legacy globals and fetch", legacy: true, fetch: true, extra: append(append([]string{}, legacyGlobalNames...), fetchGlobalNames...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testGlobalsExactSet(t, tc.legacy, tc.fetch, tc.extra)
		})
	}
}

func testGlobalsExactSet(t *testing.T, legacy, fetch bool, extra []string) {
	installed := false
	globals := []registry.GlobalInstaller{func(rt *goja.Runtime, host registry.Host) error {
		installed = true
		return rt.Set("auth0", map[string]any{"domain": "tenant.example"})
	}}
	if fetch {
		globals = append(globals, httpmods.FetchGlobal())
	}
	// listing the keys does not read the legacy accessors; typeof is not checked for them
	e := mustExecutor(t, Config{LegacyGlobals: legacy, Globals: globals}, `function (user, context, callback) {
  user.own = Reflect.ownKeys(globalThis).map(String).sort();
  user.types = {};
  for (const name of context.check) {
    if (!context.skip.includes(name)) user.types[name] = typeof globalThis[name];
  }
  user.console = Object.keys(console).sort();
  callback(null, user, context);
}`)
	standard := []string{"Object", "Function", "Array", "String", "Number", "Boolean", "Symbol", "BigInt", "Math",
		"JSON", "Date", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError",
		"URIError", "Promise", "Proxy", "Reflect", "Map", "Set", "WeakMap", "WeakSet", "DataView", "globalThis",
		"parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "encodeURI",
		"decodeURI", "escape", "unescape", "eval", "AggregateError"}
	absent := []string{"process", "module", "exports", "__dirname", "__filename", "print", "load", "Deno",
		"Bun", "importScripts", "window", "self", "performance", "queueMicrotask", "structuredClone", "WebAssembly",
		"GoError", "__sandbox"}
	if !fetch {
		absent = append(absent, fetchGlobalNames...)
	}
	if !legacy {
		absent = append(absent, legacyGlobalNames...)
	}
	check, skip := []any{}, []any{}
	for _, n := range append(append(append(append([]string{}, standard...), absent...), sandboxGlobals...), ecmaGlobals...) {
		check = append(check, n)
	}
	if legacy {
		for _, n := range legacyGlobalNames {
			skip = append(skip, n)
		}
	}
	r := mustRun(t, e, nil, map[string]any{"check": check, "skip": skip})
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	if !installed {
		t.Fatal("the Globals installer did not run")
	}
	if len(r.Requires) != 0 {
		t.Fatalf("listing the globals required modules: %+v", r.Requires)
	}
	want := append(append(append([]string{}, sandboxGlobals...), ecmaGlobals...), "Symbol(Symbol.toStringTag)", "auth0")
	want = append(want, extra...)
	sort.Strings(want)
	var got []string
	for _, k := range r.User["own"].([]any) {
		got = append(got, k.(string))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("own global keys:\n got %q\nwant %q", got, want)
	}
	types := r.User["types"].(map[string]any)
	for _, n := range standard {
		if types[n] == "undefined" {
			t.Errorf("standard global %s is missing", n)
		}
	}
	for _, n := range absent {
		if types[n] != "undefined" {
			t.Errorf("global %s must not exist (typeof %v)", n, types[n])
		}
	}
	for _, n := range append(append([]string{}, sandboxGlobals...), ecmaGlobals...) {
		if types[n] == "undefined" && n != "undefined" {
			t.Errorf("sandbox global %s is missing", n)
		}
	}
	if got := strings.Join(toStrings(r.User["console"]), ","); got != "debug,error,info,log,warn" {
		t.Errorf("console methods = %s", got)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
