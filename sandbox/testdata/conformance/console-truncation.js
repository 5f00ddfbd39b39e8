/*--- {
  "description": "console output beyond the per-execution cap is dropped with one truncation marker",
  "user": {},
  "context": {},
  "expect": {
    "logs_truncated": true,
    "user": {"done": true}
  }
} ---*/
// --- rule: chatty
function (user, context, callback) {
  var line = 'x'.repeat(1000);
  for (var i = 0; i < 200; i++) console.log(line);
  user.done = true;
  callback(null, user, context);
}
