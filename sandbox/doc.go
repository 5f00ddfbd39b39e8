// Package sandbox runs Auth0 Rules in goja runtimes with the Rules contract, hardened and fast.
//
// # Basics
//
// Compile a tenant's rules once, bind them to the tenant with an Executor, and execute the pipeline per
// login:
//
//	rs, err := sandbox.Compile(rules)              // []sandbox.Rule{{Name, Script, Order, Enabled}}
//	ex, err := sandbox.NewExecutor(rs, sandbox.Config{
//		Tenant:        "acme",
//		Runtime:       "node18",                    // the catalog the resolver answers from
//		Resolver:      res,                         // *resolver.Resolver
//		Configuration: map[string]string{"KEY": "value"},
//	})
//	res, err := ex.Execute(ctx, user, context)     // map[string]any in, *Result out
//
// A Ruleset is immutable and may be shared; an Executor is safe for concurrent Execute calls. The
// Result carries the outcome (ok, unauthorized, error, timeout), the final user and context as plain
// Go values, the console output per rule, every require with what it resolved to, every outbound
// HTTP call (rule, method, host, status, duration, error; never bodies, query strings or
// credentials), the time of each rule and the warnings (a second callback, a deprecated module).
// Execute returns an error only for misuse or an internal failure; everything a rule does is an
// Outcome.
//
// # The Rules contract
//
// Each script is a function expression evaluated as `(<script>)` (named or anonymous, async or arrow;
// a trailing `;` or anything else is a CompileError with line and column). Enabled rules run in
// ascending Order. Rule i receives (user, context, callback); what it passes to callback(null, user,
// context) is what rule i+1 receives. The first callback wins, later calls are warnings. An
// UnauthorizedError ends the pipeline as unauthorized with its description; any other error passed
// to callback, an uncaught exception (also in a timer) or an unhandled promise rejection ends it as an
// error naming the rule, with a JS stack whose frames name the rule and line ("at add-roles:3:11").
// A pipeline that does not finish by its deadline (Limits.Timeout, 20s by default, or the context's
// deadline or cancellation) ends as a timeout; a rule that returns without calling back while nothing
// is pending (no timer, no asynchronous operation) can never call back, and is reported as a timeout
// at once instead of at the deadline.
//
// Globals: configuration, UnauthorizedError, global (the global object itself), require, console
// (log, info, warn, error, debug: captured with util.format semantics, capped per execution),
// Buffer, URL, URLSearchParams, setTimeout, clearTimeout, setInterval, clearInterval, setImmediate,
// clearImmediate, and whatever Config.Globals installs (the `auth0` object). There is no process,
// no module/exports, no file system. TestGlobals_ExactSet pins the set.
//
// Legacy globals. With Config.LegacyGlobals, the globals the old Rules sandbox defined for rules to
// use without require are lazy accessors on the global object, each backed by a module:
// request (request), _ (lodash), async (async), q (q), uuid (uuid), crypto and querystring (core
// modules), jwt (jsonwebtoken, with sign accepting the legacy expiresInMinutes), xmldom, xml2js,
// xpath, xtend, Auth0 (auth0), pg, bcrypt, cql (node-cassandra-cql), Pubnub (pubnub), couchbase,
// azure_storage (azure-storage), Knex (knex), mongo (mongo-getdb), ObjectID (mongodb's ObjectID),
// pbkdf2 (easy-pbkdf2, called), mysql(options) and mysql_pool(options) (mysql's createConnection
// and createPool), postgres(connString, cb) (pg's connect), ip(addr).in_range(ranges) (range_check)
// and sqlserver (tedious: connect, Request, Types). The first read requires the module unpinned,
// so the runtime's default version, through the same resolver as require, and records it in
// Result.Requires with Require.Global set, attributed to the rule reading it; the runtime then keeps
// the value as a plain global. A name whose module does not resolve or load is deleted instead:
// it is simply absent (typeof jwt === 'undefined'), and nothing is thrown. A rule's own
// declarations (var _ = …) shadow these globals, and assigning one defines it without a require.
//
// Timers, promise jobs and asynchronous work of Go modules run on an event loop owned by the goroutine
// that called Execute: modules start work with registry.Host.Reserve and complete it from any goroutine;
// the completion runs on the loop, or is dropped once the execution has ended. Timers never outlive
// their execution.
//
// # Runtimes and the global object
//
// Each Executor keeps up to Config.Pool idle runtimes. An execution takes one (or builds one, which
// evaluates every rule once) and returns it afterwards, so `global`, module caches and prototype
// changes persist across executions on that runtime, which is the Rules "per container" behaviour. A runtime
// that was interrupted (deadline, cancellation, memory), overflowed its stack or saw a native panic
// is discarded, which resets its global. Runtimes are never shared between Executors: create one
// Executor per tenant. The registry.Host handed to modules is a registry.LocalHost whose values live
// exactly as long as the runtime (stored npm packages keep their module table there, so packages
// loaded by separate requires share dependency instances as in Node).
//
// # require
//
// require(spec) asks the Resolver (for Config.Runtime) and loads the answer's Provider once per runtime
// and Resolution.Key(). A failure throws an Error with code MODULE_NOT_FOUND and the resolver's message
// ("Cannot find module 'auth0@9.9.9': …"); a provider failure throws MODULE_LOAD_FAILED. Whatever the
// resolver answers, the sandbox itself refuses paths (absolute, relative, `..`, file: URLs) and the
// Node core modules that reach the host (fs, child_process, net, process, vm, os, …).
//
// # Limits and hardening
//
// Deadline. A per-execution runtime timer (no goroutine) calls Runtime.Interrupt at the deadline and
// wakes the loop; context cancellation does the same through context.AfterFunc. A runtime is only
// reused when no interrupt was ever requested for its execution, and its interrupt flag is cleared
// before reuse.
//
// Stack. Runtime.SetMaxCallStackSize(Limits.MaxCallStackSize, 1000 by default) makes deep recursion
// fail fast with "RangeError: Maximum call stack size exceeded".
//
// Regular expressions. goja runs RE2-compatible patterns in linear time; patterns that need
// backtracking (backreferences, lookaround) run on regexp2, whose matching Runtime.Interrupt cannot
// stop. Importing this package sets regexp2.DefaultMatchTimeout to RegexpMatchTimeout (1s) if nothing
// set it before: a match that takes longer ends as "no match" (goja drops the timeout error), and an
// execution whose deadline passed during the match stops as soon as it returns. The setting is
// process-wide, and regexp2's coarse clock can cut a long match after about 100 ms (see
// RegexpMatchTimeout).
//
// Memory. goja has no memory limit; two mechanisms stand in for it. First, the built-ins that could
// allocate (or walk) without bound inside one uninterruptible Go call check their size first and throw
// a RangeError with code ERR_SANDBOX_LIMIT: String.prototype.repeat/padStart/padEnd/split/replace/
// replaceAll and Array.prototype.join may produce at most a quarter of Limits.MaxMemoryBytes; ArrayBuffer,
// the typed arrays and Buffer.alloc/allocUnsafe/concat/from likewise; the Array.prototype methods and
// Array.from refuse receivers longer than MaxArrayLength (goja walks the holes of a sparse array one by
// one; flat counts every nested array it would walk, flatMap each array its callback returns, concat
// spreadable array-likes too; a Proxy as receiver or argument whose length the check would have to
// trust is refused, since its trap could answer differently when the built-in reads it; an accessor
// `length` on a plain object is not caught that way), and JSON.stringify checks for the deadline at every value. Second, for allocation spread over many JS steps, a long-running execution checks the process
// heap (runtime/metrics) every 5ms once it has run JS without a break for 20ms; when the heap exceeds
// Limits.MaxMemoryBytes (1 GiB by default), the execution is interrupted and fails with code
// ERR_MEMORY_LIMIT (its runtime is discarded so the memory is reclaimed) at once if the heap is over twice
// the limit or a collection completed since the execution's first check found live data over it, and
// otherwise only after a forced garbage collection confirms that live data is over it. Limits of this
// design: a heap over twice the limit stops long-running executions without asking whether it is
// garbage, so with GOGC well above 100 set GOMEMLIMIT (or a MaxMemoryBytes above half the peak heap)
// lest a merely untidy heap stop them; string concatenation is one uninterruptible Go copy per `+`,
// and while a large one runs the collector cannot finish and the watchdog's timer may not run, so a
// string doubling itself (s += s) is stopped only after the copy under way, with the heap up to about
// four times the limit and, for copies of several GiB, seconds past the deadline; the heap is the whole process's, not the
// execution's, so MaxMemoryBytes must be set above what the rest of the process holds; executions
// that return to the loop in under 20ms are never chosen, and several executions running JS for long
// stretches when the heap is over the limit are all stopped; a single allocation in Go code that no
// guard covers (a module's native function) cannot be interrupted.
//
// Source text. goja parses and compiles in one uninterruptible Go call, so Function, its async and
// generator siblings (also when reached through a prototype's constructor, which is the guarded one)
// and RegExp refuse sources longer than MaxSourceLength (1 MiB) with a RangeError, code
// ERR_SANDBOX_LIMIT. eval is not limited: goja treats eval(x) as a direct eval (local scope) only when
// it calls its own eval function, which a wrapper would turn into an indirect one, so a rule that
// builds and evals tens of MB of source can overrun its deadline by the seconds the parse takes.
//
// Go values. Every runtime hides Go methods (a FieldNameMapper whose MethodName returns "") and shows
// struct fields only under their json tag. A Go panic in a sandbox native function (console, timers,
// require, the guards) becomes a catchable JS Error (code ERR_INTERNAL); a panic escaping a module's
// native function unwinds the runtime, so it ends the pipeline as an error (code ERR_NATIVE_PANIC) and
// the runtime is discarded; the process and other executions are unaffected. Parsing never loads
// source maps (a sourceMappingURL comment could name a host file), also for eval and new Function.
//
// Isolation. constructor.constructor('return this')() and the like reach only the runtime's own global;
// prototype pollution and globals stay within the runtime and so within the Executor.
//
// # Performance
//
// Moving user and context in and out is most of a small rule's cost, so the two top-level objects are
// goja dynamic objects over the caller's maps: a property becomes a native JS value only when a rule
// reads it, writes are kept aside, and exporting copies only what JS touched while sharing the rest with
// the input. Callbacks and rule functions are built once per runtime.
//
// Executions allocate (goja objects, promises, the exported result: about 1.4 KB in 10 allocations for
// a trivial rule), so in a process whose heap is only a few MiB the garbage collector runs every few
// milliseconds and its mark phases and write barriers cost more CPU per execution as more of them run
// in parallel: on 2 cores, one executor's throughput is about 1.05× its single-core throughput with
// GOGC=100 and about 1.6× with GOGC=400. A server process has a larger heap; processes that run little
// else should raise GOGC (the verq commands that execute rules use 400 unless GOGC is set) or set
// GOMEMLIMIT rather than run the collector hundreds of times a second.
//
// # Caveats
//
//   - The top-level user and context are dynamic objects: they behave as plain objects (input keys
//     sorted, then added keys; in, delete, spread, JSON.stringify, Object.keys/assign all work),
//     but Object.freeze/seal/preventExtensions, accessor or non-writable property definitions and symbol
//     keys on them throw a TypeError. Nested objects are ordinary JS objects.
//   - Result.User and Result.Context share the values the rules did not touch with the maps passed to
//     Execute (a map no rule read or changed, holding only plain values, is returned as is); Execute
//     never modifies its inputs, but a caller that modifies one should copy first.
//   - A callback kept in `global` from an earlier execution and called while the same rule runs again
//     counts as that rule's callback.
//   - A module's native function that ignores the error of a JS callback it calls hides that exception
//     from the pipeline.
package sandbox
