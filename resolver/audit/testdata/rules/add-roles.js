function addRoles(user, context, callback) {
  var ManagementClient = require('auth0@2.9.1').ManagementClient;
  var management = new ManagementClient({
    token: auth0.accessToken,
    domain: auth0.domain
  });
  management.getUserRoles({ id: user.user_id }, function (err, roles) {
    if (err) return callback(err);
    context.idToken['https://example.com/roles'] = roles.map(function (r) { return r.name; });
    management.users.getAll({ q: 'email:"' + user.email + '"' }, function () {
      callback(null, user, context);
    });
  });
}
