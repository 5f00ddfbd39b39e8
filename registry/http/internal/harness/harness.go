// Package harness runs verq's HTTP modules in a goja runtime with a minimal event loop, for tests
// and benchmarks: it implements registry.Host, loads providers under their module names, records
// outbound calls and reports exceptions thrown by callbacks the way the sandbox does.
//
// A Harness is used from one goroutine.
package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
)

// Options configures New.
type Options struct {
	// Egress configures the client. Default: private addresses allowed (tests call loopback).
	Egress *egress.Options
	// Timeout bounds each Run. Default 10s.
	Timeout time.Duration
	// Modules are the providers require can load, by module name, at Version.
	Modules map[string]registry.Provider
	// Versions is the version loaded for each module by name (e.g. "request" → "2.88.2") when
	// require names none.
	Versions map[string]string
	// NoBuffer leaves the global Buffer out, to exercise the Uint8Array fallback.
	NoBuffer bool
}

// Harness is a runtime plus an event loop implementing registry.Host.
type Harness struct {
	// RT is the harness's runtime.
	RT     *goja.Runtime
	client *http.Client
	opts   Options

	ctx      context.Context // carries the recorder
	cancel   context.CancelFunc
	wake     chan struct{}
	done     chan struct{}
	qmu      sync.Mutex
	queue    []func(*goja.Runtime) // continuations posted by Reserve, run by Wait
	pending  int
	uncaught []error
	loaded   map[string]goja.Value

	result goja.Value

	mu    sync.Mutex
	calls []egress.Call
}

var _ registry.Host = (*Harness)(nil)

// New returns a harness with the modules of opts available to require and as globals named by
// their module names with non-identifier characters replaced by '_' (node-fetch → node_fetch). The
// global done(value) hands a value back to Go (see Result).
func New(opts Options) (*Harness, error) {
	eo := egress.Options{Policy: egress.Policy{AllowPrivate: true}}
	if opts.Egress != nil {
		eo = *opts.Egress
	}
	client, err := egress.NewClient(eo)
	if err != nil {
		return nil, err
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	h := &Harness{
		RT: goja.New(), client: client, opts: opts,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
		loaded: map[string]goja.Value{},
	}
	base, cancel := context.WithCancel(context.Background())
	h.ctx, h.cancel = egress.WithRecorder(base, egress.RecorderFunc(h.record)), cancel
	if !opts.NoBuffer {
		if _, err := h.RT.RunString(bufferPolyfill); err != nil {
			return nil, err
		}
	}
	h.RT.Set("done", func(v goja.Value) { h.result = v })
	for name := range opts.Modules {
		v, err := h.Require(name)
		if err != nil {
			return nil, err
		}
		h.RT.Set(strings.NewReplacer("-", "_", "@", "_", "/", "_").Replace(name), v)
	}
	return h, nil
}

// Close stops the harness: pending continuations are dropped and pooled connections closed.
func (h *Harness) Close() {
	h.cancel()
	close(h.done)
	h.client.CloseIdleConnections()
}

// Context implements registry.Host: the current Run's context, carrying the harness recorder.
func (h *Harness) Context() context.Context {
	return h.ctx
}

// HTTPClient implements registry.Host.
func (h *Harness) HTTPClient() *http.Client { return h.client }

// Reserve implements registry.Host.
func (h *Harness) Reserve() func(func(*goja.Runtime)) {
	h.pending++
	var once sync.Once
	return func(fn func(*goja.Runtime)) {
		once.Do(func() {
			select {
			case <-h.done:
				return
			default:
			}
			h.qmu.Lock()
			h.queue = append(h.queue, fn)
			h.qmu.Unlock()
			select {
			case h.wake <- struct{}{}:
			default:
			}
		})
	}
}

// Require implements registry.Host: "name" or "name@version" of a configured module.
func (h *Harness) Require(spec string) (goja.Value, error) {
	name := spec
	if i := strings.LastIndex(spec, "@"); i > 0 {
		name = spec[:i]
	}
	if v, ok := h.loaded[spec]; ok {
		return v, nil
	}
	p, ok := h.opts.Modules[name]
	if !ok {
		return nil, fmt.Errorf("Cannot find module '%s'", spec)
	}
	version := h.opts.Versions[name]
	if i := strings.LastIndex(spec, "@"); i > 0 {
		version = spec[i+1:]
	}
	v, err := p.Load(&registry.LoadRequest{Runtime: h.RT, Host: h, Name: name, Version: version})
	if err != nil {
		return nil, err
	}
	h.loaded[spec] = v
	return v, nil
}

func (h *Harness) record(c egress.Call) {
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
}

// Result returns JSON.stringify of the value the script last passed to the global done(value),
// and clears it; "" when done was not called.
func (h *Harness) Result() string {
	v := h.result
	h.result = nil
	if v == nil {
		return ""
	}
	s, err := h.RT.RunString("JSON.stringify")
	if err != nil {
		return ""
	}
	fn, _ := goja.AssertFunction(s)
	out, err := fn(goja.Undefined(), v)
	if err != nil || goja.IsUndefined(out) {
		return "undefined"
	}
	return out.String()
}

// Calls returns and clears the calls recorded so far.
func (h *Harness) Calls() []egress.Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.calls
	h.calls = nil
	return c
}

