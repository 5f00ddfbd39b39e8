package request

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// call is one request in flight: the Request object returned to JavaScript and its listeners.
type call struct {
	m         *module
	spec      *spec
	obj       *goja.Object
	listeners map[string][]goja.Callable
	cancel    func()
	aborted   bool
	started   time.Time

	uriObj, headersObj *goja.Object // built on first access
}

// start runs request(uri, options, callback) with the given defaults and verb method.
func (m *module) start(defaults *goja.Object, method string, args []goja.Value) goja.Value {
	rt := m.env.RT
	params := initParams(rt, args)
	if defaults != nil {
		params = mergeOptions(rt, defaults, params)
	}
	if method != "" {
		params.Set("method", method)
	}
	s, err := m.parse(params)
	c := &call{m: m, spec: s, listeners: map[string][]goja.Callable{}}
	c.obj = c.requestObject()
	if err == nil {
		var req *http.Request
		req, err = s.httpRequest()
		if err == nil {
			opts := egress.CallOptions{Timeout: s.timeout, Redirect: s.redirect, MaxRedirects: s.maxHops}
			if s.redirect == egress.RedirectFollow && s.maxHops <= 0 {
				opts.Redirect = egress.RedirectFail // maxRedirects: 0 fails at the first redirect
			}
			c.started = time.Now()
			c.cancel = m.env.Start(jshttp.Call{Req: req, Opts: opts}, c.settle)
			return c.obj
		}
	}
	// Option errors reach the callback asynchronously, as request emits them.
	var e goja.Value
	var ex *goja.Exception
	if errors.As(err, &ex) {
		e = ex.Value()
	} else {
		e = m.env.Error(err.Error())
	}
	settle := m.env.Host.Reserve()
	settle(func(*goja.Runtime) { c.fail(e) })
	return c.obj
}

// requestObject is the Request object request() returns. Its methods and the uri, href and
// headers accessors live on the module's shared prototype (see newPrototypes).
func (c *call) requestObject() *goja.Object {
	rt := c.m.env.RT
	o := rt.CreateObject(c.m.reqProto)
	if err := o.DefineDataPropertySymbol(c.m.self, rt.ToValue(c), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	o.Set("method", c.spec.method)
	return o
}

// newPrototypes builds the prototypes shared by every Request and response object of the module.
func (m *module) newPrototypes() {
	env, rt := m.env, m.env.RT
	m.self = goja.NewSymbol("request")
	self := func(this goja.Value) *call {
		if o, ok := this.(*goja.Object); ok {
			if v := o.GetSymbol(m.self); v != nil {
				if c, ok := v.Export().(*call); ok {
					return c
				}
			}
		}
		env.Throw("Request method called on an object that is not a Request")
		return nil
	}
	p := rt.NewObject()
	env.Method(p, "abort", func(call goja.FunctionCall) goja.Value {
		c := self(call.This)
		if !c.aborted {
			c.aborted = true
			if c.cancel != nil {
				c.cancel()
			}
			c.emit("abort")
		}
		return goja.Undefined()
	})
	env.Method(p, "on", func(call goja.FunctionCall) goja.Value {
		c := self(call.This)
		if fn, ok := goja.AssertFunction(call.Argument(1)); ok {
			name := call.Argument(0).String()
			c.listeners[name] = append(c.listeners[name], fn)
		}
		return call.This
	})
	for _, name := range []string{"pipe", "write", "end", "pause", "resume", "form", "multipart"} {
		env.Method(p, name, func(goja.FunctionCall) goja.Value {
			env.Throw("request(...).%s() (streaming) is not supported by this request implementation; pass a callback and read the body it receives", name)
			return nil
		})
	}
	accessor := func(name string, get func(c *call) goja.Value) {
		getter := env.Func(name, func(call goja.FunctionCall) goja.Value { return get(self(call.This)) })
		if err := p.DefineAccessorProperty(name, getter, nil, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			panic(err)
		}
	}
	accessor("uri", func(c *call) goja.Value {
		if c.uriObj == nil && c.spec.url != nil {
			c.uriObj = urlObject(rt, c.spec.url)
		}
		if c.uriObj == nil {
			return goja.Undefined()
		}
		return c.uriObj
	})
	accessor("href", func(c *call) goja.Value {
		if c.spec.url == nil {
			return goja.Undefined()
		}
		return rt.ToValue(c.spec.url.String())
	})
	accessor("headers", func(c *call) goja.Value {
		if c.headersObj == nil {
			c.headersObj = rt.NewObject()
			for _, k := range jshttp.HeaderNames(c.spec.header) {
				if v := strings.Join(c.spec.header.Values(k), ", "); v != "" {
					c.headersObj.Set(k, v)
				}
			}
		}
		return c.headersObj
	})
	m.reqProto = p

	rp := rt.NewObject()
	env.Method(rp, "toJSON", func(call goja.FunctionCall) goja.Value {
		r := call.This.ToObject(rt)
		j := rt.NewObject()
		j.Set("statusCode", r.Get("statusCode"))
		j.Set("body", r.Get("body"))
		j.Set("headers", r.Get("headers"))
		req := rt.NewObject()
		if ro, ok := r.Get("request").(*goja.Object); ok {
			req.Set("uri", ro.Get("uri"))
			req.Set("method", ro.Get("method"))
			req.Set("headers", ro.Get("headers"))
		}
		j.Set("request", req)
		return j
	})
	m.respProto = rp
}

// urlObject mirrors the url.parse() result request keeps as request.uri.
func urlObject(rt *goja.Runtime, u *url.URL) *goja.Object {
	o := rt.NewObject()
	o.Set("protocol", u.Scheme+":")
	o.Set("slashes", true)
	o.Set("auth", goja.Null())
	o.Set("host", u.Host)
	if p := u.Port(); p != "" {
		o.Set("port", p)
	} else if u.Scheme == "https" {
		o.Set("port", "443")
	} else {
		o.Set("port", "80")
	}
	o.Set("hostname", u.Hostname())
	o.Set("hash", goja.Null())
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		o.Set("search", "?"+u.RawQuery)
		o.Set("query", u.RawQuery)
		o.Set("path", path+"?"+u.RawQuery)
	} else {
		o.Set("search", goja.Null())
		o.Set("query", goja.Null())
		o.Set("path", path)
	}
	o.Set("pathname", path)
	o.Set("href", u.String())
	return o
}

