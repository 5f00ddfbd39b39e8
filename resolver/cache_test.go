package resolver

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/verq/verq/catalog"
)

func TestResolver_Cache_HitSkipsCatalog(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	first, err := r.Resolve("default", "auth0@^2.9")
	if err != nil {
		t.Fatal(err)
	}
	reads := cat.reads.Load()
	second, err := r.Resolve("default", "auth0@^2.9")
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Error("cached Resolve returned a different *Resolution")
	}
	if cat.reads.Load() != reads {
		t.Error("cached Resolve read the catalog")
	}
	// Failures are cached too, as the same *Error.
	_, e1 := r.Resolve("default", "leftpad")
	reads = cat.reads.Load()
	_, e2 := r.Resolve("default", "leftpad")
	if e1 == nil || e1 != e2 || cat.reads.Load() != reads {
		t.Errorf("failure not served from cache: %v / %v", e1, e2)
	}
	// The runtime is part of the key.
	other, err := r.Resolve("node18", "auth0")
	if err != nil || other.Version != "2.30.0" || other.Runtime != "node18" {
		t.Errorf("node18 auth0 = %+v, %v", other, err)
	}
}

func TestResolver_Cache_GenerationBumpInvalidates(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	res, err := r.Resolve("default", "auth0")
	if err != nil || res.Version != "2.9.1" {
		t.Fatalf("before: %+v, %v", res, err)
	}
	if _, err := r.Resolve("default", "leftpad@1.3.0"); err == nil {
		t.Fatal("leftpad resolved before it was added")
	}

	// A write: new default for auth0, leftpad added, 2.9.1 blocked.
	cat.put("default", catalog.Module{Name: "auth0", Default: "2.30.0", Versions: []catalog.Version{
		blocked("2.9.1", "superseded"), ver("2.30.0"),
	}})
	cat.put("default", catalog.Module{Name: "leftpad", Default: "1.3.0", Versions: []catalog.Version{ver("1.3.0")}})
	if err := reg.Register(goProvider("leftpad", "1.x")); err != nil {
		t.Fatal(err)
	}

	res, err = r.Resolve("default", "auth0")
	if err != nil || res.Version != "2.30.0" {
		t.Errorf("after the write auth0 = %+v, %v; want 2.30.0", res, err)
	}
	if res, err := r.Resolve("default", "leftpad@1.3.0"); err != nil || res.Version != "1.3.0" {
		t.Errorf("after the write leftpad = %+v, %v", res, err)
	}
	_, err = r.Resolve("default", "auth0@2.9.1")
	if !errors.Is(err, ErrBlocked) {
		t.Errorf("after blocking, auth0@2.9.1: %v", err)
	}
}

func TestResolver_Purge(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	if _, err := r.Resolve("default", "zlib"); err == nil {
		t.Fatal("zlib resolved without an implementation")
	}
	if err := reg.Register(coreProvider("zlib")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve("default", "zlib"); err == nil {
		t.Fatal("registry change was visible without a catalog write or Purge; the cache is not working as documented")
	}
	r.Purge()
	if _, err := r.Resolve("default", "zlib"); err != nil {
		t.Fatalf("after Purge: %v", err)
	}
}

func TestResolver_Cache_NotCached(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	for _, spec := range []string{"../x", "", "a\x00"} {
		r.Resolve("default", spec)
	}
	if n := r.cache.len(); n != 0 {
		t.Errorf("invalid specs filled %d cache entries", n)
	}
	cat.setFail(errors.New("io error"))
	r.Resolve("default", "auth0")
	if n := r.cache.len(); n != 0 {
		t.Errorf("a catalog read failure was cached (%d entries)", n)
	}
}

func TestResolver_Cache_Bounded(t *testing.T) {
	for _, size := range []int{1, 10, 100, 1000, 5000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			cat, reg := fixture(t)
			r := New(cat, reg, WithCacheSize(size))
			for i := 0; i < 3*size+50; i++ {
				r.Resolve("default", fmt.Sprintf("mod%d@1.0.0", i))
			}
			n := r.cache.len()
			if n > size {
				t.Fatalf("cache holds %d entries, bound is %d", n, size)
			}
			if n == 0 {
				t.Fatal("cache is empty")
			}
			// The cache still serves hits after evictions.
			r.Resolve("default", "auth0")
			reads := cat.reads.Load()
			r.Resolve("default", "auth0")
			if cat.reads.Load() != reads {
				t.Error("no cache hit right after a store")
			}
		})
	}
}

func TestResolver_Cache_StaleEvictedFirst(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg, WithCacheSize(4))
	for _, s := range []string{"a", "b", "c", "d"} {
		r.Resolve("default", s)
	}
	cat.put("default", catalog.Module{Name: "x", Default: "1.0.0", Versions: []catalog.Version{ver("1.0.0")}})
	r.Resolve("default", "auth0")
	r.Resolve("default", "url")
	if n := r.cache.len(); n != 2 {
		t.Errorf("cache holds %d entries after a write and two stores, want the 2 current ones", n)
	}
}

func TestResolver_Cache_Disabled(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg, WithCacheSize(0))
	r.Resolve("default", "auth0")
	reads := cat.reads.Load()
	if _, err := r.Resolve("default", "auth0"); err != nil {
		t.Fatal(err)
	}
	if cat.reads.Load() == reads {
		t.Error("WithCacheSize(0) still cached")
	}
}

func TestResolver_Resolve_Concurrent(t *testing.T) {
	cat, reg := fixture(t)
	rec := &recorder{}
	r := New(cat, reg, WithObserver(ObserverFunc(func(e Event) {
		if e.Outcome == OutcomeOK && e.Resolution == nil {
			rec.Observe(e) // recorded only when inconsistent
		}
	})), WithCacheSize(64))
	specs := []string{"auth0", "auth0@2.9.1", "auth0@^2.9", "url", "assert/strict", "lodash/fp", "leftpad", "fs", "../x"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				spec := specs[(g+i)%len(specs)]
				res, err := r.Resolve("default", spec)
				if (res == nil) == (err == nil) {
					t.Errorf("Resolve(%q) = %v, %v: exactly one must be set", spec, res, err)
					return
				}
				if spec == "auth0@2.9.1" && err == nil && res.Version != "2.9.1" {
					t.Errorf("auth0@2.9.1 resolved to %s", res.Version)
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() { // a writer flipping the default of auth0
		defer wg.Done()
		for i := 0; i < 200; i++ {
			def := []string{"2.9.1", "2.30.0"}[i%2]
			cat.put("default", catalog.Module{Name: "auth0", Default: def,
				Versions: []catalog.Version{ver("2.9.1"), ver("2.30.0")}})
		}
	}()
	wg.Wait()
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d inconsistent events", n)
	}
	// After the writes settle, the answer reflects the last write.
	res, err := r.Resolve("default", "auth0")
	if err != nil || res.Version != "2.30.0" {
		t.Errorf("final auth0 = %+v, %v; want the last written default 2.30.0", res, err)
	}
}

func TestResolver_RangeMemoBounded(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg, WithCacheSize(0))
	for i := 0; i < 3*rangeMemoSize; i++ {
		spec := fmt.Sprintf("auth0@>=2.%d <3", i)
		res, err := r.Resolve("default", spec)
		if i <= 30 && (err != nil || res.Version != "2.30.0") {
			t.Fatalf("Resolve(%q) = %+v, %v", spec, res, err)
		}
	}
	n := r.ranges.len()
	if n == 0 || n > rangeMemoSize {
		t.Fatalf("range memo holds %d entries, bound %d", n, rangeMemoSize)
	}
}
