package audit

import (
	"fmt"
	"slices"
)

// legacyGlobals maps each legacy global of the Rules sandbox (defined lazily on the global object
// by the sandbox of old, see the Rules runtime reference §2.8) to the module a rule should require
// instead.
//
// Not listed, because the Rules contract provides them: Buffer (a Node global), UnauthorizedError,
// ValidationError and WrongUsernameOrPasswordError (error classes). crypto and querystring are
// listed but only reported when the audited runtime does not serve them as core modules (the
// sandbox then exposes them as globals); the audit asks the resolver.
var legacyGlobals = map[string]string{
	"_":             "lodash",
	"async":         "async",
	"request":       "request",
	"jwt":           "jsonwebtoken",
	"q":             "q",
	"uuid":          "uuid",
	"xmldom":        "xmldom",
	"xml2js":        "xml2js",
	"xpath":         "xpath",
	"mongo":         "mongo-getdb",
	"mysql":         "mysql",
	"mysql_pool":    "mysql",
	"postgres":      "pg",
	"pg":            "pg",
	"ip":            "range_check",
	"ObjectID":      "mongodb",
	"cql":           "node-cassandra-cql",
	"Pubnub":        "pubnub",
	"sqlserver":     "tedious",
	"bcrypt":        "bcrypt",
	"Auth0":         "auth0",
	"pbkdf2":        "easy-pbkdf2",
	"couchbase":     "couchbase",
	"xtend":         "xtend",
	"azure_storage": "azure-storage",
	"Knex":          "knex",
	"crypto":        "crypto",
	"querystring":   "querystring",
}

// coreLegacy are the legacy globals that are core modules: not reported when the runtime serves them.
var coreLegacy = []string{"crypto", "querystring"}

// legacyMessage is the message of a legacy_global finding.
// A core legacy global is only reported when the runtime does not serve that core module.
func legacyMessage(name string, uses int, runtime string) string {
	mod := legacyGlobals[name]
	times := "once"
	if uses > 1 {
		times = fmt.Sprintf("%d times", uses)
	}
	advice := fmt.Sprintf("add `const %s = require('%s@VERSION')`", name, mod)
	if slices.Contains(coreLegacy, name) {
		advice = fmt.Sprintf("runtime %q serves no core module %s", runtime, mod)
	}
	return fmt.Sprintf("legacy sandbox global `%s` is used without require (%s); %s", name, times, advice)
}
