package sandbox_test

import (
	"context"
	"fmt"

	"github.com/verq/verq/sandbox"
)

func Example() {
	rs, err := sandbox.Compile([]sandbox.Rule{
		{Name: "add-roles", Order: 1, Enabled: true, Script: `function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  context.idToken['https://example.com/roles'] = user.app_metadata.roles || [];
  console.log('roles for %s: %j', user.email, user.app_metadata.roles);
  callback(null, user, context);
}`},
		{Name: "allow-corp-only", Order: 2, Enabled: true, Script: `function (user, context, callback) {
  if (!user.email.endsWith('@' + configuration.CORP_DOMAIN)) {
    return callback(new UnauthorizedError('Only ' + configuration.CORP_DOMAIN + ' accounts may log in'));
  }
  callback(null, user, context);
}`},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ex, err := sandbox.NewExecutor(rs, sandbox.Config{
		Tenant:        "acme",
		Configuration: map[string]string{"CORP_DOMAIN": "acme.example"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, email := range []string{"jane@acme.example", "mallory@evil.example"} {
		user := map[string]any{"email": email, "app_metadata": map[string]any{"roles": []any{"admin"}}}
		ctx := map[string]any{"clientID": "abc", "idToken": map[string]any{}}
		res, err := ex.Execute(context.Background(), user, ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if res.Error != "" {
			fmt.Printf("%s: %s\n", res.Outcome, res.Error)
		} else {
			fmt.Println(res.Outcome)
		}
		fmt.Println(" ", res.Context["idToken"])
		for _, l := range res.Logs {
			fmt.Printf("  [%s] %s\n", l.Rule, l.Message)
		}
	}
	// Output:
	// ok
	//   map[https://example.com/roles:[admin]]
	//   [add-roles] roles for jane@acme.example: ["admin"]
	// unauthorized: Only acme.example accounts may log in
	//   map[https://example.com/roles:[admin]]
	//   [add-roles] roles for mallory@evil.example: ["admin"]
}
