function (user, context, callback) {
  user.trail = (user.trail || []).concat('a');
  callback(null, user, context);
}
