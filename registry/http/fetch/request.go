package fetch

import (
	"net/url"
	"strings"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// request is the state of a Request object, and of the request a fetch call makes.
type request struct {
	body
	method   string
	url      *url.URL
	headers  *goja.Object // a Headers object
	redirect string       // "follow", "manual" or "error"
	follow   int64        // node-fetch: maximum redirects (default 20)
	timeout  int64        // node-fetch: milliseconds, 0 = none
	size     int64        // node-fetch: maximum body bytes, 0 = none
}

// newRequestState builds the request for (input, init) as new Request(input, init) does. A failure
// is returned as the TypeError to throw or reject with.
func (m *module) newRequestState(input, init goja.Value) (*request, goja.Value) {
	rt := m.env.RT
	r := &request{method: "GET", redirect: "follow", follow: 20}
	var base *request
	if b, ok := m.state(input).(*request); ok {
		base = b
		c := *b
		r = &c
	} else {
		raw := ""
		if o, ok := input.(*goja.Object); ok && o.Get("href") != nil && !goja.IsUndefined(o.Get("href")) {
			raw = o.Get("href").String()
		} else if input != nil && !goja.IsUndefined(input) {
			raw = input.String()
		}
		u, err := jshttp.ParseURL(raw)
		if err != nil {
			if m.node {
				return nil, rt.NewTypeError("Only absolute URLs are supported")
			}
			return nil, rt.NewTypeError("Failed to parse URL from " + raw)
		}
		r.url = u
	}
	opts, _ := init.(*goja.Object)
	get := func(name string) goja.Value {
		if opts == nil {
			return nil
		}
		v := opts.Get(name)
		if v == nil || goja.IsUndefined(v) {
			return nil
		}
		return v
	}
	if v := get("method"); v != nil {
		r.method = strings.ToUpper(v.String())
	}
	var hl *headerList
	if v := get("headers"); v != nil {
		hl = m.headersInit(v)
	} else if base != nil {
		hl = m.state(base.headers).(*headerList).clone()
	} else {
		hl = newHeaderList()
	}
	if v := get("body"); v != nil || (opts != nil && goja.IsNull(opts.Get("body"))) {
		data, present, ctype := m.bodyInit(v)
		r.body = body{data: data, present: present}
		if ctype != "" && !hl.has("Content-Type") {
			hl.append("Content-Type", ctype)
		}
	}
	if r.present && (r.method == "GET" || r.method == "HEAD") {
		return nil, rt.NewTypeError("Request with GET/HEAD method cannot have body")
	}
	if v := get("redirect"); v != nil {
		r.redirect = v.String()
		if r.redirect != "follow" && r.redirect != "manual" && r.redirect != "error" {
			return nil, rt.NewTypeError("Redirect option '" + r.redirect + "' is not a valid value of RequestRedirect")
		}
	}
	if m.node {
		if v := get("follow"); v != nil {
			r.follow = v.ToInteger()
		}
		if v := get("timeout"); v != nil {
			r.timeout = v.ToInteger()
		}
		if v := get("size"); v != nil {
			r.size = v.ToInteger()
		}
	}
	r.headers = m.newHeaders(hl)
	return r, nil
}

// newRequestClass builds the Request constructor and prototype.
func (m *module) newRequestClass() {
	rt, env := m.env.RT, m.env
	ctor := env.Constructor("Request", func(call goja.ConstructorCall) *goja.Object {
		r, fail := m.newRequestState(call.Argument(0), call.Argument(1))
		if fail != nil {
			panic(fail)
		}
		m.attach(call.This, r)
		if m.node {
			call.This.Set("follow", r.follow)
			call.This.Set("compress", true)
			call.This.Set("counter", 0)
			call.This.Set("timeout", r.timeout)
			call.This.Set("size", r.size)
		}
		return nil
	})
	proto := ctor.Get("prototype").ToObject(rt)
	self := func(this goja.Value) *request {
		if r, ok := m.state(this).(*request); ok {
			return r
		}
		env.Throw("Value of \"this\" must be of type Request")
		return nil
	}
	getter := func(name string, get func(r *request) goja.Value) {
		fn := env.Func(name, func(call goja.FunctionCall) goja.Value { return get(self(call.This)) })
		if err := proto.DefineAccessorProperty(name, fn, nil, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			panic(err)
		}
	}
	getter("method", func(r *request) goja.Value { return rt.ToValue(r.method) })
	getter("url", func(r *request) goja.Value { return rt.ToValue(r.url.String()) })
	getter("headers", func(r *request) goja.Value { return r.headers })
	getter("redirect", func(r *request) goja.Value { return rt.ToValue(r.redirect) })
	getter("bodyUsed", func(r *request) goja.Value { return rt.ToValue(r.used) })
	m.bodyMethods(proto, func(this goja.Value) (*body, string) {
		r := self(this)
		return &r.body, r.url.String()
	})
	env.Method(proto, "clone", func(call goja.FunctionCall) goja.Value {
		r := self(call.This)
		if r.used {
			panic(env.Error("cannot clone body after it is used"))
		}
		c := *r
		c.headers = m.newHeaders(m.state(r.headers).(*headerList).clone())
		o := rt.CreateObject(proto)
		m.attach(o, &c)
		return o
	})
	if err := proto.DefineDataPropertySymbol(goja.SymToStringTag, rt.ToValue("Request"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	m.requestCtor, m.requestProto = ctor, proto
}
