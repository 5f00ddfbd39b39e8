function (user, context, callback) {
  if (user.blocked) return callback(new UnauthorizedError('blocked'));
  callback(null, user, context);
}
