/*--- {
  "description": "require resolves through the resolver; modules are cached per runtime; failures throw MODULE_NOT_FOUND",
  "user": {},
  "context": {},
  "expect": {
    "user": {"hello": "hello jane", "sum": 5, "same": true, "fs": "MODULE_NOT_FOUND", "missing": "Cannot find module 'nope@1.0.0'", "path": "MODULE_NOT_FOUND"},
    "requires": [
      {"rule": "requires", "spec": "greet", "resolved": "greet", "cached": false},
      {"rule": "requires", "spec": "lib@1.2.3", "resolved": "lib@1.2.3", "cached": false},
      {"rule": "requires", "spec": "lib@^1", "resolved": "lib@1.2.3", "cached": true},
      {"rule": "requires", "spec": "fs", "error_contains": "Cannot find module 'fs': the module is not available in the sandbox"},
      {"rule": "requires", "spec": "nope@1.0.0", "error_contains": "Cannot find module 'nope@1.0.0'"},
      {"rule": "requires", "spec": "../../etc/passwd", "error_contains": "not available in the sandbox"},
      {"rule": "deprecated", "spec": "old@0.1.0", "resolved": "old@0.1.0", "cached": false}
    ],
    "warnings_contain": ["module old@0.1.0 is deprecated"]
  }
} ---*/
// --- rule: requires
function (user, context, callback) {
  user.hello = require('greet').hello('jane');
  var lib = require('lib@1.2.3');
  user.sum = lib.add(2, 3);
  user.same = require('lib@^1') === lib;
  try { require('fs'); } catch (e) { user.fs = e.code; }
  try { require('nope@1.0.0'); } catch (e) { user.missing = e.message.slice(0, 31); }
  try { require('../../etc/passwd'); } catch (e) { user.path = e.code; }
  callback(null, user, context);
}
// --- rule: deprecated
function (user, context, callback) {
  require('old@0.1.0');
  callback(null, user, context);
}
