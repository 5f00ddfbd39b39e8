package web

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/resolver"
)

// Metrics collects what the server exports at /metrics in the Prometheus text format:
//
//	verq_resolutions_total{runtime,outcome,module}        counter   every require resolution (resolver.Observer)
//	verq_resolution_duration_seconds{outcome}             histogram
//	verq_executions_total{outcome}                         counter   POST /api/v1/execute by sandbox outcome
//	verq_execution_duration_seconds{outcome}               histogram
//	verq_http_requests_total{route,method,code}            counter   by route pattern, not by raw path
//	verq_http_request_duration_seconds{route}              histogram
//	verq_catalog_modules{runtime}, verq_catalog_versions{runtime}, verq_catalog_generation   gauges, read at scrape time
//	verq_up_seconds                                        gauge     time since the server started
//
// Label values are bounded: module is name@version (or the core module name) only for resolutions that
// succeed, so it ranges over the catalog; failed resolutions carry module="" because their spec text is
// the caller's. runtime is "" for unknown runtimes for the same reason.
//
// A Metrics is safe for concurrent use; Observe is cheap enough for the require hot path (a read lock and
// two atomic adds once a series exists).
type Metrics struct {
	resolutions *counterVec
	resolveDur  *histogramVec
	executions  *counterVec
	execDur     *histogramVec
	requests    *counterVec
	requestDur  *histogramVec
	started     time.Time
}

var (
	resolveBuckets = []float64{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2, 0.1}
	execBuckets    = []float64{1e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20}
	httpBuckets    = []float64{1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// NewMetrics returns an empty collector. Pass it to resolver.WithObserver for the resolver the sandbox
// uses, and as Config.Metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		resolutions: newCounterVec("verq_resolutions_total", "Require resolutions by runtime, outcome and resolved module@version.", "runtime", "outcome", "module"),
		resolveDur:  newHistogramVec("verq_resolution_duration_seconds", "Time to resolve one require specifier.", resolveBuckets, "outcome"),
		executions:  newCounterVec("verq_executions_total", "Rule pipeline executions over HTTP by outcome.", "outcome"),
		execDur:     newHistogramVec("verq_execution_duration_seconds", "Wall time of one rule pipeline execution over HTTP.", execBuckets, "outcome"),
		requests:    newCounterVec("verq_http_requests_total", "HTTP requests by route pattern, method and status code.", "route", "method", "code"),
		requestDur:  newHistogramVec("verq_http_request_duration_seconds", "HTTP request latency by route pattern.", httpBuckets, "route"),
		started:     time.Now(),
	}
}

// Observe implements resolver.Observer.
func (m *Metrics) Observe(e resolver.Event) {
	module, runtime := "", e.Runtime
	if r := e.Resolution; r != nil {
		module = r.Name
		if r.Version != "" {
			module += "@" + r.Version
		}
	}
	if e.Outcome == resolver.OutcomeUnknownRuntime || e.Outcome == resolver.OutcomeInvalidSpec {
		runtime = ""
	}
	m.resolutions.add(labelValues{runtime, string(e.Outcome), module}, 1)
	m.resolveDur.observe(labelValues{string(e.Outcome)}, e.Duration.Seconds())
}

var _ resolver.Observer = (*Metrics)(nil)

// ObserveExecution records one rule pipeline execution.
func (m *Metrics) ObserveExecution(outcome string, d time.Duration) {
	m.executions.add(labelValues{outcome}, 1)
	m.execDur.observe(labelValues{outcome}, d.Seconds())
}

// observeRequest records one HTTP request.
func (m *Metrics) observeRequest(route, method string, code int, d time.Duration) {
	m.requests.add(labelValues{route, method, strconv.Itoa(code)}, 1)
	m.requestDur.observe(labelValues{route}, d.Seconds())
}

// Resolutions returns the count of resolutions with the given labels (for tests and diagnostics).
func (m *Metrics) Resolutions(runtime string, outcome resolver.Outcome, module string) uint64 {
	return m.resolutions.value(labelValues{runtime, string(outcome), module})
}

// Executions returns the count of executions with the given outcome.
func (m *Metrics) Executions(outcome string) uint64 {
	return m.executions.value(labelValues{outcome})
}

// WriteText writes every metric in the Prometheus text format. rts are the catalog's runtimes (for the
// size gauges) and gen its generation.
func (m *Metrics) WriteText(out io.Writer, rts []catalog.RuntimeInfo, gen uint64) error {
	w := bufio.NewWriter(out)
	m.resolutions.write(w)
	m.resolveDur.write(w)
	m.executions.write(w)
	m.execDur.write(w)
	m.requests.write(w)
	m.requestDur.write(w)
	mods := make([]gaugeSample, 0, len(rts))
	vers := make([]gaugeSample, 0, len(rts))
	for _, r := range rts {
		mods = append(mods, gaugeSample{labelValues{r.Name}, float64(r.Modules)})
		vers = append(vers, gaugeSample{labelValues{r.Name}, float64(r.Versions)})
	}
	writeGauge(w, "verq_catalog_modules", "Modules listed per catalog runtime.", []string{"runtime"}, mods)
	writeGauge(w, "verq_catalog_versions", "Versions listed per catalog runtime (a core module counts as one).", []string{"runtime"}, vers)
	writeGauge(w, "verq_catalog_generation", "Catalog writes since the server opened it, plus one.", nil, []gaugeSample{{value: float64(gen)}})
	writeGauge(w, "verq_up_seconds", "Seconds since the server started.", nil, []gaugeSample{{value: time.Since(m.started).Seconds()}})
	return w.Flush()
}
