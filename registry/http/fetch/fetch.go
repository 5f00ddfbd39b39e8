package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// nodeFetchUserAgent is the User-Agent node-fetch 2 sends when the rule sets none.
const nodeFetchUserAgent = "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"

// fetchFunc returns fetch(input[, init]) → Promise<Response>.
func (m *module) fetchFunc() *goja.Object {
	rt := m.env.RT
	fn := m.env.Func("fetch", func(call goja.FunctionCall) goja.Value {
		p, resolve, reject := rt.NewPromise()
		m.fetch(call.Argument(0), call.Argument(1), resolve, reject)
		return rt.ToValue(p)
	}).ToObject(rt)
	jshttp.SetName(rt, fn, "fetch")
	return fn
}

func (m *module) fetch(input, init goja.Value, resolve, reject func(any) error) {
	rt := m.env.RT
	r, fail := m.newRequestState(input, init)
	if fail != nil {
		jshttp.Must(reject(fail))
		return
	}
	if r.url.Scheme != "http" && r.url.Scheme != "https" {
		if m.node {
			jshttp.Must(reject(rt.NewTypeError("Only HTTP(S) protocols are supported")))
		} else {
			jshttp.Must(reject(m.fetchFailed(m.env.Error("unknown scheme"))))
		}
		return
	}
	hl := m.state(r.headers).(*headerList)
	header := hl.httpHeader()
	if header.Get("Accept") == "" {
		header.Set("Accept", "*/*")
	}
	if _, ok := header["User-Agent"]; !ok {
		if m.node {
			header.Set("User-Agent", nodeFetchUserAgent)
		} else {
			header.Set("User-Agent", "undici")
		}
	}
	var reqBody io.Reader
	if r.present {
		reqBody = bytes.NewReader(r.data)
	}
	req, err := http.NewRequest(r.method, r.url.String(), reqBody)
	if err != nil {
		jshttp.Must(reject(m.networkError(r, err)))
		return
	}
	req.Header = header
	opts := egress.CallOptions{}
	switch {
	case r.redirect == "manual":
		opts.Redirect = egress.RedirectManual
	case r.redirect == "error", r.follow <= 0:
		opts.Redirect = egress.RedirectFail
	default:
		opts.MaxRedirects = int(r.follow)
	}
	if r.timeout > 0 {
		opts.Timeout = time.Duration(r.timeout) * time.Millisecond
	}
	if r.size > 0 {
		opts.MaxResponseBytes = r.size
	}
	m.env.Start(jshttp.Call{Req: req, Opts: opts}, func(resp *egress.Response, err error) {
		if err != nil {
			jshttp.Must(reject(m.networkError(r, err)))
			return
		}
		jshttp.Must(resolve(m.newResponse(r, resp)))
	})
}

// newResponse wraps a completed call as a Response.
func (m *module) newResponse(r *request, resp *egress.Response) *goja.Object {
	hl := fromHTTP(resp.Header)
	if r.redirect == "manual" && isRedirect(resp.Status) {
		if loc, ok := hl.get("location"); ok {
			if u, err := resp.URL.Parse(loc); err == nil {
				hl.set("location", u.String())
			}
		}
	}
	st := &response{
		body:       body{data: resp.Body, present: true},
		status:     resp.Status,
		statusText: resp.StatusText,
		url:        resp.URL.String(),
		headers:    m.newHeaders(hl),
		redirected: resp.Redirected,
		timeout:    r.timeout,
		size:       r.size,
	}
	o := m.env.RT.CreateObject(m.responseProto)
	m.attach(o, st)
	return o
}

// networkError is the rejection of a failed call: a FetchError for node-fetch, TypeError "fetch
// failed" with the cause for the global fetch.
func (m *module) networkError(r *request, err error) goja.Value {
	url := r.url.String()
	f := jshttp.Classify(err, r.url.Host)
	var size *egress.SizeError
	if !m.node {
		return m.fetchFailed(m.env.NewError(f))
	}
	switch {
	case errors.Is(err, egress.ErrTimeout):
		return m.fetchError("network timeout at: "+url, "request-timeout", nil)
	case errors.Is(err, egress.ErrRedirect) && r.redirect == "error":
		return m.fetchError("uri requested responds with a redirect, redirect mode is set to error: "+url, "no-redirect", nil)
	case errors.Is(err, egress.ErrRedirect), errors.Is(err, egress.ErrTooManyRedirects):
		return m.fetchError("maximum redirect reached at: "+url, "max-redirect", nil)
	case errors.As(err, &size) && r.size > 0 && size.Limit == r.size:
		return m.fetchError(fmt.Sprintf("content size at %s over limit: %d", url, r.size), "max-size", nil)
	}
	sys := m.env.NewError(f)
	return m.fetchError("request to "+url+" failed, reason: "+f.Message, "system", sys)
}

// fetchFailed is the standard fetch's network error: TypeError("fetch failed") with cause.
func (m *module) fetchFailed(cause *goja.Object) goja.Value {
	e := m.env.RT.NewTypeError("fetch failed")
	e.Set("cause", cause)
	return e
}
