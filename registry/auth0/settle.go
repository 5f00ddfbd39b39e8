package auth0

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/dop251/goja"
)

// UncaughtReporter may be implemented by a registry.Host to receive the errors rule code throws
// asynchronously where Node raises an uncaughtException (a 2.0–2.8 callback that throws, the
// pre-2.32 getUsersByEmail(email, options) quirk). Hosts without it get the exception re-thrown
// (panicked) from the Reserve continuation, which the sandbox reports as an uncaught exception.
type UncaughtReporter interface {
	ReportUncaught(err error)
}

// uncaught raises an asynchronous exception; it must be the last thing a continuation does.
func (m *module) uncaught(err error) {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return // the execution is being stopped; nothing to report
	}
	if r, ok := m.host.(UncaughtReporter); ok {
		r.ReportUncaught(err)
		return
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		panic(ex)
	}
	panic(m.rt.NewGoError(err))
}

// newPromise returns the version's promise (bluebird-style or native) and its resolving functions.
func (m *module) newPromise() (goja.Value, func(goja.Value), func(goja.Value)) {
	if m.f.Bluebird {
		arr, err := m.g.deferred(goja.Undefined(), m.rt.ToValue(true))
		if err != nil {
			panic(err)
		}
		o := arr.ToObject(m.rt)
		res, _ := goja.AssertFunction(o.Get("1"))
		rej, _ := goja.AssertFunction(o.Get("2"))
		return o.Get("0"),
			func(v goja.Value) { _, err := res(goja.Undefined(), v); m.jobErr(err) },
			func(v goja.Value) { _, err := rej(goja.Undefined(), v); m.jobErr(err) }
	}
	p, res, rej := m.rt.NewPromise()
	return m.rt.ToValue(p), func(v goja.Value) { m.jobErr(res(v)) }, func(v goja.Value) { m.jobErr(rej(v)) }
}

// jobErr handles the uncatchable errors (interrupts) a promise reaction may return.
func (m *module) jobErr(err error) {
	if err != nil {
		m.p.log.Debug("auth0: promise reaction stopped", "err", err)
	}
}

// dispatch sends req on another goroutine, bounded by the execution's context, and settles the
// callback or the returned promise on the loop.
func (m *module) dispatch(c *clientObj, req *apiRequest, cb goja.Callable) goja.Value {
	var ret goja.Value = goja.Undefined()
	var resolve, reject func(goja.Value)
	if cb == nil && req.uncaughtAfter == "" {
		ret, resolve, reject = m.newPromise()
	}
	s := c.sendSpec()
	ctx := m.host.Context()
	done := m.host.Reserve()
	go func() {
		res := m.p.send(ctx, s, req)
		done(func(*goja.Runtime) { m.settle(c, req, res, cb, resolve, reject) })
	}()
	return ret
}

func (c *clientObj) sendSpec() *sendSpec {
	return &sendSpec{t: c.target(), token: c.cfg.token, cc: c.cfg.cc, retry: c.cfg.retry, retries: c.cfg.retries, policy: c.m.f.Retry}
}

// settleLater delivers err asynchronously: a rejected promise, or cb(err) on a later loop turn.
func (m *module) settleLater(err goja.Value, cb goja.Callable) goja.Value {
	if cb == nil {
		p, _, reject := m.newPromise()
		reject(err)
		return p
	}
	done := m.host.Reserve()
	done(func(*goja.Runtime) { m.callback(cb, false, err) })
	return goja.Undefined()
}

// settle runs on the loop with the outcome of a request.
func (m *module) settle(c *clientObj, req *apiRequest, res *response, cb goja.Callable, resolve, reject func(goja.Value)) {
	if req.uncaughtAfter != "" {
		_, err := m.g.raise(goja.Undefined(), m.typeError(req.uncaughtAfter))
		m.uncaught(err)
		return
	}
	if res.netErr != nil || res.status < 200 || res.status > 299 {
		jsErr := m.requestError(res)
		if cb != nil {
			m.callback(cb, false, jsErr)
		} else {
			reject(jsErr)
		}
		return
	}
	val := m.responseValue(res, req.rawResponse)
	if c.cfg.withHdrs {
		o := m.rt.NewObject()
		_ = o.Set("data", val)
		_ = o.Set("headers", m.headersObject(res.header))
		val = o
	}
	if cb == nil {
		resolve(val)
		return
	}
	if m.f.CallbackHeaders {
		m.callback(cb, true, goja.Null(), val, m.headersObject(res.header))
	} else {
		m.callback(cb, true, goja.Null(), val)
	}
}

