package audit

import (
	"fmt"
	"strings"
)

// syntheticRules returns n rules shaped like real ones (about 1 kB each): pinned, ranged and
// unpinned requires, ManagementClient clients with flat and manager calls, legacy globals, and a
// rule in fifty that does not parse.
func syntheticRules(n int) []Rule {
	versions := []string{"2.9.1", "2.17.1", "2.30.0", "^2.17", ""}
	methods := []string{"getUsers", "getUserRoles", "updateAppMetadata", "getUsersByEmail", "assignRolestoUser"}
	rules := make([]Rule, n)
	for i := range rules {
		spec := "auth0"
		if v := versions[i%len(versions)]; v != "" {
			spec += "@" + v
		}
		var b strings.Builder
		fmt.Fprintf(&b, "function rule%d(user, context, callback) {\n", i)
		fmt.Fprintf(&b, "  const ManagementClient = require('%s').ManagementClient;\n", spec)
		b.WriteString("  const _ = require('lodash@4.17.21');\n")
		b.WriteString("  const management = new ManagementClient({\n    token: auth0.accessToken,\n    domain: auth0.domain\n  });\n")
		b.WriteString("  const namespace = configuration.NAMESPACE || 'https://example.com/';\n")
		b.WriteString("  if (!user.email_verified) {\n    return callback(new UnauthorizedError('verify your email'));\n  }\n")
		fmt.Fprintf(&b, "  management.%s({ id: user.user_id }, function (err, result) {\n", methods[i%len(methods)])
		b.WriteString("    if (err) { return callback(err); }\n")
		b.WriteString("    const roles = _.map(result, function (r) { return r.name; });\n")
		b.WriteString("    context.idToken[namespace + 'roles'] = roles;\n")
		if i%7 == 0 {
			b.WriteString("    request.post({ url: configuration.HOOK, json: { user: user.user_id } });\n")
		}
		b.WriteString("    management.users.get({ id: user.user_id }).then(function (u) {\n")
		b.WriteString("      user.app_metadata = Object.assign({}, u.app_metadata, { seen: Date.now() });\n")
		b.WriteString("      callback(null, user, context);\n    }).catch(callback);\n  });\n}")
		if i%50 == 49 {
			b.WriteString(";") // the trailing semicolon the platform rejects
		}
		rules[i] = Rule{Name: fmt.Sprintf("rule-%05d", i), Source: fmt.Sprintf("rules/rule-%05d.js", i), Script: b.String()}
	}
	return rules
}
