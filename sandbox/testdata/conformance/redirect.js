/*--- {
  "description": "context.redirect set by a rule is part of the final context",
  "user": {},
  "context": {"protocol": "oidc-basic-profile"},
  "expect": {
    "context": {"protocol": "oidc-basic-profile", "redirect": {"url": "https://mfa.example/start"}}
  }
} ---*/
// --- rule: redirect
function (user, context, callback) {
  if (context.protocol === 'redirect-callback') return callback(null, user, context);
  context.redirect = { url: 'https://mfa.example/start' };
  callback(null, user, context);
}
