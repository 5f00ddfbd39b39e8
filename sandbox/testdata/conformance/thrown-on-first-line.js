/*--- {
  "description": "columns on a rule's first line are those of the script, not of the wrapped expression",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error": "x",
    "failure": {"rule": "one-liner", "stack_contains": "at one-liner:1:44"}
  }
} ---*/
// --- rule: one-liner
function (user, context, callback) { throw new Error('x'); }
