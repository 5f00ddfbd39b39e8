/*--- {
  "description": "an Error passed to callback ends the pipeline as an error naming the rule; the stack names the rule and line",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error": "upstream said no",
    "failure": {"rule": "call-api", "name": "Error", "code": "E_UPSTREAM", "stack_contains": "at call-api:3:"},
    "rules_ran": ["call-api"]
  }
} ---*/
// --- rule: call-api
function (user, context, callback) {
  // the error is built on line 3 of the rule
  var err = new Error('upstream said no');
  err.code = 'E_UPSTREAM';
  callback(err);
}
// --- rule: never
function (user, context, callback) { callback(null, user, context); }
