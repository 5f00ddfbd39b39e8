/*--- {
  "description": "Buffer, URL and URLSearchParams are globals",
  "user": {},
  "context": {},
  "expect": {
    "user": {"b64": "aGVsbG8=", "back": "hello", "hex": "68656c6c6f", "isBuffer": true, "host": "example.com",
      "q": "b", "params": "a=1&b=two+words", "path": "/p/q"}
  }
} ---*/
// --- rule: node
function (user, context, callback) {
  var b = Buffer.from('hello');
  user.b64 = b.toString('base64');
  user.back = Buffer.from(user.b64, 'base64').toString();
  user.hex = b.toString('hex');
  user.isBuffer = Buffer.isBuffer(b);
  var u = new URL('https://example.com/p/q?a=b');
  user.host = u.host;
  user.q = u.searchParams.get('a');
  user.path = u.pathname;
  var p = new URLSearchParams({a: '1', b: 'two words'});
  user.params = p.toString();
  callback(null, user, context);
}
