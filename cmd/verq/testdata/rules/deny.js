function deny(user, context, callback) {
  callback(new UnauthorizedError('[E042] access denied for ' + user.email));
}
