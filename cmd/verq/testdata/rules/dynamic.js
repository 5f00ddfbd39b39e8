function dynamic(user, context, callback) {
  const name = configuration.MODULE || 'lodash';
  const mod = require(name);
  const _ = require('lodash@4.17.21');
  callback(null, user, context);
}
