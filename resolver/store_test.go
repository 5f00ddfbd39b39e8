package resolver

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

var _ Catalog = (*catalog.Store)(nil)

// openStore opens a fresh bbolt catalog (seeded with the built-in runtime) in a temporary directory.
func openStore(t testing.TB) *catalog.Store {
	t.Helper()
	st, err := catalog.Open(filepath.Join(t.TempDir(), "verq.db"), catalog.Options{Actor: "test"})
	if err != nil {
		t.Fatalf("catalog.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func storeRegistry() *registry.Registry {
	return registry.New().MustRegister(goProvider("auth0", ">=2.0.0 <4"), coreProvider("url"), coreProvider("crypto"),
		goProvider("leftpad", "1.x"))
}

func TestResolver_Store(t *testing.T) {
	st := openStore(t)
	r := New(st, storeRegistry())
	rt := catalog.DefaultRuntime

	res, err := r.Resolve(rt, "auth0@2.9.1")
	if err != nil || res.Version != "2.9.1" || res.How != HowExact {
		t.Fatalf("auth0@2.9.1 = %+v, %v", res, err)
	}
	res, err = r.Resolve(rt, "url")
	if err != nil || res.How != HowCore {
		t.Fatalf("url = %+v, %v", res, err)
	}
	if _, err := r.Resolve(rt, "url@0.10.3"); !errors.Is(err, catalog.ErrModuleNotFound) {
		t.Fatalf("url@0.10.3: %v, want not in catalog", err)
	}
	if _, err := r.Resolve("node99", "auth0"); !errors.Is(err, catalog.ErrRuntimeNotFound) {
		t.Fatalf("node99: %v, want unknown runtime", err)
	}

	// Writes are visible at once, through the cache.
	if err := st.SetStatus("test", rt, "auth0", "2.9.1", catalog.StatusBlocked, "withdrawn"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(rt, "auth0@2.9.1"); !errors.Is(err, ErrBlocked) {
		t.Fatalf("after blocking: %v", err)
	}
	if _, err := r.Resolve(rt, "leftpad"); err == nil {
		t.Fatal("leftpad resolved before it was added")
	}
	if err := st.AddVersion("test", rt, "leftpad", "1.3.0"); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Resolve(rt, "leftpad"); err != nil || res.Version != "1.3.0" {
		t.Fatalf("after adding leftpad: %+v, %v", res, err)
	}
	if err := st.SetDefault("test", rt, "auth0", "2.30.0"); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Resolve(rt, "auth0"); err != nil || res.Version != "2.30.0" {
		t.Fatalf("after SetDefault: %+v, %v", res, err)
	}
}

// BenchmarkResolveUncachedStore is BenchmarkResolveUncached against a real bbolt catalog.
func BenchmarkResolveUncachedStore(b *testing.B) {
	st := openStore(b)
	reg := storeRegistry()
	for _, spec := range []string{"auth0@2.9.1", "auth0", "auth0@^2.9", "url", "leftpad"} {
		b.Run(spec, func(b *testing.B) {
			r := New(st, reg, WithCacheSize(0))
			b.ReportAllocs()
			for b.Loop() {
				r.Resolve(catalog.DefaultRuntime, spec)
			}
		})
	}
}
