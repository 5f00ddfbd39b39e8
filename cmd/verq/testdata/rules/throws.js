function throws(user, context, callback) {
  const profile = null;
  callback(null, profile.name, context);
}
