function greet(user, context, callback) {
  console.log('hello ' + user.name);
  callback(null, user, context);
}
