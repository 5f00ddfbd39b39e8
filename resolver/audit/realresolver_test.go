package audit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
)

// memCatalog is a fixed in-memory catalog of the runtime "node18".
type memCatalog map[string]catalog.Module

func (c memCatalog) Module(runtime, name string) (catalog.Module, error) {
	if runtime != "node18" {
		return catalog.Module{}, fmt.Errorf("%s: %w", runtime, catalog.ErrRuntimeNotFound)
	}
	m, ok := c[name]
	if !ok {
		return catalog.Module{}, fmt.Errorf("%s: %w", name, catalog.ErrModuleNotFound)
	}
	return m, nil
}

func (c memCatalog) Generation() uint64 { return 1 }

type provider struct{ info registry.Info }

func (p provider) Info() registry.Info                            { return p.info }
func (p provider) Load(*registry.LoadRequest) (goja.Value, error) { return nil, nil }

// TestRun_RealResolver checks the classification of every resolver outcome with the real resolver.
func TestRun_RealResolver(t *testing.T) {
	cat := memCatalog{
		"auth0": {Name: "auth0", Default: "2.9.1", Versions: []catalog.Version{
			{Version: "2.9.1", Status: catalog.StatusAllowed},
			{Version: "2.30.0", Status: catalog.StatusAllowed},
			{Version: "2.27.1", Status: catalog.StatusDeprecated, Reason: "use 2.30.0"},
			{Version: "2.0.0", Status: catalog.StatusBlocked, Reason: "vulnerable"},
		}},
		"ghost":  {Name: "ghost", Default: "1.0.0", Versions: []catalog.Version{{Version: "1.0.0", Status: catalog.StatusAllowed}}},
		"crypto": {Name: "crypto", Core: true},
	}
	reg := registry.New().MustRegister(
		provider{registry.Info{Name: "auth0", Range: ">=2.0.0 <4", Kind: registry.KindGo}},
		provider{registry.Info{Name: "crypto", Kind: registry.KindCore}},
	)
	opts := audit.Options{Runtime: "node18", Resolver: resolver.New(cat, reg), Catalog: cat}
	script := `function (user, context, callback) {
  require('auth0@2.9.1'); require('auth0'); require('auth0@^2.9'); require('auth0@2.27.1');
  require('auth0@9.9.9'); require('left-pad@1.0.0'); require('auth0@2.0.0'); require('ghost@1.0.0');
  require('auth0@2.9.1/../../x'); require('crypto'); require('fs'); querystring.stringify({}); crypto.randomBytes(1);
}`
	rep, err := audit.Run(context.Background(), []audit.Rule{{Name: "r", Script: script}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Kind+" "+f.Resolved)
	}
	want := []string{
		"ok auth0@2.9.1", "unpinned auth0@2.9.1", "range auth0@2.30.0", "deprecated auth0@2.27.1",
		"not_in_catalog ", "not_in_catalog ", "blocked ", "no_implementation ",
		"invalid_spec ", "core crypto", "not_in_catalog ", "legacy_global ",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("findings = %q\nwant %q", got, want)
	}
	if _, err := audit.Run(context.Background(), nil, audit.Options{Runtime: "node99", Resolver: resolver.New(cat, reg)}); err == nil {
		t.Fatal("an unknown runtime did not fail the audit")
	}
}
