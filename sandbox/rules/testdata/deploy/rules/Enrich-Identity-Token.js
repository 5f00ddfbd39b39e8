function enrichIdToken(user, context, callback) {
  context.idToken['https://example.com/email'] = user.email;
  callback(null, user, context);
}
