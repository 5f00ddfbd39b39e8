package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/verq/verq/resolver"
)

// benchGet serves target repeatedly through the whole handler (middleware, cache, encoding).
func benchGet(b *testing.B, target string, header ...string) {
	benchGetOn(b, newFixture(b), target, header...)
}

func benchGetOn(b *testing.B, f *fixture, target string, header ...string) {
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusNotModified {
		b.Fatalf("status %d", rec.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
	}
}

func BenchmarkServer_Modules(b *testing.B)     { benchGet(b, "/api/v1/modules") }
func BenchmarkServer_Canirequire(b *testing.B) { benchGet(b, "/canirequire") }
func BenchmarkServer_CanirequireGzip(b *testing.B) {
	benchGet(b, "/canirequire", "Accept-Encoding", "gzip")
}
func BenchmarkServer_Page(b *testing.B) { benchGet(b, "/?q=auth0") }

func BenchmarkServer_NotModified(b *testing.B) {
	f := newFixture(b)
	r := f.do("GET", "/canirequire", nil)
	benchGetOn(b, f, "/canirequire", "If-None-Match", r.Header().Get("ETag"))
}

// BenchmarkServer_ModulesUncached renders the module list anew on every request (a catalog write
// between requests invalidates the cache): the cost of the first request after a write.
func BenchmarkServer_ModulesUncached(b *testing.B) {
	f := newFixture(b, func(c *Config) { c.CacheEntries = -1 })
	req := httptest.NewRequest("GET", "/api/v1/modules", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
	}
}

func BenchmarkMetrics_Observe(b *testing.B) {
	m := NewMetrics()
	ev := resolver.Event{Runtime: "node18", Outcome: resolver.OutcomeOK, Resolution: &resolver.Resolution{Name: "auth0", Version: "2.9.1"}, Duration: 300 * time.Nanosecond}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Observe(ev)
		}
	})
}
