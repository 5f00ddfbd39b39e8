package nodetest

import (
	"testing"

	"github.com/verq/verq/registry"
)

// BenchmarkLoad measures p.Load into a fresh runtime that has the global Buffer, as a sandbox
// runtime does. Each iteration loads the module again into the same runtime (Load keeps no
// per-runtime cache), so runtime creation and its garbage stay out of the figure.
func BenchmarkLoad(b *testing.B, p registry.Provider) {
	h, err := New(p)
	if err != nil {
		b.Fatal(err)
	}
	name := p.Info().Name
	req := &registry.LoadRequest{Runtime: h.Runtime, Host: h, Name: name}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Load(req); err != nil {
			b.Fatal(err)
		}
	}
}
