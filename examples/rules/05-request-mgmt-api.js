/**
 * Call the Management API directly with `request`, the way many classic rule
 * templates do: auth0.baseUrl plus the rule's own access token.
 */
function flagFrequentUsers(user, context, callback) {
  const request = require('request@2.88.2');

  request.get({
    url: auth0.baseUrl + '/users/' + encodeURIComponent(user.user_id),
    headers: { Authorization: 'Bearer ' + auth0.accessToken },
    json: true,
    timeout: 5000
  }, function (err, response, body) {
    if (err) return callback(err);
    if (response.statusCode !== 200) {
      return callback(new Error('Management API answered ' + response.statusCode));
    }
    const frequent = (body.logins_count || 0) >= 10;
    context.idToken['https://example.com/frequent'] = frequent;
    console.log(`${body.email} has ${body.logins_count} logins`);
    callback(null, user, context);
  });
}
