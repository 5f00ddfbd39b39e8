function addPlan(user, context, callback) {
  context.idToken['https://example.com/plan'] = (user.app_metadata || {}).plan || 'free';
  callback(null, user, context);
}