// callback calls a Node-style callback with the version's semantics when it throws: from 2.9 a
// throwing success callback is called again with the error (then any throw is swallowed like an
// unhandled rejection); before, the throw is uncaught.
func (m *module) callback(cb goja.Callable, success bool, args ...goja.Value) {
	_, err := cb(goja.Undefined(), args...)
	if err == nil {
		return
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return
	}
	if !m.f.CallbackRecalled {
		m.uncaught(err)
		return
	}
	if !success {
		m.p.log.Debug("auth0: callback threw while handling an error", "err", err)
		return
	}
	var thrown goja.Value = m.rt.ToValue(err.Error())
	var ex *goja.Exception
	if errors.As(err, &ex) {
		thrown = ex.Value()
	}
	if _, err2 := cb(goja.Undefined(), thrown); err2 != nil {
		m.p.log.Debug("auth0: callback threw twice", "err", err2)
	}
}

// parseJSON parses a response body as the SDK's HTTP layer does: JSON when it is JSON, else {}.
func (m *module) parseJSON(h http.Header, body []byte) (goja.Value, bool) {
	if len(body) == 0 {
		return m.rt.NewObject(), false
	}
	ct := h.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct == "" || (err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))) {
		v, err := m.g.parse(goja.Undefined(), m.rt.ToValue(string(body)))
		if err == nil {
			return v, true
		}
	}
	return m.rt.NewObject(), false
}

// responseValue is what a successful call resolves to.
func (m *module) responseValue(res *response, raw bool) goja.Value {
	v, _ := m.parseJSON(res.header, res.body)
	if !raw {
		return v
	}
	o := m.rt.NewObject()
	hdrs := m.headersObject(res.header)
	_ = o.Set("status", res.status)
	_ = o.Set("statusCode", res.status)
	_ = o.Set("statusText", http.StatusText(res.status))
	_ = o.Set("statusMessage", http.StatusText(res.status))
	_ = o.Set("headers", hdrs)
	_ = o.Set("header", hdrs)
	_ = o.Set("text", string(res.body))
	_ = o.Set("body", v)
	_ = o.Set("data", v)
	return o
}

// headersObject renders response headers as Node does: lower-case names, repeated values joined.
func (m *module) headersObject(h http.Header) *goja.Object {
	o := m.rt.NewObject()
	for k, vs := range h {
		lk := strings.ToLower(k)
		if lk == "set-cookie" {
			_ = o.Set(lk, vs)
			continue
		}
		_ = o.Set(lk, strings.Join(vs, ", "))
	}
	return o
}

// requestError builds the version's error for a failed request.
func (m *module) requestError(res *response) goja.Value {
	rt := m.rt
	info := rt.NewObject()
	_ = info.Set("method", res.method)
	_ = info.Set("url", res.url)
	cls := m.g.apiError
	if m.f.ErrorClass == "SanitizedError" {
		cls = m.g.sanitizedError
	}
	var name, message string
	var status, original goja.Value
	if res.netErr != nil {
		ne := describeNetError(res.netErr, hostOf(res.url))
		name, message, status = "APIError", ne.message, rt.ToValue(ne.code)
		var addr, port goja.Value = goja.Undefined(), goja.Undefined()
		if ne.address != "" {
			addr, port = rt.ToValue(ne.address), rt.ToValue(ne.port)
		}
		o, err := m.g.systemError(goja.Undefined(), rt.ToValue(ne.message), rt.ToValue(ne.errno), rt.ToValue(ne.code), rt.ToValue(ne.syscall), addr, port)
		if err != nil {
			panic(err)
		}
		original = o
	} else {
		body, _ := m.parseJSON(res.header, res.body)
		text, err := m.g.stringify(goja.Undefined(), body)
		if err != nil {
			panic(err)
		}
		name, message = "APIError", text.String()
		if !m.f.ErrorJSONMessage {
			if e := get(rt, body, "error"); truthy(e) {
				name = e.String()
			}
			msgKey := "message"
			if res.tokenFailure {
				if d := get(rt, body, "error_description"); truthy(d) {
					msgKey = "error_description"
				}
			}
			if mv := get(rt, body, msgKey); truthy(mv) {
				message = mv.String()
			}
		}
		status = rt.ToValue(res.status)
		resp := rt.NewObject()
		hdrs := m.headersObject(res.header)
		_ = resp.Set("status", res.status)
		_ = resp.Set("statusCode", res.status)
		_ = resp.Set("headers", hdrs)
		_ = resp.Set("header", hdrs)
		_ = resp.Set("text", string(res.body))
		_ = resp.Set("body", body)
		o, err := m.g.responseError(goja.Undefined(), rt.ToValue(http.StatusText(res.status)), status, resp)
		if err != nil {
			panic(err)
		}
		original = o
	}
	e, err := rt.New(cls, rt.ToValue(name), rt.ToValue(message), status, info, original, rt.ToValue(m.f.IsOperational))
	if err != nil {
		panic(err)
	}
	return e
}

func hostOf(u string) string {
	s := u
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	return s
}
