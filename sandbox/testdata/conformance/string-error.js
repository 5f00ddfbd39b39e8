/*--- {
  "description": "a string passed as the error is the message (the Rules sandbox wraps it as {message})",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error": "access denied by policy",
    "failure": {"rule": "deny"}
  }
} ---*/
// --- rule: deny
function (user, context, callback) { callback('access denied by policy'); }
