// Package tenant is verq's local tenant: a real, persistent implementation of the part of the
// Auth0 Management API v2 that rules and the ManagementClient use — users, users-by-email, user
// roles, roles, rules and rules-configs — stored in a bbolt file and served over HTTP or in-process.
//
// # Basics
//
// [Open] opens (or creates, with example users and roles) a tenant database. The tenant's
// [Tenant.Handler] serves the API under /api/v2/ and client-credentials tokens at /oauth/token;
// [Tenant.RoundTripper] serves the same handler without a socket, for in-process clients such as
// the ManagementClient shim; [Serve] runs it as an HTTP(S) server.
//
// Every API call needs a bearer token from [Tenant.IssueToken] (or from /oauth/token with the
// credentials of a [Tenant.CreateClient] client) carrying the endpoint's scopes, e.g. read:users.
// Errors use the API's body: {"statusCode":404,"error":"Not Found","message":"The user does not
// exist.","errorCode":"inexistent_user"}. Endpoints outside the subset answer 501 in that shape.
//
// Semantics follow the Management API: v3 user search (q with search_engine=v3, parsed by package
// query; the 1000-result window; sort, fields, include_totals), PATCH metadata merging (top-level
// merge, null deletes a key, {} wipes, nested objects replaced), rule name and order rules with
// their 409s, write-only rules-configs values. Rate limiting per token is available
// (Options.RateLimit) with X-RateLimit-* headers and 429 too_many_requests.
//
// The Go API serves the rule runtime and the CLI directly: [Tenant.EnabledRules] and
// [Tenant.Configuration] load a tenant's pipeline, [Tenant.ListUsers], [Tenant.ImportUsers] and
// [Tenant.ExportUsers] manage users.
//
// # Storage and concurrency
//
// The whole tenant is kept in memory (indexes rebuilt at open) and every write is a durable bbolt
// transaction: a call returns only after its commit. Concurrent writes are grouped into shared
// transactions (group commit) so they share the cost of the disk syncs; writes to the same user,
// rule set or key keep their order. One process opens a file read-write at a time; others wait
// Options.LockTimeout and then fail with [ErrLocked], naming the holder from the <path>.holder
// file. Read-only opens share the file with each other.
//
// # Caveats
//
// The local tenant sends no email or SMS: verify_email and similar flags are accepted and ignored.
// Connections are fixed: Username-Password-Authentication (database), email and sms (passwordless)
// and common social connections (which, as in the service, cannot create users through the API).
// Stored emails are lower-cased; users-by-email matches the stored email exactly. Search reads the
// committed state directly, so it is immediately consistent (the service's search is not).
package tenant
