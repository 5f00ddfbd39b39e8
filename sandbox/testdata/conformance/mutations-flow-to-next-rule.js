/*--- {
  "description": "user and context passed to callback are what the next rule receives; claims, metadata and deletions survive",
  "user": {"user_id": "auth0|1", "email": "jane@corp.example", "secret": "x"},
  "context": {"clientID": "abc", "idToken": {}, "accessToken": {}},
  "expect": {
    "user": {"user_id": "auth0|1", "email": "jane@corp.example", "app_metadata": {"roles": ["admin"]}, "seen": 2},
    "context": {"clientID": "abc", "idToken": {"https://example.com/roles": ["admin"]}, "accessToken": {"scope": ["openid", "corp"]}},
    "logs": [{"rule": "second", "level": "log", "message": "roles admin seen 1"}],
    "rules_ran": ["first", "second"]
  }
} ---*/
// --- rule: first
function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.roles = ['admin'];
  user.seen = 1;
  delete user.secret;
  callback(null, user, context);
}
// --- rule: second
function (user, context, callback) {
  console.log('roles %s seen %d', user.app_metadata.roles.join(','), user.seen);
  user.seen++;
  context.idToken['https://example.com/roles'] = user.app_metadata.roles;
  context.accessToken.scope = ['openid', user.email.split('@')[1].split('.')[0]];
  callback(null, user, context);
}
