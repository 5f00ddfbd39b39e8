/*--- {
  "description": "an uncaught require failure is a rule error with the resolver's message and code MODULE_NOT_FOUND",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error_contains": "Cannot find module 'auth0@9.9.9'",
    "failure": {"rule": "pinned", "code": "MODULE_NOT_FOUND", "stack_contains": "at pinned:2:"}
  }
} ---*/
// --- rule: pinned
function (user, context, callback) {
  var ManagementClient = require('auth0@9.9.9').ManagementClient;
  callback(null, user, context);
}
