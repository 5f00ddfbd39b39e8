/*--- {
  "description": "UnauthorizedError ends the pipeline as unauthorized with its description; later rules do not run",
  "user": {"email": "mallory@evil.example", "email_verified": false},
  "context": {},
  "expect": {
    "outcome": "unauthorized",
    "error": "Please verify your email before logging in.",
    "failure": {"rule": "verify-email", "name": "UnauthorizedError", "code": "unauthorized",
      "description": "Please verify your email before logging in.", "status_code": 401, "stack_contains": "verify-email:3:"},
    "rules_ran": ["verify-email"]
  }
} ---*/
// --- rule: verify-email
function (user, context, callback) {
  if (!user.email_verified) {
    return callback(new UnauthorizedError('Please verify your email before logging in.'));
  }
  callback(null, user, context);
}
// --- rule: after
function (user, context, callback) { user.after = true; callback(null, user, context); }
