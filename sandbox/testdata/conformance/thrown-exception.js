/*--- {
  "description": "an uncaught exception ends the pipeline as an error with the JS stack naming the rule and line",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error_contains": "Cannot read property 'roles' of undefined",
    "failure": {"rule": "add-roles", "name": "TypeError", "stack_contains": "at add-roles:2:"},
    "rules_ran": ["add-roles"]
  }
} ---*/
// --- rule: add-roles
function (user, context, callback) {
  var roles = user.app_metadata.roles;
  callback(null, user, context);
}
