package audit_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
)

// exampleResolver knows two versions of auth0; everything else is not in the catalog.
type exampleResolver struct{}

func (exampleResolver) Resolve(runtime, spec string) (*resolver.Resolution, error) {
	switch spec {
	case "auth0@2.9.1", "auth0@2.17.1":
		v := spec[len("auth0@"):]
		return &resolver.Resolution{Spec: spec, Runtime: runtime, Name: "auth0", Version: v, Requested: v,
			How: resolver.HowExact, Status: catalog.StatusAllowed, Implementation: registry.Info{Name: "auth0", Kind: registry.KindGo}}, nil
	}
	return nil, &resolver.Error{Spec: spec, Runtime: runtime, Outcome: resolver.OutcomeNotInCatalog, Detail: "module is not in catalog"}
}

// exampleMethods is a two-version method table.
type exampleMethods map[string][]string

func (m exampleMethods) MethodsOf(v string) ([]string, bool) { ms, ok := m[v]; return ms, ok }
func (m exampleMethods) Versions() []string                  { return []string{"2.9.1", "2.17.1"} }
func (m exampleMethods) FirstVersionWith(method string) (string, bool) {
	for _, v := range m.Versions() {
		if slices.Contains(m[v], method) {
			return v, true
		}
	}
	return "", false
}

func Example() {
	rules := []audit.Rule{{
		Name:   "add-roles",
		Source: "rules/add-roles.js",
		Script: `function (user, context, callback) {
  var ManagementClient = require('auth0@2.9.1').ManagementClient;
  var management = new ManagementClient({ token: auth0.accessToken, domain: auth0.domain });
  management.getUserRoles({ id: user.user_id }, function (err, roles) {
    callback(err, user, context);
  });
}`,
	}}
	rep, err := audit.Run(context.Background(), rules, audit.Options{
		Runtime:  "node18",
		Resolver: exampleResolver{},
		Methods:  exampleMethods{"2.9.1": {"getUser", "getUsers"}, "2.17.1": {"getUser", "getUsers", "getUserRoles"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s:%d:%d %s %s\n", f.Source, f.Line, f.Column, f.Severity, f.Message)
	}
	for _, m := range rep.ByModule {
		fmt.Println(m.Sentence())
	}
	fmt.Println("fail on error:", rep.Fails("error"))
	// Output:
	// rules/add-roles.js:2:34 note auth0@2.9.1 is allowed (Go shim)
	// rules/add-roles.js:4:14 error getUserRoles is not in auth0 2.9.1; first in 2.17.1
	// auth0@2.9.1 is pinned by 1 rule: add-roles
	// fail on error: true
}
