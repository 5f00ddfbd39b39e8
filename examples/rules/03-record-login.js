/**
 * Record the last login country and a login fingerprint in app_metadata through
 * the Management API (the auth0 global), so other rules and apps can read them.
 */
function recordLogin(user, context, callback) {
  const crypto = require('crypto');
  user.app_metadata = user.app_metadata || {};
  const geoip = context.request.geoip || {};

  user.app_metadata.last_login_country = geoip.country_code || 'unknown';
  user.app_metadata.login_fingerprint = crypto
    .createHash('sha256')
    .update(`${user.user_id}|${context.request.ip}|${context.request.userAgent}`)
    .digest('hex')
    .slice(0, 16);

  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(() => callback(null, user, context))
    .catch((err) => callback(err));
}
