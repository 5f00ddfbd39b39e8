package sandbox

import (
	"errors"

	"github.com/dop251/goja"
)

// legacyGlobal is one global of the old Rules sandbox that rules used without require (the
// `extend(global)` of auth0-authz-rules-api): a name backed by a module, required on first access.
type legacyGlobal struct {
	// name is the global.
	name string
	// module is the module required, without a version: the runtime's default version.
	module string
	// adapt, when set, evaluates to a function that turns the module's exports into the global's
	// value (for globals that were a function over the module, such as mysql(options)).
	adapt *goja.Program
}

// legacyGlobals is the legacy set of the Rules sandbox, in its order, minus the names the sandbox
// always defines (Buffer, UnauthorizedError) and the error classes of custom database scripts
// (ValidationError, WrongUsernameOrPasswordError), which no module backs.
var legacyGlobals = []legacyGlobal{
	{name: "mongo", module: "mongo-getdb"},
	{name: "mysql", module: "mysql", adapt: legacyAdapter("mysql", `function (m) {
  return function mysql(options) { return m.createConnection(options); };
}`)},
	{name: "mysql_pool", module: "mysql", adapt: legacyAdapter("mysql_pool", `function (m) {
  return function mysql_pool(options) { return m.createPool(options); };
}`)},
	{name: "postgres", module: "pg", adapt: legacyAdapter("postgres", `function (m) {
  return function postgres(connString, callback) { return m.connect(connString, callback); };
}`)},
	{name: "ip", module: "range_check", adapt: legacyAdapter("ip", `function (m) {
  return function ip(addr) {
    return { in_range: function (ranges) { return m.in_range(addr, ranges); } };
  };
}`)},
	{name: "querystring", module: "querystring"},
	{name: "ObjectID", module: "mongodb", adapt: legacyAdapter("ObjectID", `function (m) { return m.ObjectID; }`)},
	{name: "async", module: "async"},
	{name: "pg", module: "pg"},
	// jwt is a shim over jsonwebtoken that still accepts the pre-5.0 option expiresInMinutes.
	{name: "jwt", module: "jsonwebtoken", adapt: legacyAdapter("jwt", `function (m) {
  return {
    decode: m.decode,
    verify: m.verify,
    sign: function (payload, secret, options, callback) {
      if (options && options.expiresInMinutes !== undefined) {
        options = Object.assign({}, options);
        options.expiresIn = options.expiresInMinutes + 'm';
        delete options.expiresInMinutes;
      }
      return callback === undefined ? m.sign(payload, secret, options) : m.sign(payload, secret, options, callback);
    }
  };
}`)},
	{name: "cql", module: "node-cassandra-cql"},
	{name: "_", module: "lodash"},
	{name: "Pubnub", module: "pubnub"},
	{name: "sqlserver", module: "tedious", adapt: legacyAdapter("sqlserver", `function (m) {
  return {
    connect: function (config) { return new m.Connection(config); },
    Request: m.Request,
    Types: m.TYPES
  };
}`)},
	{name: "request", module: "request"},
	{name: "bcrypt", module: "bcrypt"},
	{name: "uuid", module: "uuid"},
	{name: "Auth0", module: "auth0"},
	{name: "crypto", module: "crypto"},
	{name: "pbkdf2", module: "easy-pbkdf2", adapt: legacyAdapter("pbkdf2", `function (m) { return m(); }`)},
	{name: "xmldom", module: "xmldom"},
	{name: "xml2js", module: "xml2js"},
	{name: "xpath", module: "xpath"},
	{name: "couchbase", module: "couchbase"},
	{name: "xtend", module: "xtend"},
	{name: "q", module: "q"},
	{name: "azure_storage", module: "azure-storage"},
	{name: "Knex", module: "knex"},
}

func legacyAdapter(name, src string) *goja.Program {
	return mustCompileInternal("<sandbox:legacy "+name+">", "("+src+")")
}

// installLegacyGlobals defines every legacy global as a lazy accessor on the global object. The
// first read requires the module (recorded like a require, with Require.Global naming the global and
// attributed to the rule reading it) and replaces the accessor with a plain data property holding
// the value; when the module does not resolve or load, the global is deleted instead, so it is simply
// absent (typeof name === 'undefined') and nothing is thrown. Assigning the global first (a rule's
// own `_ = …`) defines it without requiring anything; a rule's own declarations shadow it as usual.
func (v *vm) installLegacyGlobals() error {
	g := v.rt.GlobalObject()
	for i := range legacyGlobals {
		lg := &legacyGlobals[i]
		name := lg.name
		loading := false
		define := func(val goja.Value) {
			_ = g.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		}
		getter := v.nativeFunc("get "+name, 0, func(goja.FunctionCall) goja.Value {
			if loading {
				// read by the module's own code while it loads (lodash keeps the previous global `_`)
				return goja.Undefined()
			}
			loading = true
			val := v.legacyValue(lg)
			loading = false
			if val == nil {
				_ = g.Delete(name)
				return goja.Undefined()
			}
			define(val)
			return val
		})
		setter := v.nativeFunc("set "+name, 1, func(call goja.FunctionCall) goja.Value {
			define(call.Argument(0))
			return goja.Undefined()
		})
		if err := g.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	return nil
}

// legacyValue requires lg's module and adapts it; nil when the module does not resolve or load, or
// the adapter throws or yields undefined. Uncatchable errors (an interrupt) keep unwinding.
func (v *vm) legacyValue(lg *legacyGlobal) goja.Value {
	exports, err := v.requireAs(lg.module, lg.name)
	if err != nil {
		if isUncatchable(err) {
			panic(err)
		}
		return nil
	}
	if lg.adapt == nil {
		return exports
	}
	fnVal, err := v.rt.RunProgram(lg.adapt)
	if err != nil {
		return nil
	}
	fn, _ := goja.AssertFunction(fnVal)
	val, err := fn(goja.Undefined(), exports)
	if err != nil {
		if isUncatchable(err) {
			panic(err)
		}
		return nil
	}
	if goja.IsUndefined(val) || goja.IsNull(val) {
		return nil
	}
	return val
}

// isUncatchable reports whether err is an interrupt or a stack overflow, which must unwind the runtime.
func isUncatchable(err error) bool {
	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	return errors.As(err, &interrupted) || errors.As(err, &overflow)
}