func (c *call) emit(name string, args ...goja.Value) {
	for _, fn := range c.listeners[name] {
		jshttp.Invoke(fn, c.obj, args...)
	}
}

// settle runs on the loop when the call ends.
func (c *call) settle(resp *egress.Response, err error) {
	if c.aborted {
		return
	}
	if err != nil {
		c.fail(c.error(err))
		return
	}
	body, err := c.body(resp.Body)
	if err != nil {
		c.fail(c.m.env.Error(err.Error()))
		return
	}
	r := c.response(resp, body)
	c.emit("response", r)
	c.emit("complete", r, body)
	if c.spec.callback != nil {
		jshttp.Invoke(c.spec.callback, c.obj, goja.Null(), r, body)
	}
}

// fail reports the error e to 'error' listeners and the callback.
func (c *call) fail(e goja.Value) {
	if c.aborted {
		return
	}
	c.emit("error", e)
	if c.spec.callback != nil {
		jshttp.Invoke(c.spec.callback, c.obj, e)
	}
}

// error converts a failed call into the Error request reports.
func (c *call) error(err error) goja.Value {
	env := c.m.env
	f := jshttp.Classify(err, c.spec.url.Host)
	if f.Code == jshttp.CodeTooManyHops || f.Code == jshttp.CodeRedirectError {
		f.Code = ""
		f.Message = "Exceeded maxRedirects. Probably stuck in a redirect loop " + c.spec.url.String()
	}
	e := env.NewError(f)
	if f.Timeout {
		e.Set("connect", false)
	}
	return e
}

// body converts the raw body the way request does for the encoding and json options.
func (c *call) body(raw []byte) (goja.Value, error) {
	env := c.m.env
	enc := c.spec.encoding
	var body goja.Value
	switch {
	case goja.IsNull(enc):
		body = env.Buffer(raw)
	case goja.IsUndefined(enc):
		body = env.Text(raw)
	default:
		name := enc.String()
		s, err := jshttp.Decode(raw, name)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(name, "utf8") && strings.HasPrefix(s, "\uFEFF") {
			s = s[len("\uFEFF"):]
		}
		body = env.RT.ToValue(s)
	}
	if !c.spec.json {
		return body, nil
	}
	if len(raw) == 0 {
		return goja.Undefined(), nil
	}
	text := body
	if goja.IsNull(enc) {
		text = env.Text(raw)
	}
	if v, err := env.ParseJSON(text.String()); err == nil {
		return v, nil
	}
	return body, nil
}

// response builds the http.IncomingMessage-like object request passes to the callback.
func (c *call) response(resp *egress.Response, body goja.Value) *goja.Object {
	rt := c.m.env.RT
	r := rt.CreateObject(c.m.respProto)
	r.Set("statusCode", resp.Status)
	r.Set("statusMessage", resp.StatusText)
	headers := c.m.env.NodeHeaders(resp.Header)
	r.Set("headers", headers)
	raw := make([]any, 0, 2*len(resp.Header))
	for _, k := range jshttp.HeaderNames(resp.Header) {
		for _, v := range resp.Header.Values(k) {
			raw = append(raw, k, v)
		}
	}
	r.Set("rawHeaders", rt.NewArray(raw...))
	major, minor := 1, 1
	if resp.Proto == "HTTP/2.0" {
		major, minor = 2, 0
	} else if resp.Proto == "HTTP/1.0" {
		minor = 0
	}
	r.Set("httpVersion", strings.TrimPrefix(resp.Proto, "HTTP/"))
	r.Set("httpVersionMajor", major)
	r.Set("httpVersionMinor", minor)
	r.Set("trailers", rt.NewObject())
	r.Set("complete", true)
	r.Set("url", "")
	r.Set("method", goja.Null())
	r.Set("body", body)
	r.Set("request", c.obj)
	if c.spec.time {
		r.Set("elapsedTime", time.Since(c.started).Milliseconds())
	}
	return r
}
