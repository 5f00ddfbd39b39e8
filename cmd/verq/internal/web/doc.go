// Package web is the HTTP server of `verq serve`: a page to browse the allowed module versions of each
// runtime, a JSON API to read and (with the admin token) curate them, the canirequire-compatible list,
// rule execution, and the operations endpoints.
//
// # Basics
//
// New builds a Server from a Config whose only required field is the Catalog (a *catalog.Store).
// The Server is an http.Handler; Serve runs it on a listener with timeouts and a graceful shutdown.
// Registry names how each version is implemented, Execute runs rulesets (the binary wires the sandbox),
// Usage says which rules require each version, Token authorizes admin requests and Metrics collects
// what /metrics exports.
//
// # Routes
//
// Pages (server-rendered HTML, same-origin CSS and JavaScript only; everything works without
// JavaScript through ?runtime= and ?q=):
//
//	GET  /                                   modules of ?runtime= (default: Config.DefaultRuntime) matching ?q=
//	GET  /modules/{name}                     one module: versions, history and, with Usage, the rules requiring each
//	GET  /static/{file}                      embedded CSS, JavaScript, icon (cache forever with ?v=<hash>)
//
// Reads (JSON; ETag, If-None-Match → 304, Cache-Control: no-cache; CORS: Access-Control-Allow-Origin: *).
// {runtime} in the path, or ?runtime= on the short forms under /api/v1/ (default Config.DefaultRuntime):
//
//	GET  /canirequire[?runtime=&format=verquire]           the canirequire list {node_version, modules:[{name, version}]}
//	GET  /api/v1/runtimes/{runtime}/canirequire             the same list for {runtime}
//	GET  /api/v1/runtimes                                   RuntimesResponse
//	GET  /api/v1/runtimes/{runtime}                         catalog.RuntimeInfo
//	GET  /api/v1/runtimes/{runtime}/modules?q=&page=&per_page=   ModulesPage (page from 0, per_page ≤ 500)
//	GET  /api/v1/runtimes/{runtime}/modules/{name}          ModuleView
//	GET  /api/v1/runtimes/{runtime}/modules/{name}/versions/{version}   VersionDetail
//	GET  /api/v1/runtimes/{runtime}/modules/{name}/history?limit=      HistoryResponse
//	GET  /api/v1/runtimes/{runtime}/resolve?spec=           resolver.Explanation (200 whatever the outcome)
//	GET  /api/v1/runtimes/{runtime}/history?limit=          HistoryResponse
//	GET  /api/v1/modules…, /api/v1/resolve, /api/v1/history  the same with ?runtime= (history: all runtimes without it)
//	GET  /api/v1/usage?tenant=&runtime=&rule=&module=&version=   UsageResponse: recorded run-time requires (never cached)
//
// Module names go into paths as they are: /modules/@auth0/rule-utilities, /modules/assert/strict
// ("%2F" for the slash works too). A name runs until one of the segments versions, history or default.
//
// Admin writes and execution need "Authorization: Bearer <token>"; without a valid token the answer is
// 401 and nothing changes. Each write is one catalog transaction recorded in the history with the actor
// "admin", or "admin:<X-Verq-Actor header>". Bodies are JSON (≤ Config.MaxBodyBytes, default 1 MiB) and
// unknown fields are refused:
//
//	PUT    /api/v1/runtimes/{runtime}                       create a runtime {node_version}; 201, or 200 if it exists
//	POST   /api/v1/runtimes/{runtime}/import?dry_run=&replace=&format=&node_version=
//	                                                        body: a canirequire list or packages.json (≤ 8 MiB) → ImportResponse
//	PUT    /api/v1/runtimes/{runtime}/modules/{name}/versions/{version}          allow a version; 201, or 200 if listed
//	DELETE /api/v1/runtimes/{runtime}/modules/{name}/versions/{version}          remove it
//	PUT    /api/v1/runtimes/{runtime}/modules/{name}/versions/{version}/status   StatusRequest {status, reason}
//	PUT    /api/v1/runtimes/{runtime}/modules/{name}/default                     DefaultRequest {version}
//	PATCH  /api/v1/runtimes/{runtime}/modules/{name}                             ModuleInfoRequest {homepage, notes}
//	POST   /api/v1/execute                                  ExecuteRequest → the sandbox result (what `verq run --json` prints)
//
// Module writes answer WriteResponse. Operations:
//
//	GET  /healthz    200 while the process serves
//	GET  /readyz     200 when the catalog is readable, 503 while shutting down
//	GET  /metrics    Prometheus text format (see Metrics)
//
// The canirequire list is what a rule can require: natives first, then packages, each sorted by name,
// one entry per (name, version), a module's default version first among its versions (so importing the
// list reproduces the defaults), deprecated versions included and blocked ones left out.
//
// Every error is the JSON ErrorBody {error, code, status[, details]} under /api/ and an HTML page
// elsewhere: 400 malformed input, 401 missing or wrong token, 404 unknown runtime, module, version or
// route, 405 wrong method, 413 body too large, 415 non-JSON body, 422 rules that do not compile,
// 501 execution disabled, 503 read-only catalog.
//
// # Caching
//
// Reads are rendered once per catalog generation (catalog.Store.Generation) and kept in a bounded
// in-memory cache, gzip-compressed when large. Their weak ETag is made of a random server-instance id,
// the generation and the request path and query, so a conditional request is answered without reading
// the catalog, and tags never survive a restart (another process may have changed the file meanwhile).
// Module reads are not cached when a Usage hook is set, since usage changes without a catalog write.
//
// # Admin token
//
// The binary takes the token from VERQ_ADMIN_TOKEN, or generates one at the first start, prints it once
// and stores only its SHA-256 in the catalog database, bucket AdminBucket ("web.admin"); LoadToken and
// CreateToken manage it. Token.Check compares hashes with crypto/subtle in constant time.
// Writes are not offered to other origins: CORS preflights allow GET and HEAD only.
//
// # Security
//
// Every response carries Content-Security-Policy "default-src 'self'; … frame-ancestors 'none'",
// X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and X-Frame-Options: DENY. Pages are
// html/template, so every string from the catalog (names, reasons, notes, actors) is escaped for its
// context; the page has no inline script or style.
//
// # Caveats
//
// The server holds the catalog open read-write for its lifetime (bbolt's file lock): other verq commands
// on the same file wait for it and then fail with catalog.ErrLocked. Curate through the API while it
// runs, or start it with --read-only, which lets read-only commands share the file but makes every write
// answer 503.
package web
