/*--- {
  "description": "a rule that calls back with what it got leaves user and context unchanged",
  "user": {"user_id": "auth0|1", "email": "jane@example.com", "logins_count": 3, "app_metadata": {"roles": ["a"]}},
  "context": {"clientID": "abc", "stats": {"loginsCount": 3}},
  "expect": {
    "outcome": "ok",
    "user": {"user_id": "auth0|1", "email": "jane@example.com", "logins_count": 3, "app_metadata": {"roles": ["a"]}},
    "context": {"clientID": "abc", "stats": {"loginsCount": 3}},
    "logs": [],
    "no_warnings": true,
    "rules_ran": ["pass"]
  }
} ---*/
// --- rule: pass
function (user, context, callback) {
  callback(null, user, context);
}
