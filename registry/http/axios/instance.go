package axios

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// instance is one axios instance: its defaults and interceptor managers.
type instance struct {
	m            *module
	defaults     *goja.Object
	reqHandlers  *goja.Object // interceptors.request.handlers
	respHandlers *goja.Object // interceptors.response.handlers
}

// newInstance returns a callable axios instance with the given defaults.
func (m *module) newInstance(defaults *goja.Object) *goja.Object {
	rt, env := m.env.RT, m.env
	in := &instance{m: m, defaults: defaults}
	fn := env.Func("wrap", func(call goja.FunctionCall) goja.Value {
		return in.request(call.Argument(0), call.Argument(1))
	}).ToObject(rt)
	jshttp.SetName(rt, fn, "wrap")
	env.Set(fn, "request", func(call goja.FunctionCall) goja.Value {
		return in.request(call.Argument(0), call.Argument(1))
	})
	for _, method := range []string{"delete", "get", "head", "options"} {
		method := method
		env.Set(fn, method, func(call goja.FunctionCall) goja.Value {
			cfg := rt.NewObject()
			if c, ok := call.Argument(1).(*goja.Object); ok {
				copyOwn(cfg, c)
			}
			cfg.Set("method", method)
			cfg.Set("url", call.Argument(0))
			return in.request(cfg, goja.Undefined())
		})
	}
	for _, method := range []string{"post", "put", "patch"} {
		method := method
		env.Set(fn, method, func(call goja.FunctionCall) goja.Value {
			cfg := rt.NewObject()
			if c, ok := call.Argument(2).(*goja.Object); ok {
				copyOwn(cfg, c)
			}
			cfg.Set("method", method)
			cfg.Set("url", call.Argument(0))
			cfg.Set("data", call.Argument(1))
			return in.request(cfg, goja.Undefined())
		})
	}
	env.Set(fn, "getUri", func(call goja.FunctionCall) goja.Value {
		cfg, _ := call.Argument(0).(*goja.Object)
		merged := m.mergeConfig(in.defaults, cfg)
		uri := in.m.buildURL(merged.Get("url"), merged)
		return rt.ToValue(strings.TrimPrefix(uri, "?"))
	})
	fn.Set("defaults", defaults)
	interceptors := rt.NewObject()
	in.reqHandlers = m.interceptorManager(interceptors, "request")
	in.respHandlers = m.interceptorManager(interceptors, "response")
	fn.Set("interceptors", interceptors)
	return fn
}

