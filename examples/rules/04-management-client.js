/**
 * Look the user up with the pinned ManagementClient and count other accounts
 * that share the e-mail address (a typical account-linking pre-check).
 */
async function countLinkedAccounts(user, context, callback) {
  const ManagementClient = require('auth0@2.9.1').ManagementClient;
  const management = new ManagementClient({
    token: auth0.accessToken,
    domain: auth0.domain
  });

  try {
    const stored = await management.getUser({ id: user.user_id });
    const sameEmail = await management.getUsersByEmail(user.email);
    context.idToken['https://example.com/accounts_with_email'] = sameEmail.length;
    console.log(`${stored.email}: ${sameEmail.length} account(s), plan ${(stored.app_metadata || {}).plan}`);
    callback(null, user, context);
  } catch (err) {
    callback(err);
  }
}
