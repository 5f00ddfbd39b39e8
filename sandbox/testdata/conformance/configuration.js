/*--- {
  "description": "the configuration global holds the tenant's string settings",
  "user": {},
  "context": {},
  "configuration": {"SLACK_HOOK": "https://hooks.example/x", "MAX": "3"},
  "expect": {
    "user": {"hook": "https://hooks.example/x", "max": 3, "keys": ["MAX", "SLACK_HOOK"], "missing": "undefined"}
  }
} ---*/
// --- rule: config
function (user, context, callback) {
  user.hook = configuration.SLACK_HOOK;
  user.max = parseInt(configuration.MAX, 10);
  user.keys = Object.keys(configuration);
  user.missing = typeof configuration.NOPE;
  callback(null, user, context);
}
