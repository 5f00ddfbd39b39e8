/*--- {
  "description": "the first callback wins; later calls are ignored and reported as a warning",
  "user": {},
  "context": {},
  "expect": {
    "user": {"v": 1},
    "warnings_contain": ["rule \"twice\" called callback more than once"],
    "rules_ran": ["twice", "next"]
  }
} ---*/
// --- rule: twice
function (user, context, callback) {
  user.v = 1;
  callback(null, user, context);
  callback(new Error('second call must be ignored'));
}
// --- rule: next
function (user, context, callback) {
  setTimeout(function () { callback(null, user, context); }, 1);
}
