package fetch

import (
	"net/http"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// body is the state of a Response (or Request) body: fully buffered bytes and whether a reader
// has consumed them.
type body struct {
	data    []byte
	present bool
	used    bool
}

// response is the state of a Response object.
type response struct {
	body
	status     int
	statusText string
	url        string
	headers    *goja.Object // a Headers object
	redirected bool
	timeout    int64
	size       int64
}

// newResponseClass builds the Response constructor and prototype.
func (m *module) newResponseClass() {
	rt, env := m.env.RT, m.env
	ctor := env.Constructor("Response", func(call goja.ConstructorCall) *goja.Object {
		r := &response{status: 200}
		init, _ := call.Argument(1).(*goja.Object)
		var hl *headerList
		if init != nil {
			if s := init.Get("status"); s != nil && !goja.IsUndefined(s) {
				r.status = int(s.ToInteger())
			}
			if s := init.Get("statusText"); s != nil && !goja.IsUndefined(s) {
				r.statusText = s.String()
			}
			if u := init.Get("url"); u != nil && !goja.IsUndefined(u) {
				r.url = u.String()
			}
			hl = m.headersInit(init.Get("headers"))
		} else {
			hl = newHeaderList()
		}
		if r.statusText == "" && m.node {
			r.statusText = http.StatusText(r.status)
		}
		data, present, ctype := m.bodyInit(call.Argument(0))
		r.data, r.present = data, present
		if ctype != "" && !hl.has("Content-Type") {
			hl.append("Content-Type", ctype)
		}
		r.headers = m.newHeaders(hl)
		m.attach(call.This, r)
		return nil
	})
	proto := ctor.Get("prototype").ToObject(rt)
	self := func(this goja.Value) *response {
		if r, ok := m.state(this).(*response); ok {
			return r
		}
		env.Throw("Value of \"this\" must be of type Response")
		return nil
	}
	getter := func(name string, get func(r *response) goja.Value) {
		fn := env.Func(name, func(call goja.FunctionCall) goja.Value { return get(self(call.This)) })
		if err := proto.DefineAccessorProperty(name, fn, nil, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			panic(err)
		}
	}
	getter("status", func(r *response) goja.Value { return rt.ToValue(r.status) })
	getter("statusText", func(r *response) goja.Value { return rt.ToValue(r.statusText) })
	getter("ok", func(r *response) goja.Value { return rt.ToValue(r.status >= 200 && r.status < 300) })
	getter("url", func(r *response) goja.Value { return rt.ToValue(r.url) })
	getter("headers", func(r *response) goja.Value { return r.headers })
	getter("redirected", func(r *response) goja.Value { return rt.ToValue(r.redirected) })
	getter("bodyUsed", func(r *response) goja.Value { return rt.ToValue(r.used) })
	getter("type", func(r *response) goja.Value {
		if m.node {
			return rt.ToValue("default")
		}
		return rt.ToValue("basic")
	})
	if m.node {
		getter("size", func(r *response) goja.Value { return rt.ToValue(r.size) })
		getter("timeout", func(r *response) goja.Value { return rt.ToValue(r.timeout) })
	}
	m.bodyMethods(proto, func(this goja.Value) (*body, string) {
		r := self(this)
		return &r.body, r.url
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
	if err := proto.DefineDataPropertySymbol(goja.SymToStringTag, rt.ToValue("Response"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	m.responseCtor, m.responseProto = ctor, proto
}

// bodyInit converts a body initializer: null/undefined (no body), a string, a Buffer/typed
// array/ArrayBuffer, URLSearchParams, or anything else as its string form. It returns the bytes and
// the Content-Type the body implies.
func (m *module) bodyInit(v goja.Value) (data []byte, present bool, ctype string) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, false, ""
	}
	if s, ok := v.Export().(string); ok {
		return []byte(s), true, "text/plain;charset=UTF-8"
	}
	if b, ok := jshttp.Bytes(v); ok {
		return b, true, ""
	}
	if jshttp.IsURLSearchParams(v) {
		return []byte(v.String()), true, "application/x-www-form-urlencoded;charset=UTF-8"
	}
	return []byte(v.String()), true, "text/plain;charset=UTF-8"
}

// bodyMethods adds text(), json(), arrayBuffer() and (node-fetch) buffer() to proto. get returns
// the body state of this and the URL used in error messages.
func (m *module) bodyMethods(proto *goja.Object, get func(this goja.Value) (*body, string)) {
	rt, env := m.env.RT, m.env
	consume := func(this goja.Value) ([]byte, goja.Value) {
		b, url := get(this)
		if b.used {
			return nil, rt.NewTypeError("body used already for: " + url)
		}
		b.used = true
		return b.data, nil
	}
	settled := func(v goja.Value, rejection goja.Value) goja.Value {
		p, resolve, reject := rt.NewPromise()
		if rejection != nil {
			jshttp.Must(reject(rejection))
		} else {
			jshttp.Must(resolve(v))
		}
		return rt.ToValue(p)
	}
	env.Method(proto, "text", func(call goja.FunctionCall) goja.Value {
		data, rej := consume(call.This)
		if rej != nil {
			return settled(nil, rej)
		}
		return settled(env.Text(data), nil)
	})
	env.Method(proto, "json", func(call goja.FunctionCall) goja.Value {
		data, rej := consume(call.This)
		if rej != nil {
			return settled(nil, rej)
		}
		v, err := env.ParseJSON(env.Text(data).String())
		if err != nil {
			ex, ok := err.(*goja.Exception)
			if !ok {
				panic(err)
			}
			if !m.node {
				return settled(nil, ex.Value())
			}
			_, url := get(call.This)
			msg := ex.Value().ToObject(rt).Get("message").String()
			return settled(nil, m.fetchError("invalid json response body at "+url+" reason: "+msg, "invalid-json", nil))
		}
		return settled(v, nil)
	})
	env.Method(proto, "arrayBuffer", func(call goja.FunctionCall) goja.Value {
		data, rej := consume(call.This)
		if rej != nil {
			return settled(nil, rej)
		}
		return settled(rt.ToValue(rt.NewArrayBuffer(append([]byte(nil), data...))), nil)
	})
	if m.node {
		env.Method(proto, "buffer", func(call goja.FunctionCall) goja.Value {
			data, rej := consume(call.This)
			if rej != nil {
				return settled(nil, rej)
			}
			return settled(env.Buffer(append([]byte(nil), data...)), nil)
		})
	}
}

// newFetchErrorClass builds FetchError(message, type, systemError), a subclass of Error.
func (m *module) newFetchErrorClass() {
	rt, env := m.env.RT, m.env
	ctor := env.Constructor("FetchError", func(call goja.ConstructorCall) *goja.Object {
		m.initFetchError(call.This, call.Argument(0).String(), call.Argument(1).String(), call.Argument(2))
		return nil
	})
	proto := ctor.Get("prototype").ToObject(rt)
	errProto := rt.Get("Error").ToObject(rt).Get("prototype").ToObject(rt)
	if err := proto.SetPrototype(errProto); err != nil {
		panic(err)
	}
	if err := proto.DefineDataProperty("name", rt.ToValue("FetchError"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	m.fetchErrorCtor, m.fetchErrorProto = ctor, proto
}

func (m *module) initFetchError(o *goja.Object, msg, typ string, system goja.Value) {
	o.Set("message", msg)
	o.Set("type", typ)
	if so, ok := system.(*goja.Object); ok {
		code := so.Get("code")
		o.Set("code", code)
		o.Set("errno", code)
	}
}

// fetchError returns a FetchError; system, when set, is the Node.js-style error it wraps.
func (m *module) fetchError(msg, typ string, system *goja.Object) *goja.Object {
	o := m.env.RT.CreateObject(m.fetchErrorProto)
	var sys goja.Value = goja.Undefined()
	if system != nil {
		sys = system
	}
	m.initFetchError(o, msg, typ, sys)
	return o
}
