package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verq/verq/resolver"
)

func TestServer_HealthAndReady(t *testing.T) {
	f := newFixture(t)
	r := f.do("GET", "/healthz", nil)
	wantStatus(t, r, http.StatusOK)
	r = f.do("GET", "/readyz", nil)
	wantStatus(t, r, http.StatusOK)
	var ready map[string]any
	r.json(t, &ready)
	if ready["status"] != "ready" || ready["read_only"] != false {
		t.Errorf("readyz %v", ready)
	}
	f.srv.draining.Store(true)
	r = f.do("GET", "/readyz", nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	r = f.do("GET", "/healthz", nil)
	wantStatus(t, r, http.StatusOK)
}

func TestServer_Metrics(t *testing.T) {
	f := newFixture(t)
	res := resolver.New(f.store, testRegistry(t), resolver.WithObserver(f.metrics))
	for _, spec := range []string{"auth0@2.9.1", "auth0@2.9.1", "auth0@^2", "nope@1.0.0", "../x"} {
		_, _ = res.Resolve(testRuntime, spec)
	}
	_, _ = res.Resolve("no-such-runtime", "auth0")
	f.metrics.ObserveExecution("ok", 3*time.Millisecond)
	f.do("GET", "/api/v1/modules", nil)
	f.do("GET", "/api/v1/modules/nope", nil)
	f.do("GET", "/nowhere", nil)

	if n := f.metrics.Resolutions(testRuntime, resolver.OutcomeOK, "auth0@2.9.1"); n != 2 {
		t.Errorf("resolutions of auth0@2.9.1: %d", n)
	}
	r := f.do("GET", "/metrics", nil)
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	body := r.body()
	for _, want := range []string{
		`verq_resolutions_total{runtime="node20",outcome="ok",module="auth0@2.9.1"} 2`,
		`verq_resolutions_total{runtime="node20",outcome="ok",module="auth0@2.30.0"} 1`,
		`verq_resolutions_total{runtime="node20",outcome="not_in_catalog",module=""} 1`,
		`verq_resolutions_total{runtime="",outcome="invalid_spec",module=""} 1`,
		`verq_resolutions_total{runtime="",outcome="unknown_runtime",module=""} 1`,
		`verq_resolution_duration_seconds_count{outcome="ok"} 3`,
		`verq_executions_total{outcome="ok"} 1`,
		`verq_execution_duration_seconds_bucket{outcome="ok",le="0.005"} 1`,
		`verq_execution_duration_seconds_bucket{outcome="ok",le="0.0025"} 0`,
		`verq_http_requests_total{route="GET /api/v1/modules",method="GET",code="200"} 1`,
		`verq_http_requests_total{route="GET /api/v1/modules/{rest...}",method="GET",code="404"} 1`,
		`verq_http_requests_total{route="unmatched",method="GET",code="404"} 1`,
		`verq_catalog_modules{runtime="node20"} 180`,
		`verq_catalog_versions{runtime="node20"} 308`,
		`# TYPE verq_http_request_duration_seconds histogram`,
		`verq_catalog_generation `,
		`verq_up_seconds `,
	} {
		if !strings.Contains(body, want+"\n") && !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	checkExposition(t, body)
}

// checkExposition checks the text format line by line: comments are HELP or TYPE, and every sample is
// `name{labels} value` of a family whose TYPE came first.
func checkExposition(t *testing.T, body string) {
	t.Helper()
	typed := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# ") {
			f := strings.Fields(line)
			if len(f) < 4 || (f[1] != "HELP" && f[1] != "TYPE") {
				t.Fatalf("bad comment %q", line)
			}
			if f[1] == "TYPE" {
				typed[f[2]] = f[3]
			}
			continue
		}
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if typed[name] == "" && typed[base] != "histogram" {
			t.Fatalf("sample before its TYPE: %q", line)
		}
		val := line[strings.LastIndexByte(line, ' ')+1:]
		var x float64
		if _, err := fmt.Sscan(val, &x); err != nil && val != "+Inf" {
			t.Fatalf("bad value in %q", line)
		}
	}
}

