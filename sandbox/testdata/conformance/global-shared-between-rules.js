/*--- {
  "description": "all rules of a pipeline share one global object (functions defined by an earlier rule)",
  "user": {"name": "jane"},
  "context": {},
  "expect": {
    "user": {"name": "jane", "greeting": "Hi JANE", "same": true}
  }
} ---*/
// --- rule: define-helpers
function (user, context, callback) {
  global.shout = function (s) { return s.toUpperCase(); };
  callback(null, user, context);
}
// --- rule: use-helpers
function (user, context, callback) {
  user.greeting = 'Hi ' + global.shout(user.name);
  user.same = global === globalThis;
  callback(null, user, context);
}
