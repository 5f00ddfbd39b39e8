/*--- {
  "description": "a rule that keeps the loop busy without calling back ends at the pipeline deadline",
  "user": {},
  "context": {},
  "timeout": "150ms",
  "expect": {
    "outcome": "timeout",
    "error_contains": "Request to Webtask exceeded allowed execution time: rule \"ticking\" did not call back within 150ms",
    "failure": {"rule": "ticking", "code": "ETIMEDOUT"},
    "logs": [{"rule": "ticking", "level": "log", "message": "tick"}]
  }
} ---*/
// --- rule: ticking
function (user, context, callback) {
  var n = 0;
  setInterval(function () { if (n++ === 0) console.log('tick'); }, 10);
}