// interceptorManager adds an InterceptorManager (use, eject, handlers) under name and returns its
// handlers array.
func (m *module) interceptorManager(parent *goja.Object, name string) *goja.Object {
	rt, env := m.env.RT, m.env
	mgr := rt.NewObject()
	handlers := rt.NewArray()
	mgr.Set("handlers", handlers)
	env.Set(mgr, "use", func(call goja.FunctionCall) goja.Value {
		h := rt.NewObject()
		h.Set("fulfilled", call.Argument(0))
		h.Set("rejected", call.Argument(1))
		n := handlers.Get("length").ToInteger()
		handlers.Set(itoa(n), h)
		return rt.ToValue(n)
	})
	env.Set(mgr, "eject", func(call goja.FunctionCall) goja.Value {
		id := call.Argument(0).ToInteger()
		if id >= 0 && id < handlers.Get("length").ToInteger() {
			handlers.Set(itoa(id), goja.Null())
		}
		return goja.Undefined()
	})
	parent.Set(name, mgr)
	return handlers
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// request is Axios.prototype.request(configOrUrl, config): merge the config with the instance
// defaults, then run request interceptors, dispatch, response interceptors as a promise chain.
func (in *instance) request(arg0, arg1 goja.Value) goja.Value {
	rt := in.m.env.RT
	var cfg *goja.Object
	if s, ok := arg0.Export().(string); ok {
		cfg = rt.NewObject()
		if c, ok := arg1.(*goja.Object); ok {
			copyOwn(cfg, c)
		}
		cfg.Set("url", s)
	} else if c, ok := arg0.(*goja.Object); ok {
		cfg = c
	} else {
		cfg = rt.NewObject()
	}
	config := in.m.mergeConfig(in.defaults, cfg)
	method := "get"
	if v := config.Get("method"); truthy(v) {
		method = strings.ToLower(v.String())
	} else if v := in.defaults.Get("method"); truthy(v) {
		method = strings.ToLower(v.String())
	}
	config.Set("method", method)

	type link struct{ fulfilled, rejected goja.Value }
	var chain []link
	collect := func(handlers *goja.Object, prepend bool) {
		for _, k := range handlers.Keys() {
			h, ok := handlers.Get(k).(*goja.Object)
			if !ok {
				continue
			}
			l := link{h.Get("fulfilled"), h.Get("rejected")}
			if prepend {
				chain = append([]link{l}, chain...)
			} else {
				chain = append(chain, l)
			}
		}
	}
	collect(in.reqHandlers, true)
	if len(chain) == 0 && in.respHandlers.Get("length").ToInteger() == 0 {
		return in.m.dispatchRequest(config)
	}
	chain = append(chain, link{in.m.dispatch, goja.Undefined()})
	collect(in.respHandlers, false)
	p, err := in.m.promiseResolve(in.m.promiseCtor, config)
	if err != nil {
		panic(err)
	}
	for _, l := range chain {
		then, _ := goja.AssertFunction(p.ToObject(rt).Get("then"))
		if p, err = then(p, undefinedIfNil(l.fulfilled), undefinedIfNil(l.rejected)); err != nil {
			panic(err)
		}
	}
	return p
}

func undefinedIfNil(v goja.Value) goja.Value {
	if v == nil {
		return goja.Undefined()
	}
	return v
}

func truthy(v goja.Value) bool { return v != nil && v.ToBoolean() }

func copyOwn(dst, src *goja.Object) {
	for _, k := range src.Keys() {
		dst.Set(k, src.Get(k))
	}
}

// Config keys by merge rule (axios 0.19–0.27 mergeConfig).
var (
	fromConfig2Keys = map[string]bool{"url": true, "method": true, "data": true}
	// defaultToConfig2Keys take config2's value when defined, without a deep merge.
	defaultToConfig2Keys = map[string]bool{
		"baseURL": true, "transformRequest": true, "transformResponse": true, "paramsSerializer": true,
		"timeout": true, "timeoutMessage": true, "withCredentials": true, "adapter": true, "responseType": true,
		"xsrfCookieName": true, "xsrfHeaderName": true, "onUploadProgress": true, "onDownloadProgress": true,
		"decompress": true, "maxContentLength": true, "maxBodyLength": true, "maxRedirects": true,
		"transport": true, "httpAgent": true, "httpsAgent": true, "cancelToken": true, "socketPath": true,
		"responseEncoding": true,
	}
)

// mergeConfig is axios's mergeConfig(config1, config2): neither input is modified; plain objects
// (headers, auth, params, unknown keys) are merged deeply, validateStatus is taken from config2
// when config2 has the key at all.
func (m *module) mergeConfig(c1, c2 *goja.Object) *goja.Object {
	rt := m.env.RT
	out := rt.NewObject()
	if c2 == nil {
		c2 = rt.NewObject()
	}
	seen := map[string]bool{}
	keys := append(c1.Keys(), c2.Keys()...)
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		v1, v2 := c1.Get(k), c2.Get(k)
		switch {
		case fromConfig2Keys[k]:
			if defined(v2) {
				out.Set(k, v2)
			}
		case k == "validateStatus":
			if hasOwn(c2, k) {
				out.Set(k, v2)
			} else if hasOwn(c1, k) {
				out.Set(k, v1)
			}
		case defaultToConfig2Keys[k]:
			if defined(v2) {
				out.Set(k, v2)
			} else if defined(v1) {
				out.Set(k, v1)
			}
		default:
			o2, p2 := m.plain(v2)
			o1, p1 := m.plain(v1)
			switch {
			case p2 && p1:
				out.Set(k, m.merge(o1, o2))
			case p2:
				out.Set(k, m.merge(o2))
			case defined(v2):
				out.Set(k, v2)
			case p1:
				out.Set(k, m.merge(o1))
			case defined(v1):
				out.Set(k, v1)
			}
		}
	}
	return out
}

// merge is axios utils.merge: a new object with the properties of objs, later ones winning, plain
// objects merged recursively and arrays copied.
func (m *module) merge(objs ...*goja.Object) *goja.Object { return m.mergeAt(0, objs...) }

// maxMergeDepth bounds the nesting merge follows: a cyclic or very deep config throws a RangeError
// (as axios's recursive merge does in Node) instead of growing the Go stack until the process dies.
const maxMergeDepth = 1000

func (m *module) mergeAt(depth int, objs ...*goja.Object) *goja.Object {
	if depth > maxMergeDepth {
		panic(jshttp.RangeError(m.env.RT, "Maximum call stack size exceeded"))
	}
	out := m.env.RT.NewObject()
	for _, o := range objs {
		for _, k := range o.Keys() {
			v := o.Get(k)
			if vo, ok := m.plain(v); ok {
				if cur, ok := m.plain(out.Get(k)); ok {
					out.Set(k, m.mergeAt(depth+1, cur, vo))
				} else {
					out.Set(k, m.mergeAt(depth+1, vo))
				}
				continue
			}
			if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" {
				var items []any
				for _, i := range arr.Keys() {
					items = append(items, arr.Get(i))
				}
				out.Set(k, m.env.RT.NewArray(items...))
				continue
			}
			out.Set(k, v)
		}
	}
	return out
}

func defined(v goja.Value) bool { return v != nil && !goja.IsUndefined(v) }

func hasOwn(o *goja.Object, k string) bool {
	for _, key := range o.Keys() {
		if key == k {
			return true
		}
	}
	return false
}

// plain reports whether v is a plain object (its prototype is Object.prototype or null), as
// axios's isPlainObject: arrays, functions, Dates, Buffers, URLSearchParams and class instances are
// not.
func (m *module) plain(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() != "Object" {
		return nil, false
	}
	if _, isFn := goja.AssertFunction(v); isFn {
		return nil, false
	}
	if p := o.Prototype(); p != nil && p != m.objectProto {
		return nil, false
	}
	return o, true
}
