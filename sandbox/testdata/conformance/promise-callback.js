/*--- {
  "description": "a promise-returning helper with then/catch calling back (the documented template style)",
  "user": {"user_id": "auth0|1"},
  "context": {},
  "expect": {
    "user": {"user_id": "auth0|1", "app_metadata": {"persisted": true}}
  }
} ---*/
// --- rule: persist
function (user, context, callback) {
  function updateAppMetadata(id, md) {
    return new Promise(function (resolve) { setTimeout(function () { resolve(md); }, 1); });
  }
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.persisted = true;
  updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(function (err) { callback(err); });
}
