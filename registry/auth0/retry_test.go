package auth0_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

const tooMany = `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}`

// rateLimited answers 429 for the first `fails` requests (all when fails < 0), then 200.
func rateLimited(rec *recorder, fails int, headers func() map[string]string) *atomic.Int32 {
	var n atomic.Int32
	rec.handle = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		i := int(n.Add(1))
		w.Header().Set("Content-Type", "application/json")
		if fails < 0 || i <= fails {
			if headers != nil {
				for k, v := range headers() {
					w.Header().Set(k, v)
				}
			}
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(tooMany))
			return true
		}
		_, _ = w.Write([]byte(`[{"id":"ok"}]`))
		return true
	}
	return &n
}

func rateHeaders(resetIn time.Duration) func() map[string]string {
	return func() map[string]string {
		return map[string]string{
			"X-RateLimit-Limit":     "10",
			"X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset":     strconv.FormatInt(time.Now().Add(resetIn).Unix(), 10),
		}
	}
}

func TestRetry_429(t *testing.T) {
	tests := []struct {
		name      string
		version   string
		opts      string
		fails     int
		headers   func() map[string]string
		deadline  time.Duration
		attempts  int32
		resolved  bool
		maxTook   time.Duration
		minTook   time.Duration
		wantError string
	}{
		{name: "2.0 never retries", version: "2.0.0", fails: 2, headers: rateHeaders(-time.Second), attempts: 1, maxTook: time.Second},
		{name: "2.9 without rate-limit headers rejects at once", version: "2.9.1", fails: 2, attempts: 1, maxTook: time.Second, wantError: "Too Many Requests"},
		{name: "2.9 with headers, reset passed, retries at once", version: "2.9.1", fails: 2, headers: rateHeaders(-time.Second), attempts: 3, resolved: true, maxTook: time.Second},
		{name: "2.9 gives up after 11 attempts", version: "2.9.1", fails: -1, headers: rateHeaders(-time.Second), attempts: 11, maxTook: 2 * time.Second},
		{name: "2.9 retry disabled", version: "2.9.1", opts: `, retry: {enabled: false}`, fails: -1, headers: rateHeaders(-time.Second), attempts: 1, maxTook: time.Second},
		{name: "2.9 maxRetries 1", version: "2.9.1", opts: `, retry: {maxRetries: 1}`, fails: -1, headers: rateHeaders(-time.Second), attempts: 2, maxTook: time.Second},
		{name: "2.9 waits for the reset", version: "2.9.1", fails: 1, headers: rateHeaders(1500 * time.Millisecond), deadline: 10 * time.Second, attempts: 2, resolved: true, minTook: 400 * time.Millisecond, maxTook: 4 * time.Second},
		{name: "2.9 never waits past the deadline", version: "2.9.1", fails: 1, headers: rateHeaders(30 * time.Second), deadline: 2 * time.Second, attempts: 1, maxTook: time.Second, wantError: "Too Many Requests"},
		{name: "2.30 retries without headers, backoff", version: "2.30.0", opts: `, retry: {maxRetries: 1}`, fails: 1, deadline: 10 * time.Second, attempts: 2, resolved: true, minTook: 900 * time.Millisecond, maxTook: 4 * time.Second},
		{name: "2.30 never waits past the deadline", version: "2.30.0", fails: -1, deadline: 500 * time.Millisecond, attempts: 1, maxTook: 400 * time.Millisecond, wantError: "Too Many Requests"},
		{name: "2.44 retry disabled", version: "2.44.1", opts: `, retry: {enabled: false}`, fails: -1, attempts: 1, maxTook: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t)
			n := rateLimited(rec, tt.fails, tt.headers)
			h := newHarness(t, rec, tt.version, `{domain: 'd', token: 'T'`+tt.opts+`}`)
			if tt.deadline > 0 {
				ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
				defer cancel()
				h.l.SetContext(ctx)
			}
			start := time.Now()
			r := h.call("m", "getUsers", nil, "promise")
			took := time.Since(start)
			if got := n.Load(); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
			if tt.resolved != (r.Resolved != nil) {
				t.Errorf("resolved = %+v, rejected = %+v; want resolved %v", r.Resolved, r.Rejected, tt.resolved)
			}
			if tt.wantError != "" && (r.Rejected == nil || r.Rejected.Name != tt.wantError || mustJSON(r.Rejected.StatusCode) != "429") {
				t.Errorf("rejected = %+v, want %s 429", r.Rejected, tt.wantError)
			}
			if took > tt.maxTook || took < tt.minTook {
				t.Errorf("took %v, want between %v and %v", took, tt.minTook, tt.maxTook)
			}
		})
	}
}

func TestRetry_5xxNeverRetried(t *testing.T) {
	for _, v := range []string{"2.9.1", "2.30.0"} {
		rec := newRecorder(t)
		rec.respond(503, `{"statusCode":503,"error":"Service Unavailable","message":"try later"}`, nil)
		h := newHarness(t, rec, v, `{domain: 'd', token: 'T'}`)
		r := h.call("m", "getUsers", nil, "promise")
		if n := len(rec.take()); n != 1 || r.Rejected == nil || r.Rejected.Name != "Service Unavailable" {
			t.Errorf("%s: %d attempts, rejected %+v", v, n, r.Rejected)
		}
	}
}

func TestRequest_CancelledAtDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rec := newRecorder(t)
	var cancelled atomic.Bool
	rec.handle = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		select {
		case <-r.Context().Done():
			cancelled.Store(true)
		case <-release:
		}
		return true
	}
	h := newHarness(t, rec, "2.30.0", `{domain: 'd', token: 'T'}`)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	h.l.SetContext(ctx)
	if _, err := h.l.Run(`m.getUser({id: 'x'}, function () {})`); err == nil {
		t.Fatal("the loop should end at the deadline with the request pending")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !cancelled.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !cancelled.Load() {
		t.Error("the server never saw the request cancelled")
	}
}
