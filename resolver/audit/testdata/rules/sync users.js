function syncUsers(user, context, callback) {
  var MC = require('auth0@2.30.0').ManagementClient;
  global.mgmt = global.mgmt || new MC({ token: auth0.accessToken, domain: auth0.domain });
  global.mgmt.getUserRoles({ id: user.user_id })
    .then(function () { return global.mgmt.assignUsersToRole({ id: 'rol_1' }, { users: [user.user_id] }); })
    .then(function () { callback(null, user, context); })
    .catch(callback);
}
