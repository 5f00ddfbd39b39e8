package audit_test

import (
	"context"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
)

var (
	_ audit.Resolver     = (*resolver.Resolver)(nil)
	_ audit.Catalog      = (*catalog.Store)(nil)
	_ audit.MethodTable  = audit.MethodFuncs{}
	_ audit.ManagerTable = audit.MethodFuncs{}
)

// TestRun_ShimMethodTable checks the method check against the auth0 shim's own table.
func TestRun_ShimMethodTable(t *testing.T) {
	methods := audit.MethodFuncs{Methods: auth0.MethodsOf, First: auth0.FirstVersionWith, All: auth0.Versions}
	script := `function (user, context, callback) {
  const { ManagementClient } = require('auth0@2.9.1');
  const management = new ManagementClient({ token: auth0.accessToken, domain: auth0.domain });
  management.getUsers(); management.users.getAll(); management.roles.getAll(); management.getUserRoles();
}`
	rep, err := audit.Run(context.Background(), []audit.Rule{{Name: "r", Source: "r.js", Script: script}}, audit.Options{
		Runtime: "node18", Resolver: auth0Only{}, Methods: methods,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Kind == audit.KindMissingMethod {
			got = append(got, f.Message)
		}
	}
	want := []string{
		"roles.getAll is not in auth0 2.9.1; first in 2.17.1",
		"getUserRoles is not in auth0 2.9.1; first in 2.17.1",
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("missing methods = %q, want %q", got, want)
	}
}

// auth0Only resolves every auth0@version exactly and fails everything else.
type auth0Only struct{}

func (auth0Only) Resolve(runtime, spec string) (*resolver.Resolution, error) {
	sp, err := resolver.ParseSpec(spec)
	if err != nil || sp.Name != "auth0" || sp.Version == "" {
		return nil, &resolver.Error{Spec: spec, Runtime: runtime, Outcome: resolver.OutcomeNotInCatalog, Detail: "not in catalog"}
	}
	return &resolver.Resolution{Spec: spec, Runtime: runtime, Name: "auth0", Version: sp.Version, Requested: sp.Version,
		How: resolver.HowExact, Status: catalog.StatusAllowed}, nil
}
