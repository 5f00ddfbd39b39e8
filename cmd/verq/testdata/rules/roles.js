function roles(user, context, callback) {
  const ManagementClient = require('auth0@2.9.1').ManagementClient;
  const management = new ManagementClient({ token: auth0.accessToken, domain: auth0.domain });
  management.getUserRoles({ id: user.user_id }, function (err, roles) {
    callback(err, user, context);
  });
}
