async function enrichProfile(user, context, callback) {
  const _ = require('lodash@^4.17.0');
  const crypto = require(`crypto`);
  const id = uuid.v4();
  user.app_metadata = _.assign({}, user.app_metadata, {
    hash: crypto.createHash('sha256').update(user.email || '').digest('hex'),
    trace: id
  });
  callback(null, user, context);
}