// Run evaluates src, then runs the loop until no asynchronous work is pending. It returns the
// script's value, or the script's exception, the first exception a callback threw, or a timeout.
func (h *Harness) Run(src string) (goja.Value, error) {
	v, err := h.RT.RunString(src)
	if err != nil {
		return nil, err
	}
	return v, h.Wait()
}

// RunProgram is Run for a compiled program.
func (h *Harness) RunProgram(p *goja.Program) (goja.Value, error) {
	v, err := h.RT.RunProgram(p)
	if err != nil {
		return nil, err
	}
	return v, h.Wait()
}

// Wait runs queued continuations until none is pending.
func (h *Harness) Wait() error {
	timer := time.NewTimer(h.opts.Timeout)
	defer timer.Stop()
	for h.pending > 0 {
		h.qmu.Lock()
		jobs := h.queue
		h.queue = nil
		h.qmu.Unlock()
		for _, fn := range jobs {
			h.pending--
			h.runJob(fn)
		}
		if len(jobs) > 0 {
			continue
		}
		select {
		case <-h.wake:
		case <-timer.C:
			return fmt.Errorf("harness: %d operations still pending after %s", h.pending, h.opts.Timeout)
		}
	}
	if len(h.uncaught) > 0 {
		err := errors.Join(h.uncaught...)
		h.uncaught = nil
		return err
	}
	return nil
}

func (h *Harness) runJob(fn func(*goja.Runtime)) {
	defer func() {
		if x := recover(); x != nil {
			switch e := x.(type) {
			case error:
				h.uncaught = append(h.uncaught, e)
			case *goja.Object:
				h.uncaught = append(h.uncaught, fmt.Errorf("uncaught: %s", e.String()))
			default:
				h.uncaught = append(h.uncaught, fmt.Errorf("uncaught panic: %v", x))
			}
		}
	}()
	fn(h.RT)
}

// bufferPolyfill is a minimal Node Buffer (from, toString, isBuffer) for tests.
const bufferPolyfill = `
(function(g){
  function utf8Encode(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) { c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00); }
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | c >> 6, 0x80 | c & 63);
      else if (c < 0x10000) out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63);
      else out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63);
    }
    return out;
  }
  class Buffer extends Uint8Array {
    static from(x, enc) {
      if (typeof x === 'string') {
        if (enc === 'base64') { var bin = atobish(x); return new Buffer(bin); }
        return new Buffer(utf8Encode(x));
      }
      if (x instanceof ArrayBuffer) return new Buffer(x);
      return new Buffer(Array.from(x));
    }
    static isBuffer(b) { return b instanceof Buffer; }
    toString(enc) {
      if (enc === 'hex') return Array.from(this, function(b){ return (b < 16 ? '0' : '') + b.toString(16); }).join('');
      var s = '';
      for (var i = 0; i < this.length; i++) s += '%' + (this[i] < 16 ? '0' : '') + this[i].toString(16);
      return decodeURIComponent(s);
    }
  }
  function atobish(s) {
    var chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', out = [], buf = 0, bits = 0;
    for (var i = 0; i < s.length; i++) {
      var v = chars.indexOf(s[i]); if (v < 0) continue;
      buf = buf << 6 | v; bits += 6;
      if (bits >= 8) { bits -= 8; out.push(buf >> bits & 255); }
    }
    return out;
  }
  g.Buffer = Buffer;
})(this);
`
