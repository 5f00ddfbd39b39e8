// Package egress is verq's outbound HTTP core: one policy-enforcing *http.Client per executor and
// the one call path ([Do]) every HTTP module (request, axios, node-fetch, the auth0 shim) goes through.
//
// # Basics
//
// Build a client from [Options] with [NewClient]. Its [Policy] decides which destinations are
// reachable: by default every public address and none of loopback, unspecified, link-local, private
// (RFC 1918, ULA) or carrier-grade NAT; [Policy.Allow] narrows that to host names, wildcards, IPs and
// CIDRs, [Policy.AllowPrivate] opts private ranges in, and [Policy.Map] sends a host to a local
// stand-in (e.g. api.example.com → http://127.0.0.1:9000) so rules that call third-party services
// can run against local fakes.
//
// The policy is enforced where the connection is made: the client resolves names itself and checks
// every address of every answer before dialing, so DNS cannot rebind an allowed name to a private
// address; IP literals, redirects and pooled keep-alive connections all pass the same check (stand-in
// targets have their own pool). A denied call fails with a [*DeniedError] whose message names the
// host, the address and how to permit it.
//
// [Do] sends one request bound to a context (the rule's remaining time), with per-call options
// ([CallOptions]: timeout, redirect mode, lower limits), reads the full body within the size limit
// and returns a [Response]. Every exchange made through a client from NewClient is reported as a
// [Call] (method, host, status, duration, error — never bodies, query strings or credentials) to the
// [Recorder] the context carries ([WithRecorder]).
//
// # Caveats
//
// Environment proxies are ignored: a proxy would hide the destination from the policy. A stand-in
// target receives the Host header of the target, not of the mapped host, and a redirect that names
// the target's own address directly is judged by the policy like any other URL. The size limit
// applies to the body after transparent gzip decoding. Calls are recorded when their body ends
// (EOF, error or Close): a caller that never closes a body loses that record.
package egress
