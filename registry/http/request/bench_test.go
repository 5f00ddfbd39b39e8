package request_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/harness"
	"github.com/verq/verq/registry/http/request"
)

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// reportP50 adds the median of the per-operation durations as the p50-ns metric.
func reportP50(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
}

// BenchmarkRequestGet_Loopback is a rule's request.get to a loopback server: from the JavaScript
// call through the egress client and back to the callback on the loop.
func BenchmarkRequestGet_Loopback(b *testing.B) {
	srv := benchServer(b)
	h, err := harness.New(harness.Options{
		Modules:  map[string]registry.Provider{"request": request.New()},
		Versions: map[string]string{"request": "2.88.2"},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	h.RT.Set("SRV", srv.URL+"/users/1")
	prog := goja.MustCompile("bench.js", `request.get(SRV, function (err, res, body) {
		if (err || res.statusCode !== 200) throw err || new Error('status ' + res.statusCode);
	})`, false)
	if _, err := h.RunProgram(prog); err != nil {
		b.Fatal(err)
	}
	h.Calls()
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := h.RunProgram(prog); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
		if i%1024 == 0 {
			h.Calls()
		}
	}
	b.StopTimer()
	reportP50(b, durs)
}

// BenchmarkGoClientGet_Loopback is the server's own time as a plain keep-alive Go client sees it:
// the baseline the request benchmark is compared with.
func BenchmarkGoClientGet_Loopback(b *testing.B) {
	srv := benchServer(b)
	client := &http.Client{Transport: &http.Transport{}}
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp, err := client.Get(srv.URL + "/users/1")
		if err != nil {
			b.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	reportP50(b, durs)
}

// BenchmarkEgressDo_Loopback is the egress core alone (policy, recording, size limit), without
// JavaScript.
func BenchmarkEgressDo_Loopback(b *testing.B) {
	srv := benchServer(b)
	client, err := egress.NewClient(egress.Options{Policy: egress.Policy{AllowPrivate: true}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := egress.WithRecorder(context.Background(), egress.RecorderFunc(func(egress.Call) {}))
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		req, _ := http.NewRequest("GET", srv.URL+"/users/1", nil)
		if _, err := egress.Do(ctx, client, req, egress.CallOptions{}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	reportP50(b, durs)
}
