/*--- {
  "description": "the top-level user object behaves like a plain object: keys, in, hasOwnProperty, spread, JSON, delete",
  "user": {"b": 2, "a": 1, "nested": {"x": [1, 2]}},
  "context": {},
  "expect": {
    "user": {"a": 1, "b": 2, "nested": {"x": [1, 2, 3]}, "c": 3,
      "keys": ["a", "b", "nested", "c"], "json": "{\"a\":1,\"b\":2,\"nested\":{\"x\":[1,2,3]},\"c\":3}",
      "has": [true, false, true], "spread": 5, "same": true, "type": "object", "proto": true}
  }
} ---*/
// --- rule: plain
function (user, context, callback) {
  user.nested.x.push(3);
  user.c = 3;
  user.tmp = 1;
  delete user.tmp;
  var keys = Object.keys(user);
  var json = JSON.stringify(user);
  var has = ['a' in user, 'tmp' in user, user.hasOwnProperty('nested')];
  var spread = Object.keys({...user, d: 4}).length;
  user.same = user.nested === user.nested;
  user.type = typeof user;
  user.proto = Object.getPrototypeOf(user) === Object.prototype;
  user.keys = keys; user.json = json; user.has = has; user.spread = spread;
  callback(null, user, context);
}
