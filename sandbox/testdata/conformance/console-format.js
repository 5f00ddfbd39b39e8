/*--- {
  "description": "console methods are captured per rule with util.format semantics",
  "user": {"name": "jane"},
  "context": {},
  "expect": {
    "logs": [
      {"rule": "logs", "level": "log", "message": "hello jane 42 {\"a\":[1,\"x\"]} 100%"},
      {"rule": "logs", "level": "info", "message": "{ a: 1, b: 'two', c: [ 1, 2, 3 ], d: { e: { f: [Object] } } } [ 'x', null, undefined ]"},
      {"rule": "logs", "level": "warn", "message": "3.5 true null undefined -0 10n"},
      {"rule": "logs", "level": "error", "message": "[Function: named] [Function (anonymous)] { 'a-b': 1, self: [Circular] }"},
      {"rule": "logs", "level": "debug", "message": "%s alone"},
      {"rule": "second", "level": "log", "message": "Error: boom\n    at second:2:15"}
    ]
  }
} ---*/
// --- rule: logs
function (user, context, callback) {
  console.log('hello %s %d %j %d%%', user.name, 42, {a: [1, 'x']}, 100);
  console.info({a: 1, b: 'two', c: [1, 2, 3], d: {e: {f: {g: 1}}}}, ['x', null, undefined]);
  console.warn(3.5, true, null, undefined, -0, 10n);
  var circ = {'a-b': 1}; circ.self = circ;
  console.error(function named() {}, function () {}, circ);
  console.debug('%s alone');
  callback(null, user, context);
}
// --- rule: second
function (user, context, callback) {
  console.log(new Error('boom'));
  callback(null, user, context);
}
