/*--- {
  "description": "an async rule that throws leaves a rejected promise unhandled: the pipeline ends as an error",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "error",
    "error": "lookup failed",
    "failure": {"rule": "async-throw", "name": "Error", "code": "ERR_UNHANDLED_REJECTION", "stack_contains": "async-throw:3:"}
  }
} ---*/
// --- rule: async-throw
async function (user, context, callback) {
  await null;
  throw new Error('lookup failed');
}
