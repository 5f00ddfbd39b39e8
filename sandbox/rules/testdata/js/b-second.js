function (user, context, callback) {
  user.trail = (user.trail || []).concat('b');
  callback(null, user, context);
}
