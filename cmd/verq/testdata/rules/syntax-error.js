function broken(user, context, callback) {
  callback(null, user, context;
}
