package egress

import "context"

// Call is the record of one HTTP exchange (one request and its response; each redirect hop is its
// own Call). It never holds bodies, headers, query strings or credentials.
type Call struct {
	// Method is the request method, e.g. "GET".
	Method string `json:"method"`
	// Host is the host (and port, when the URL names one) the call addressed, before any Map
	// rewriting, e.g. "api.example.com".
	Host string `json:"host"`
	// Status is the response status code; 0 when no response arrived.
	Status int `json:"status,omitempty"`
	// DurationUS is the time from sending the request to the end of the response body, in
	// microseconds.
	DurationUS int64 `json:"duration_us"`
	// Error is why the exchange failed, empty on success. Denials, timeouts, size-limit breaches and
	// network errors all land here.
	Error string `json:"error,omitempty"`
}

// Recorder receives a Call for every exchange made through a client from NewClient with a context
// that carries it (see WithRecorder). RecordHTTP may be called from any goroutine, concurrently, and
// must not block for long.
type Recorder interface {
	RecordHTTP(Call)
}

// RecorderFunc adapts a function to Recorder.
type RecorderFunc func(Call)

// RecordHTTP calls f(c).
func (f RecorderFunc) RecordHTTP(c Call) { f(c) }

type recorderKey struct{}

// WithRecorder returns a context whose outbound calls are reported to r. The sandbox puts one per
// execution into the context it hands to modules (registry.Host.Context).
func WithRecorder(ctx context.Context, r Recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

// RecorderFrom returns the Recorder in ctx, or nil.
func RecorderFrom(ctx context.Context) Recorder {
	r, _ := ctx.Value(recorderKey{}).(Recorder)
	return r
}
