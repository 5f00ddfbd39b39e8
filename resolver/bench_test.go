package resolver

import (
	"fmt"
	"testing"
)

func BenchmarkParseSpec(b *testing.B) {
	for _, spec := range []string{"auth0@2.9.1", "@auth0/rule-utilities@0.2.0", "lodash@4.17.21/fp", "auth0@^2.9", "request"} {
		b.Run(spec, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseSpec(spec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkResolveCached(b *testing.B) {
	cat, reg := fixture(b)
	observed := 0
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"no-observer", nil},
		{"observer", []Option{WithObserver(ObserverFunc(func(Event) { observed++ }))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := New(cat, reg, bc.opts...)
			if _, err := r.Resolve("default", "auth0@2.9.1"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Resolve("default", "auth0@2.9.1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("parallel", func(b *testing.B) {
		r := New(cat, reg)
		specs := []string{"auth0@2.9.1", "auth0", "url", "lodash/fp", "auth0@^2.9", "@auth0/rule-utilities@0.2.0"}
		for _, s := range specs {
			r.Resolve("default", s)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := r.Resolve("default", specs[i%len(specs)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkResolveUncached measures a resolution that misses the cache (the fake catalog is an
// in-memory map; a bbolt read adds its own cost).
func BenchmarkResolveUncached(b *testing.B) {
	cat, reg := fixture(b)
	for _, spec := range []string{"auth0@2.9.1", "auth0", "auth0@^2.9", "url", "leftpad"} {
		b.Run(spec, func(b *testing.B) {
			r := New(cat, reg, WithCacheSize(0))
			b.ReportAllocs()
			for b.Loop() {
				r.Resolve("default", spec)
			}
		})
	}
}

// BenchmarkResolveCacheMiss measures the full miss path including the cache store, over many
// distinct specs.
func BenchmarkResolveCacheMiss(b *testing.B) {
	cat, reg := fixture(b)
	specs := make([]string, 1<<14)
	for i := range specs {
		specs[i] = fmt.Sprintf("auth0@2.9.1/f%d", i)
	}
	r := New(cat, reg, WithCacheSize(1<<12))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Resolve("default", specs[i%len(specs)])
		i++
	}
}
