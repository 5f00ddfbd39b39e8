// Package npm stores real npm packages in verq's database and serves them to the sandbox as
// CommonJS modules.
//
// # Basics
//
// A [Store] adds packages: [Store.Add] resolves a spec ("lodash@4.17.21", "lodash@^4", "lodash")
// and its dependency closure against an npm registry the way npm would, downloads the tarballs,
// verifies each against its dist.integrity (sha512 SRI; the sha1 shasum only when no integrity is
// published), unpacks them safely and writes everything in one bbolt transaction: nothing is stored
// unless every download and check succeeded. [Store.AddTarball] adds a local tarball offline; its
// dependencies must already be stored. Files are stored content-addressed (SHA-256), so a file
// shared by several versions is stored once; each version keeps its package.json facts and its
// dependencies pinned to exact stored versions, like a lockfile entry. [Store.Remove] is refused
// while a catalog runtime lists the version or another stored version pins it, unless forced, and
// deletes only contents no other version holds.
//
// A [Source] is a registry.Source: add it to the registry with AddSource and every stored
// name@version resolves to a provider of kind registry.KindPackage whose Load runs the package in
// the rule's runtime, with Node's module rules:
//
//   - the entry point is "exports" (conditions require, node, default) when the package has one,
//     else "main", else index.js; a subpath (lodash@4.17.21/fp) names a file or directory inside
//     the package, with the .js, .json and index.js searches of require;
//   - relative requires stay inside the package; ".." beyond its root and absolute paths fail;
//   - a bare require is a core module when Node would treat it as one (served by the host, i.e. the
//     sandbox's own require), else a bundled node_modules directory, else the package itself
//     through "exports", else the version pinned for that dependency, loaded from the store
//     directly (not through the catalog);
//   - files are wrapped in Node's module wrapper; module, exports, require (with require.resolve),
//     __filename ("/node_modules/name@version/path") and __dirname behave as in Node, including
//     partially loaded exports in require cycles; .json files load as data.
//
// # Caching
//
// Compiled modules are cached by content hash in a bounded LRU owned by the Source and shared by
// every runtime: the first require of a package in a fresh runtime runs its code but does not
// compile it again. Each runtime keeps its own module instances, so globals and exports are never
// shared between runtimes.
//
// # Caveats
//
// The per-runtime module table lives in the host's registry.LocalHost storage. With a host that is
// not a LocalHost, each Load gets a table of its own: files and dependencies required by one Load
// are shared as in Node, but a second Load in the same runtime (another subpath of the package, or
// another package pinning the same dependency) runs those modules again as separate instances.
//
// A core module the sandbox does not provide fails at require time with an error naming it, except
// that a package pinning (or bundling) a dependency of the same name, such as the npm "punycode" or
// "events" polyfills, gets that dependency instead. ES modules (.mjs, "type": "module"), native
// addons (.node), the "imports" field and the "browser" field are not supported; "exports" is
// honoured for require() with the conditions above. Install scripts never run.
//
// Optional dependencies that fail to resolve or download, or that are platform-specific (os or cpu
// restricted), are skipped and reported; peer dependencies are installed unless marked optional.
// Each add resolves its closure afresh, as a new npm install would: a range is satisfied by the
// version npm would pick from the registry, not by an older version already stored.
//
// The --catalog listing of an add ([AddOptions.Runtime]) is a second transaction, in the catalog,
// after the packages are stored; the runtime is checked before anything is downloaded.
package npm
