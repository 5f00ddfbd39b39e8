function linkAccounts(user, context, callback) {
  const { ManagementClient } = require('auth0');
  const management = new ManagementClient({ token: auth0.accessToken, domain: auth0.domain });
  management.getUsersByEmail(user.email, function (err, users) {
    if (err) return callback(err);
    request.post({ url: configuration.WEBHOOK, json: users }, function () {
      callback(null, user, context);
    });
  });
}
