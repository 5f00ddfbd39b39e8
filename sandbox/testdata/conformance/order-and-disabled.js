/*--- {
  "description": "enabled rules run in ascending order; disabled rules never run",
  "user": {},
  "context": {},
  "expect": {
    "user": {"trail": ["one", "two", "three"]},
    "rules_ran": ["one", "two", "three"]
  }
} ---*/
// --- rule: three order=30
function (user, context, callback) { user.trail.push('three'); callback(null, user, context); }
// --- rule: one order=10
function (user, context, callback) { user.trail = ['one']; callback(null, user, context); }
// --- rule: never disabled order=15
function (user, context, callback) { user.trail.push('never'); callback(null, user, context); }
// --- rule: two order=20
function (user, context, callback) { user.trail.push('two'); callback(null, user, context); }
