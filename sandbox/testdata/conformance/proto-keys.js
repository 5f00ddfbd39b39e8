/*--- {
  "description": "a \"__proto__\" key in the input is an own property (as JSON.parse makes it), never a prototype",
  "user": {"app_metadata": {"__proto__": {"isAdmin": true}, "plan": "free"}},
  "context": {"__proto__": {"polluted": true}},
  "expect": {
    "user": {"app_metadata": {"__proto__": {"isAdmin": true}, "plan": "free"}, "isAdmin": "undefined", "own": true, "protoIsObject": true},
    "context": {"__proto__": {"polluted": true}, "clean": true}
  }
} ---*/
// --- rule: protos
function (user, context, callback) {
  user.isAdmin = typeof user.app_metadata.isAdmin;
  user.own = Object.keys(user.app_metadata).includes('__proto__');
  user.protoIsObject = Object.getPrototypeOf(user.app_metadata) === Object.prototype;
  context.clean = ({}).polluted === undefined && context.polluted === undefined;
  callback(null, user, context);
}
