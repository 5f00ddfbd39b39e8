package resolver_test

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// memCatalog is a fixed, in-memory catalog of one runtime; a real program passes a *catalog.Store.
type memCatalog map[string]catalog.Module

func (c memCatalog) Module(runtime, name string) (catalog.Module, error) {
	if runtime != catalog.DefaultRuntime {
		return catalog.Module{}, fmt.Errorf("%s: %w", runtime, catalog.ErrRuntimeNotFound)
	}
	m, ok := c[name]
	if !ok {
		return catalog.Module{}, fmt.Errorf("%s: %w", name, catalog.ErrModuleNotFound)
	}
	return m, nil
}

func (c memCatalog) Generation() uint64 { return 1 }

// shim stands for a Go implementation of a module.
type shim struct{ info registry.Info }

func (s shim) Info() registry.Info { return s.info }

func (s shim) Load(req *registry.LoadRequest) (goja.Value, error) {
	return req.Runtime.NewObject(), nil
}

func ExampleResolver_Resolve() {
	cat := memCatalog{
		"auth0": {Name: "auth0", Default: "2.9.1", Versions: []catalog.Version{
			{Version: "2.9.1", Status: catalog.StatusAllowed},
			{Version: "2.30.0", Status: catalog.StatusAllowed},
			{Version: "2.27.0", Status: catalog.StatusDeprecated, Reason: "use 2.30.0"},
		}},
	}
	reg := registry.New().MustRegister(shim{registry.Info{Name: "auth0", Range: ">=2.0.0 <4", Kind: registry.KindGo}})
	r := resolver.New(cat, reg)

	for _, spec := range []string{"auth0", "auth0@^2.9", "auth0@2.27.0", "auth0@9.9.9", "auth0@2.9.1/../../x"} {
		res, err := r.Resolve(catalog.DefaultRuntime, spec)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s (%s, %s)\n", spec, res.Key(), res.How, res.Status)
	}
	// Output:
	// auth0 -> auth0@2.9.1 (default, allowed)
	// auth0@^2.9 -> auth0@2.30.0 (range, allowed)
	// auth0@2.27.0 -> auth0@2.27.0 (exact, deprecated)
	// Cannot find module 'auth0@9.9.9': version 9.9.9 is not in catalog "default" (allowed: 2.9.1, 2.27.0, 2.30.0)
	// Cannot find module 'auth0@2.9.1/../../x': invalid module specifier: contains a ".." path segment; path traversal is not allowed
}

func ExampleParseSpec() {
	for _, in := range []string{"@auth0/rule-utilities@0.2.0", "lodash@4.17.21/fp", "auth0@>=2.9 <3", "file:///etc/passwd"} {
		s, err := resolver.ParseSpec(in)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("name=%s version=%q subpath=%q range=%v\n", s.Name, s.Version, s.Subpath, s.IsRange())
	}
	// Output:
	// name=@auth0/rule-utilities version="0.2.0" subpath="" range=false
	// name=lodash version="4.17.21" subpath="fp" range=false
	// name=auth0 version=">=2.9 <3" subpath="" range=true
	// invalid module specifier "file:///etc/passwd": uses the "file:" scheme; URLs and files cannot be required, require a module by name, e.g. auth0@2.9.1
}
