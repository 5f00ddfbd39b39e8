/*--- {
  "description": "a rule may pass new objects to callback; the final user and context are plain JSON values",
  "user": {"a": 1, "nested": {"b": 2}},
  "context": {"when": "x"},
  "expect": {
    "user": {"a": 1, "nested": {"b": 2}, "added": true, "date": "2020-01-02T03:04:05.000Z", "arr": [1, null, null, 3], "nan": null, "url": "https://e.example/"},
    "context": {"fresh": {"n": 1.5}}
  }
} ---*/
// --- rule: replace
function (user, context, callback) {
  var u = Object.assign({}, user, {added: true, fn: function () {}, undef: undefined});
  u.date = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
  u.arr = [1, undefined, function () {}, 3];
  u.nan = NaN;
  u.url = new URL('https://e.example');
  callback(null, u, {fresh: {n: 1.5}});
}
