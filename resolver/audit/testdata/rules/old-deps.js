function oldDeps(user, context, callback) {
  var a0 = require('auth0@2.0.0');
  var ghost = require('ghost@1.0.0');
  var pad = require('left-pad@1.3.0');
  var legacy = require('auth0@2.1.0');
  var name = 'request';
  var r = require(name + '@2.88.2');
  callback(null, user, context);
}
