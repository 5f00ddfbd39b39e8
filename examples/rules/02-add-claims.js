/**
 * Add namespaced roles and plan claims to the ID token and access token.
 */
function addClaims(user, context, callback) {
  const namespace = configuration.CLAIMS_NAMESPACE || 'https://example.com/';
  const appMetadata = user.app_metadata || {};
  const roles = (context.authorization && context.authorization.roles) || appMetadata.roles || [];

  context.idToken[namespace + 'roles'] = roles;
  context.idToken[namespace + 'plan'] = appMetadata.plan || 'free';
  context.accessToken[namespace + 'roles'] = roles;
  callback(null, user, context);
}
