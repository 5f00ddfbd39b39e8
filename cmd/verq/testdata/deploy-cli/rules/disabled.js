function disabled(user, context, callback) {
  callback(new UnauthorizedError('must not run'));
}
