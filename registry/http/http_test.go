package http_test

import (
	"slices"
	"testing"

	"github.com/verq/verq/registry"
	verqhttp "github.com/verq/verq/registry/http"
)

func TestProviders_Register(t *testing.T) {
	if got, want := verqhttp.Names(), []string{"axios", "node-fetch", "request"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	reg := registry.New().MustRegister(verqhttp.Providers()...)
	tests := []struct {
		name, version string
		served        bool
	}{
		{"request", "2.27.0", true}, {"request", "2.56.0", true}, {"request", "2.81.0", true}, {"request", "2.88.2", true},
		{"request", "3.0.0", false},
		{"axios", "0.18.0", true}, {"axios", "0.19.2", true}, {"axios", "0.21.1", true}, {"axios", "0.27.2", true},
		{"axios", "1.6.5", false},
		{"node-fetch", "2.6.0", true}, {"node-fetch", "2.7.0", true}, {"node-fetch", "3.3.2", false}, {"node-fetch", "1.7.3", false},
	}
	for _, tt := range tests {
		p, ok := reg.Lookup(tt.name, tt.version)
		if ok != tt.served {
			t.Errorf("Lookup(%s, %s) served = %v, want %v", tt.name, tt.version, ok, tt.served)
			continue
		}
		if ok && (p.Info().Kind != registry.KindGo || p.Info().Name != tt.name) {
			t.Errorf("Lookup(%s, %s) = %+v", tt.name, tt.version, p.Info())
		}
	}
}
