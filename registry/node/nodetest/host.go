// Package nodetest is a test harness for verq's core modules: a [Host] that implements
// registry.Host over one goja runtime with a synchronous event-loop queue, and golden case files
// whose expected values were produced by Node.js 20 (see [ReadCases] and the nodegen command).
//
// It is meant for tests only: it has no deadline handling beyond a context and no isolation.
package nodetest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/buffer"
)

// Host runs core modules in one fresh runtime. Requires resolve among the providers given to New
// (a "node:" prefix is accepted) and load each module at most once. Callbacks handed to a
// Reserve release function run when Drain is called, in the order they were released.
type Host struct {
	// Runtime is the runtime the host owns; the global Buffer and require are installed in it.
	Runtime *goja.Runtime

	ctx       context.Context // nil means context.Background
	providers map[string]registry.Provider
	loaded    map[string]goja.Value

	mu      sync.Mutex
	queue   []func(*goja.Runtime)
	pending int
}

var _ registry.Host = (*Host)(nil)

// New returns a host over a fresh runtime with the global Buffer (buffer.Enable) and a global
// require that calls Host.Require.
func New(providers ...registry.Provider) (*Host, error) {
	h := &Host{
		Runtime:   goja.New(),
		ctx:       context.Background(),
		providers: make(map[string]registry.Provider, len(providers)),
		loaded:    make(map[string]goja.Value),
	}
	for _, p := range providers {
		h.providers[p.Info().Name] = p
	}
	if _, err := buffer.Enable(h.Runtime); err != nil {
		return nil, err
	}
	err := h.Runtime.Set("require", func(call goja.FunctionCall) goja.Value {
		v, err := h.Require(call.Argument(0).String())
		if err != nil {
			panic(h.Runtime.NewGoError(err))
		}
		return v
	})
	return h, err
}

// Context is context.Background.
func (h *Host) Context() context.Context {
	if h.ctx == nil {
		return context.Background()
	}
	return h.ctx
}

// HTTPClient is nil: core modules make no HTTP calls.
func (h *Host) HTTPClient() *http.Client { return nil }

// Reserve counts one pending operation; its release function queues the callback for Drain.
func (h *Host) Reserve() func(func(*goja.Runtime)) {
	h.mu.Lock()
	h.pending++
	h.mu.Unlock()
	var once sync.Once
	return func(fn func(*goja.Runtime)) {
		once.Do(func() {
			h.mu.Lock()
			h.pending--
			h.queue = append(h.queue, fn)
			h.mu.Unlock()
		})
	}
}

// Pending is how many reservations have not been released yet.
func (h *Host) Pending() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pending
}

// Require loads a module among the host's providers, once per name.
func (h *Host) Require(spec string) (goja.Value, error) {
	name := strings.TrimPrefix(spec, "node:")
	if v, ok := h.loaded[name]; ok {
		return v, nil
	}
	p, ok := h.providers[name]
	if !ok {
		return nil, fmt.Errorf("Cannot find module '%s'", spec)
	}
	v, err := p.Load(&registry.LoadRequest{Runtime: h.Runtime, Host: h, Name: name})
	if err != nil {
		return nil, err
	}
	h.loaded[name] = v
	return v, nil
}

// Drain runs queued callbacks, and the promise jobs they cause, until the queue is empty.
func (h *Host) Drain() error {
	for {
		h.mu.Lock()
		q := h.queue
		h.queue = nil
		h.mu.Unlock()
		if len(q) == 0 {
			return nil
		}
		for _, fn := range q {
			if err := h.call(fn); err != nil {
				return err
			}
		}
	}
}

func (h *Host) call(fn func(*goja.Runtime)) (err error) {
	defer func() {
		if x := recover(); x != nil {
			if ex, ok := x.(*goja.Exception); ok {
				err = ex
				return
			}
			panic(x)
		}
	}()
	fn(h.Runtime)
	// Run the promise jobs the callback queued: goja runs them when a script finishes.
	_, err = h.Runtime.RunString("undefined")
	return err
}

// Run evaluates src as a script, then drains the queue. It returns the script's completion value.
func (h *Host) Run(src string) (goja.Value, error) {
	v, err := h.Runtime.RunString(src)
	if err != nil {
		return nil, err
	}
	return v, h.Drain()
}
