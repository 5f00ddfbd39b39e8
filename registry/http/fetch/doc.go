// Package fetch serves the npm module node-fetch 2.x (Range ">=2.0.0 <3") to rules and, through
// [FetchGlobal], the standard global fetch of Node.js 18, both implemented in Go over verq's egress
// core: every call goes through the executor's policy-enforcing client, is bound to the execution's
// context, runs off the JavaScript goroutine and settles its promise on the loop.
//
// # Basics
//
// Register [New] in a registry. require('node-fetch') returns fetch, with fetch.default,
// fetch.Headers, fetch.Request, fetch.Response, fetch.FetchError and fetch.isRedirect:
//
//	fetch(url | Request[, {method, headers, body, redirect, follow, timeout, size}]) → Promise<Response>
//
// headers may be an object, a Headers or an array of [name, value] pairs; body a string
// (text/plain;charset=UTF-8), a Buffer, Uint8Array or ArrayBuffer, or URLSearchParams
// (application/x-www-form-urlencoded;charset=UTF-8). redirect is 'follow' (up to follow, default 20
// but at most the executor's limit), 'manual' (the 3xx response, Location made absolute) or 'error'.
// A Response has ok, status, statusText, url, redirected, headers, bodyUsed, size, timeout, and
// text(), json(), buffer(), arrayBuffer() and clone(). Headers has get (values joined with ", "),
// has, set, append, delete, forEach, raw(), keys(), values(), entries() and iteration, in sorted
// lower-case name order. Status codes outside 2xx resolve (ok is false).
//
// Failures reject with FetchError as node-fetch does: type 'system' ("request to <url> failed,
// reason: <reason>", with code and errno such as ECONNREFUSED, ENOTFOUND, ERR_EGRESS_DENIED,
// ERR_RESPONSE_TOO_LARGE), 'request-timeout', 'no-redirect', 'max-redirect', 'max-size' and
// 'invalid-json'. Invalid arguments reject with TypeError ("Only absolute URLs are supported",
// "Request with GET/HEAD method cannot have body", …).
//
// [FetchGlobal] installs fetch, Headers, Request and Response as (non-enumerable) globals with the
// standard behaviour: network failures reject with TypeError "fetch failed" whose cause is the
// Node.js-style error, json() rejects with the SyntaxError, Headers has getSetCookie() instead of
// raw(), the User-Agent is "undici", and timeout, size and follow are not options.
//
// # Caveats
//
// Bodies are buffered whole: Response.body (a stream), blob(), textConverted(), AbortController
// signals and agents are not supported. Because the body is read before the promise settles, a
// size-limit breach or timeout while reading the body rejects the fetch itself rather than the later
// text() or json(). compress is ignored: Accept-Encoding: gzip is added when the rule sets none, and
// the response is decompressed transparently.
package fetch
