package main

import (
	"io"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/auth0"
)

// TestBuiltinCatalogIsServable pins the promise of the built-in runtime: every module version it
// lists has an implementation in the binary's registry.
func TestBuiltinCatalogIsServable(t *testing.T) {
	a := newApp(nil, io.Discard, io.Discard, func(string) string { return "" })
	reg, err := a.fullRegistry(nil, auth0.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.Entries {
		t.Run(e.Name+"@"+e.Version, func(t *testing.T) {
			if e.Version == catalog.NativeVersion {
				if _, ok := reg.Core(e.Name); !ok {
					t.Fatalf("built-in core module %s has no implementation", e.Name)
				}
				return
			}
			if _, ok := reg.Lookup(e.Name, e.Version); !ok {
				t.Fatalf("built-in %s@%s has no implementation", e.Name, e.Version)
			}
		})
	}
}
