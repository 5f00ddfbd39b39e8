/*--- {
  "description": "an exception in a timer callback is a rule error attributed to the rule that scheduled it",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error": "late failure",
    "failure": {"rule": "late", "stack_contains": "at late:3:"}
  }
} ---*/
// --- rule: late
function (user, context, callback) {
  setTimeout(function () {
    throw new Error('late failure');
  }, 1);
}
