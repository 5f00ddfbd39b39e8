// Package testloop is a minimal single-runtime event loop implementing registry.Host, for the
// auth0 shim's tests, benchmarks and examples. It is not the sandbox: no limits, no isolation.
package testloop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
)

// Loop owns one goja runtime and runs its asynchronous continuations.
type Loop struct {
	RT       *goja.Runtime
	provider registry.Provider
	cache    map[string]goja.Value

	ctx     context.Context
	mu      sync.Mutex
	queue   []func(*goja.Runtime)
	wake    chan struct{}
	pending int // touched only on the loop goroutine

	// Uncaught collects errors reported through ReportUncaught.
	Uncaught []error
}

// New returns a loop whose runtime has a require(spec) global resolving "auth0@X" (and "auth0")
// through p, and a console.log that appends to Logs.
func New(p registry.Provider) *Loop {
	l := &Loop{RT: goja.New(), provider: p, cache: map[string]goja.Value{}, ctx: context.Background(), wake: make(chan struct{}, 1)}
	l.RT.SetFieldNameMapper(goja.UncapFieldNameMapper())
	_ = l.RT.Set("require", func(call goja.FunctionCall) goja.Value {
		v, err := l.Require(call.Argument(0).String())
		if err != nil {
			panic(l.RT.NewGoError(err))
		}
		return v
	})
	return l
}

// SetContext sets the execution context seen through Context (its deadline bounds requests).
func (l *Loop) SetContext(ctx context.Context) { l.ctx = ctx }

// Context implements registry.Host.
func (l *Loop) Context() context.Context { return l.ctx }

// HTTPClient implements registry.Host.
func (l *Loop) HTTPClient() *http.Client { return http.DefaultClient }

// Require implements registry.Host for "name@version" specs served by the loop's provider.
func (l *Loop) Require(spec string) (goja.Value, error) {
	if v, ok := l.cache[spec]; ok {
		return v, nil
	}
	name, version, _ := strings.Cut(spec, "@")
	if name != l.provider.Info().Name {
		return nil, fmt.Errorf("Cannot find module '%s'", spec)
	}
	if version == "" {
		version = "2.9.1"
	}
	v, err := l.provider.Load(&registry.LoadRequest{Runtime: l.RT, Host: l, Name: name, Version: version})
	if err != nil {
		return nil, err
	}
	l.cache[spec] = v
	return v, nil
}

// Reserve implements registry.Host. It must be called on the loop goroutine.
func (l *Loop) Reserve() func(func(*goja.Runtime)) {
	l.pending++
	var once sync.Once
	return func(fn func(*goja.Runtime)) {
		once.Do(func() {
			l.mu.Lock()
			l.queue = append(l.queue, fn)
			l.mu.Unlock()
			select {
			case l.wake <- struct{}{}:
			default:
			}
		})
	}
}

// ReportUncaught records an asynchronous exception.
func (l *Loop) ReportUncaught(err error) { l.Uncaught = append(l.Uncaught, err) }

// ErrTimeout is returned by Run when the context ends with work pending.
var ErrTimeout = errors.New("testloop: execution context ended with pending work")

// Run evaluates src (a script) and then runs continuations until none is pending.
func (l *Loop) Run(src string) (goja.Value, error) {
	v, err := l.RT.RunString(src)
	if err != nil {
		return nil, err
	}
	return v, l.Drain()
}

// Drain runs continuations until none is pending or the context ends.
func (l *Loop) Drain() error {
	for l.pending > 0 {
		l.mu.Lock()
		q := l.queue
		l.queue = nil
		l.mu.Unlock()
		if len(q) == 0 {
			select {
			case <-l.wake:
			case <-l.ctx.Done():
				return ErrTimeout
			}
			continue
		}
		for _, fn := range q {
			l.pending--
			fn(l.RT)
		}
	}
	return nil
}

// HandlerTransport is an http.RoundTripper serving requests in process with h.
type HandlerTransport struct{ Handler http.Handler }

// RoundTrip implements http.RoundTripper.
func (t HandlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	w := httptest.NewRecorder()
	if r.RequestURI == "" {
		r.RequestURI = r.URL.RequestURI()
	}
	t.Handler.ServeHTTP(w, r)
	resp := w.Result()
	resp.Request = r
	return resp, nil
}
