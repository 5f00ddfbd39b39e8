/*--- {
  "description": "the last rule throwing after it called back: the pipeline already finished, the exception is a warning",
  "user": {},
  "context": {},
  "expect": {
    "outcome": "ok",
    "warnings_contain": ["rule \"last\" threw after the pipeline finished: too late"]
  }
} ---*/
// --- rule: last
function (user, context, callback) {
  callback(null, user, context);
  throw new Error('too late');
}
