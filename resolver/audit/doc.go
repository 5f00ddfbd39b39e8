// Package audit tells rule authors and operators what their rules depend on: which module versions
// each rule requires, what breaks if a version leaves the catalog, and which ManagementClient calls
// the required auth0 version does not have. It reads rules; it never runs them.
//
// # Basics
//
// [Run] audits a set of [Rule] scripts against one runtime's catalog through a [Resolver] (the
// real *resolver.Resolver) and returns a [Report] with three views: by rule ([RuleReport], with
// its requires and ManagementClient calls), by module and version ([ModuleUsage]), and the flat
// list of [Finding] values. [WhatIfRemove] answers "what if this version is removed" from a report.
// [Report.Write] and [Impact.Write] render the results as an aligned table, JSON, CSV or SARIF
// 2.1.0; [Report.Fails] implements a --fail-on level.
//
// Each rule is parsed the way the runtime evaluates it, as "(" + script + ")", with goja's own
// parser; line and column numbers refer to the rule's own text. Then, per rule:
//
//   - Every require(...) call whose callee is the free name require is listed. A literal spec
//     (a string, or a template literal without substitutions) is resolved: ok, unpinned (follows
//     the default), range, core, deprecated, not_in_catalog, blocked, no_implementation or
//     invalid_spec. Any other argument is a dynamic_require.
//   - The value of require('auth0…') is followed through variables, destructuring
//     (const { ManagementClient } = …), global.x properties and `a || b` into new …(…), and calls
//     on the instance are checked against the version the spec resolves to: flat methods
//     (management.getUserRoles) against [MethodTable]; manager methods (management.users.getAll)
//     against [ManagerTable] when the table implements it, else through the flat method that
//     delegates to the manager method in npm auth0 2.x/3.x (users.getAll → getUsers). A missing
//     method is an error naming the first version that has it.
//   - Legacy sandbox globals (_, request, jwt, q, async, uuid, xmldom, …) used without a
//     declaration or assignment in the rule are legacy_global warnings. Buffer and the Rules error
//     classes are part of the contract and never reported; crypto and querystring are reported only
//     when the runtime does not serve them as core modules.
//   - A rule that does not parse, or is not a function expression, is a parse_error; the audit goes
//     on with the next rule.
//
// # Run-time usage
//
// The static views say what rules could require; [UsageRecorder] records what they did require when
// they ran. Feed it every require of every execution ([UsageRecord]: tenant, runtime, rule, spec,
// what it resolved to and any error); it aggregates in memory per (tenant, runtime, rule, spec,
// resolved) key (count, errors, last error, first and last seen) and [UsageRecorder.Flush] merges the
// aggregates into the bbolt file in one transaction, under the buckets [UsageBuckets] names ("usage."
// prefix, beside the catalog's). [UsageRecorder.Start] flushes in the background and
// [UsageRecorder.Close] flushes a last time. [ReadUsage] reads the rows back (read-only is enough),
// filtered by [UsageFilter] and sorted by module and version; [WriteUsage] renders them as a table,
// JSON or CSV.
//
// Record costs about 60 ns and no allocation for a key already held: three of the five key strings
// are hashed, under a read lock of one of 32 shards, and the time it stamps is a clock refreshed each
// [UsageClockResolution] by the background goroutine (and by every Flush), so without Start the
// first and last seen times only advance at flushes. Keys idle for a whole flush interval leave
// memory; [UsageOptions].MaxKeys bounds the rest, and fields and error messages are cut to
// [MaxUsageFieldBytes] and [MaxUsageErrorBytes], so hostile specs cannot grow the aggregate without
// bound. Error messages do not split keys: the latest one is kept. The stored rows are never pruned.
//
// # Caveats
//
// The value analysis is flow-insensitive: a variable holds the join of everything assigned to it
// anywhere in the rule, so a client variable that is also assigned something else is not checked
// (no false positives, some misses). Values passed through function calls, object properties other
// than global.x, or computed member names are not followed. `a || b` assumes the untracked side
// holds the tracked one (the `global.client = global.client || new ManagementClient(…)` idiom).
//
// The audit resolves each distinct spec once per Run; a Resolver must be safe for concurrent use.
// Scripts larger than [MaxScriptBytes] are not parsed, and parts nested deeper than the analyser
// follows are reported as incomplete. Source maps named in scripts are never loaded.
package audit
