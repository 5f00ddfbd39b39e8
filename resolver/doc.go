// Package resolver turns the specifier a rule passes to require into a module version the catalog
// allows and the implementation that serves it.
//
// # Basics
//
// A specifier is name[@version][/subpath] ([ParseSpec]). The version separator is the first '@'
// after index 0, so scoped names work: "auth0@2.9.1", "@auth0/rule-utilities@0.2.0",
// "lodash@4.17.21/fp", "lodash/fp". A version is exact ("2.9.1", "2.0.0-alpha.5") or a semver range
// ("^2.9", "~2.30.0", "2.x", ">=2.9 <3", "*").
//
// [Resolver.Resolve] looks the module up in a runtime's [Catalog] and picks the version:
//
//   - exact: that catalog version (string equality);
//   - range: the highest catalog version that satisfies the range and is not blocked; prerelease
//     versions match only when the range names a prerelease of the same MAJOR.MINOR.PATCH, as in npm;
//   - unpinned: the module's default version, or, when the spec's full text ("url", "assert/strict")
//     is a core module in the catalog, that core module.
//
// A spec with a version never resolves to a core module: "url@0.10.3" is the npm package. A
// deprecated version resolves (its [Resolution] carries the reason and the observer sees
// [OutcomeDeprecated]); a blocked one fails with its reason. The [registry.Registry] then names the
// implementation; a version the catalog allows but nothing implements fails with
// [OutcomeNoImplementation].
//
// Failures are [*Error] values whose text follows the require error of Node.js:
//
//	Cannot find module 'auth0@9.9.9': version 9.9.9 is not in catalog "node18" (allowed: 2.9.1, 2.30.0)
//
// Malformed and hostile specs (empty, too long, control characters, paths, traversal, URLs and other
// schemes, percent encodings) fail in [ParseSpec] with a [*SpecError] before any lookup.
//
// # Caching and observing
//
// Answers, failures included, are cached per (runtime, spec) with the catalog's Generation; a catalog
// write makes older answers invisible immediately, so curators' changes apply without a restart. A
// cached Resolve takes one read lock and does not allocate. Every Resolve call is reported to the
// [Observer] given with [WithObserver], with its outcome and duration; [Resolver.Explain] gives the
// step-by-step account used by `verq resolve`.
//
// # Caveats
//
// The cache does not see registry changes: register implementations before resolving, or call
// [Resolver.Purge] afterwards. A Resolution and an Error are shared between callers and must not be
// modified. The Observer runs synchronously on the resolving goroutine.
package resolver
