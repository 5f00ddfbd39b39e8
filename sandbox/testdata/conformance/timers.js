/*--- {
  "description": "setTimeout, setInterval, setImmediate and their clear functions run on the loop in order",
  "user": {},
  "context": {},
  "expect": {
    "user": {"order": ["sync", "micro", "immediate", "t0", "interval", "interval", "t20"], "args": [1, "two"], "id": true},
    "no_warnings": true
  }
} ---*/
// --- rule: timers
function (user, context, callback) {
  user.order = [];
  setTimeout(function () { user.order.push('t20'); callback(null, user, context); }, 20);
  var cancelled = setTimeout(function () { user.order.push('cancelled'); }, 5);
  clearTimeout(cancelled);
  var n = 0;
  var iv = setInterval(function () { user.order.push('interval'); if (++n === 2) clearInterval(iv); }, 2);
  setTimeout(function (a, b) { user.order.push('t0'); user.args = [a, b]; }, 0, 1, 'two');
  var im = setImmediate(function () { user.order.push('never'); });
  clearImmediate(im);
  setImmediate(function () { user.order.push('immediate'); });
  Promise.resolve().then(function () { user.order.push('micro'); });
  user.id = typeof (+setTimeout(function () {}, 1)) === 'number';
  user.order.push('sync');
}