func TestPromText_Format(t *testing.T) {
	c := newCounterVec("x_total", "Help with \\ and\nnewline.", "a", "b")
	c.add(labelValues{"v\"1", "line\nbreak"}, 3)
	c.add(labelValues{"a", "b"}, 1)
	h := newHistogramVec("y_seconds", "Y.", []float64{0.1, 1}, "k")
	h.observe(labelValues{"z"}, 0.05)
	h.observe(labelValues{"z"}, 0.1)
	h.observe(labelValues{"z"}, 5)
	var sb strings.Builder
	w := bufio.NewWriter(&sb)
	c.write(w)
	h.write(w)
	writeGauge(w, "g", "G.", nil, []gaugeSample{{value: 1.5}})
	w.Flush()
	want := `# HELP x_total Help with \\ and\nnewline.
# TYPE x_total counter
x_total{a="a",b="b"} 1
x_total{a="v\"1",b="line\nbreak"} 3
# HELP y_seconds Y.
# TYPE y_seconds histogram
y_seconds_bucket{k="z",le="0.1"} 2
y_seconds_bucket{k="z",le="1"} 2
y_seconds_bucket{k="z",le="+Inf"} 3
y_seconds_sum{k="z"} 5.15
y_seconds_count{k="z"} 3
# HELP g G.
# TYPE g gauge
g 1.5
`
	if sb.String() != want {
		t.Fatalf("exposition:\n%s\nwant:\n%s", sb.String(), want)
	}
}

func TestMetrics_Concurrent(t *testing.T) {
	m := NewMetrics()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				m.Observe(resolver.Event{Runtime: "r", Outcome: resolver.OutcomeOK, Resolution: &resolver.Resolution{Name: "a", Version: "1.0.0"}, Duration: time.Microsecond})
				m.ObserveExecution("ok", time.Millisecond)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			_ = m.WriteText(io.Discard, nil, 1)
		}
	}()
	wg.Wait()
	if n := m.Resolutions("r", resolver.OutcomeOK, "a@1.0.0"); n != 8000 {
		t.Fatalf("count %d", n)
	}
}

func TestServer_SecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{"/", "/modules/auth0", "/modules/nope", "/api/v1/modules", "/nowhere", "/static/app.css", "/metrics", "/canirequire"} {
		r := f.do("GET", target, nil)
		h := r.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", target, h)
		}
	}
}

func TestServer_RequestLog(t *testing.T) {
	var mu sync.Mutex
	var sb strings.Builder
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &sb}, nil))
	f := newFixture(t, func(c *Config) { c.Logger = logger })
	f.admin("PUT", "/api/v1/runtimes/node20/modules/auth0/versions/2.99.0", nil, ActorHeader, "ops\x00team")
	mu.Lock()
	out := sb.String()
	mu.Unlock()
	for _, want := range []string{`"msg":"request"`, `"method":"PUT"`, `"status":201`, `"route":"PUT /api/v1/runtimes/{runtime}/modules/{rest...}"`, `"actor":"admin:opsteam"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestServer_PanicRecovered(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Usage = func(context.Context, string, string) ([]VersionUsage, error) { panic("usage broke") }
	})
	r := f.do("GET", "/api/v1/modules/auth0", nil)
	wantStatus(t, r, http.StatusInternalServerError)
	if e := r.errorBody(t); strings.Contains(e.Error, "usage broke") {
		t.Errorf("panic text leaked: %q", e.Error)
	}
}

func TestServer_ServeGracefulShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	f := newFixture(t, func(c *Config) {
		c.ShutdownTimeout = 5 * time.Second
		c.Execute = func(ctx context.Context, req *ExecuteRequest) (*ExecuteResult, error) {
			close(started)
			<-release
			return &ExecuteResult{Outcome: "ok", Body: map[string]string{"outcome": "ok"}}, nil
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// An execution in flight when the shutdown starts still completes.
	type result struct {
		code int
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/v1/execute", strings.NewReader(`{"rules":[{"name":"a","script":"x"}]}`))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		resp.Body.Close()
		inflight <- result{code: resp.StatusCode}
	}()
	<-started
	cancel()
	time.Sleep(50 * time.Millisecond)
	if !f.srv.draining.Load() {
		t.Error("not draining after cancel")
	}
	close(release)
	if res := <-inflight; res.err != nil || res.code != http.StatusOK {
		t.Fatalf("in-flight request: %+v", res)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestServer_HTTPServerLimits(t *testing.T) {
	f := newFixture(t)
	hs := f.srv.HTTPServer()
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= f.srv.cfg.MaxExecuteTimeout || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes != MaxHeaderBytes {
		t.Fatalf("limits %+v", hs)
	}
}

func TestNew_Errors(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("no catalog accepted")
	}
	st := openTestStore(t)
	if _, err := New(Config{Catalog: st, DefaultRuntime: "Bad Name"}); err == nil {
		t.Error("bad default runtime accepted")
	}
}
