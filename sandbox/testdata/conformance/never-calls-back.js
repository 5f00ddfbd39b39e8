/*--- {
  "description": "a rule that returns without calling back, with nothing pending, times out (reported at once)",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "timeout",
    "error_contains": "Request to Webtask exceeded allowed execution time: rule \"forgetful\" returned without calling callback",
    "failure": {"rule": "forgetful", "code": "ETIMEDOUT"},
    "rules_ran": ["forgetful"]
  }
} ---*/
// --- rule: forgetful
function (user, context, callback) {
  if (user.never) callback(null, user, context);
}
// --- rule: after
function (user, context, callback) { callback(null, user, context); }
