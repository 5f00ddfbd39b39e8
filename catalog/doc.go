// Package catalog is verq's store of allowed module versions: for each named runtime ("default",
// "node12", "node18", …) the modules a rule may require, their exact versions, the default version of
// each, and whether a version is allowed, deprecated or blocked. It lives in one bbolt file, keeps an
// append-only history of every change, and imports and exports the two list formats of the
// ecosystem: the canirequire list and verquire's packages.json.
//
// # Basics
//
// [Open] a database file, read with [Store.Module] (the resolver's hot path) or [Store.Modules], and
// change it with [Store.AddVersion], [Store.SetDefault], [Store.SetStatus], [Store.RemoveVersion] or
// [Store.Import]. Every write is one bbolt transaction that also appends a [Change] naming the actor,
// so the history and the data never disagree. [Store.Generation] increases after each committed write
// through a Store; caches of catalog data key on it.
//
// A new file is seeded with the built-in runtime [DefaultRuntime], defined by the embedded
// builtin.json: the core modules and packages verq serves itself ([Builtin] returns it). Extending
// what verq serves means editing that file; a database last seeded by another version of it receives
// the missing modules and versions on its next read-write open (existing defaults and statuses stay).
//
// Lists come in through [ParseList] and [Store.Import]. In imported data, a module's first listed
// package version is its default. A canirequire version written as a semver range ("~0.9.0") is imported as
// the lowest version it names, with a note. [Store.Export] writes a runtime back as a [List] that
// [List.MarshalCanirequire] or [List.MarshalVerquire] render; re-importing it reproduces the same
// modules, versions and defaults.
//
// Errors match the sentinels in this package with errors.Is ([ErrRuntimeNotFound],
// [ErrModuleNotFound], [ErrVersionNotFound], [ErrInvalid], [ErrLocked], [ErrNotCatalog],
// [ErrReadOnly]) and say what was wrong and what to do.
//
// # Core modules and packages
//
// A module is a core module (its "native" entry, [NativeVersion]), a package with exact semantic
// versions, or both under one name: Node's core modules have npm namesakes ("url" is core,
// "url@0.10.3" the npm package; "querystring" and "crypto" too). [Module.Core] is set exactly when
// the "native" entry is listed; that entry carries the core module's status, so blocking
// "crypto@native" blocks the core module. [Module.Default] always names a package version, never
// "native". An unpinned require of a core module gets the core module; a spec with a version never
// does and resolves among the package versions. [Store.AddVersion] of "url@0.10.3" where "url" is
// core adds the package beside it; [Store.RemoveVersion] of "native" leaves the package, and of the
// last package version leaves the core module. In the list formats the "native" entry sits in the
// canirequire natives half and the package versions in the packages half; a verquire
// packages.json has the package versions only.
//
// # File layout
//
// The catalog owns the top-level buckets "meta" (the verq marker and schema version), "runtimes" (one
// nested bucket per runtime, one key per module in a compact binary encoding) and "history" (changes
// under big-endian sequence keys); see [ReservedBuckets]. Other packages may keep their own data in
// the same file through [Store.DB], in top-level buckets prefixed with their package ("pkg.",
// "usage.", …).
//
// # Caveats
//
// bbolt locks the whole file. One process may have it open read-write, or any number read-only, but
// not both: a long-lived read-only opener (a server) keeps writers out until it closes, and a writer
// keeps every other opener out. [Open] waits Options.LockTimeout for the lock, then fails with a
// [*LockedError] that names the file and, from the sidecar file "<path>.holder" a read-write opener
// writes, the holding process. The lock belongs to the open file, not to the process: a second Open
// of the same file in one process waits like any other opener.
//
// Open never writes to a file it does not recognise. It checks the bbolt header itself and the verq
// marker through a read-only handle before opening for writing, so a foreign, damaged or truncated
// file is refused with [ErrNotCatalog] and left byte-identical. Damage deeper inside a file that
// passes these checks is found by [Store.Check], which reads everything.
//
// Every write syncs the file. Batch changes with [Store.Import] rather than many single writes.
//
// The list formats carry no statuses, reasons or notes: an export lists every version, blocked ones
// included, and an import into a new runtime marks everything allowed.
//
// [Store.Generation] counts the writes made through one Store value; it does not see writes made by
// other processes, which cannot happen while this Store holds the write lock but can while it is
// read-only.
package catalog
