/*--- {
  "description": "a rejection handled with catch is not an error",
  "user": {},
  "context": {},
  "expect": {
    "user": {"caught": "nope"},
    "no_warnings": true
  }
} ---*/
// --- rule: catches
function (user, context, callback) {
  Promise.reject(new Error('nope'))
    .catch(function (e) { user.caught = e.message; })
    .then(function () { callback(null, user, context); });
}
