/**
 * Normalize the e-mail address and block logins from unverified addresses
 * of a disposable-mail domain.
 */
function normalizeEmail(user, context, callback) {
  const blockedDomains = (configuration.BLOCKED_DOMAINS || 'mailinator.com').split(',');
  const email = (user.email || '').trim().toLowerCase();
  const domain = email.split('@')[1] || '';

  if (!user.email_verified && blockedDomains.includes(domain)) {
    return callback(new UnauthorizedError('[E001] Please verify your e-mail address first.'));
  }
  user.email = email;
  console.log(`login of ${email} from ${context.request.ip} via ${context.connection}`);
  callback(null, user, context);
}
