// Package url is verq's "url" core module: the WHATWG URL and URLSearchParams classes of
// goja_nodejs, and Node's legacy API — url.parse (with the query parsed by querystring when asked),
// url.format, url.resolve, url.resolveObject and the Url class — reimplemented in Go with the
// behaviour of Node.js 20 (backslashes as slashes, auto-escaped delimiters, lower-cased and
// punycoded hostnames, null-prototype query objects, ERR_INVALID_URL for spoofable hostnames).
//
// When the runtime already has URL and URLSearchParams globals (a sandbox installs them), the
// module exports those, so require('url').URL === URL.
package url

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
	nodeurl "github.com/dop251/goja_nodejs/url"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/internal/native"
)

// Name is the module name.
const Name = "url"

// Module is the "url" core module provider. The zero value is ready to use.
type Module struct{}

var _ registry.Provider = Module{}

// Info describes the module.
func (Module) Info() registry.Info {
	return registry.Info{Name: Name, Kind: registry.KindCore, Description: "Node.js url: URL, URLSearchParams and the legacy parse/format/resolve"}
}

// Load returns the module exports.
func (Module) Load(req *registry.LoadRequest) (v goja.Value, err error) {
	rt := req.Runtime
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("url: %v", x)
		}
	}()
	whatwg := rt.NewObject()
	module := rt.NewObject()
	if err := module.Set("exports", whatwg); err != nil {
		return nil, err
	}
	nodeurl.Require(rt, module)

	m := &module_{rt: rt}
	exports := rt.NewObject()
	for _, name := range []string{"URL", "URLSearchParams"} {
		val := whatwg.Get(name)
		if g, ok := rt.Get(name).(*goja.Object); ok {
			if _, isCtor := goja.AssertConstructor(g); isCtor {
				val = g
			}
		}
		if err := exports.Set(name, val); err != nil {
			return nil, err
		}
	}
	m.urlCtor, _ = exports.Get("URL").(*goja.Object)
	for _, name := range []string{"domainToASCII", "domainToUnicode"} {
		if err := exports.Set(name, whatwg.Get(name)); err != nil {
			return nil, err
		}
	}
	m.makeUrlClass()
	if err := exports.Set("Url", m.urlClass); err != nil {
		return nil, err
	}
	const p = "url."
	native.Set(rt, exports, p, "parse", m.parseFn)
	native.Set(rt, exports, p, "format", m.formatFn)
	native.Set(rt, exports, p, "resolve", m.resolveFn)
	native.Set(rt, exports, p, "resolveObject", m.resolveObjectFn)
	native.Set(rt, exports, p, "urlToHttpOptions", m.urlToHttpOptions)
	return exports, nil
}

// module_ is one runtime's url module.
type module_ struct {
	rt       *goja.Runtime
	urlCtor  *goja.Object // WHATWG URL
	urlClass *goja.Object // legacy Url
	urlProto *goja.Object
}

func (m *module_) makeUrlClass() {
	rt := m.rt
	m.urlProto = rt.NewObject()
	ctor := rt.ToValue(func(call goja.ConstructorCall) *goja.Object {
		defer native.Recover(rt, "url.Url")
		native.Throw(newRecord().writeTo(call.This))
		return nil
	}).(*goja.Object)
	native.Throw(ctor.DefineDataProperty("prototype", m.urlProto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE))
	native.Throw(ctor.DefineDataProperty("name", rt.ToValue("Url"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE))
	native.Throw(m.urlProto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE))
	m.urlClass = ctor
	const p = "Url.prototype."
	native.Hidden(rt, m.urlProto, p, "parse", func(call goja.FunctionCall) goja.Value {
		this := call.This.ToObject(rt)
		rec := m.parseArgs(call.Argument(0), call.Argument(1).ToBoolean(), call.Argument(2).ToBoolean())
		native.Throw(rec.writeTo(this))
		return this
	})
	native.Hidden(rt, m.urlProto, p, "format", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(format(rt, readRecord(call.This.ToObject(rt))))
	})
	native.Hidden(rt, m.urlProto, p, "resolve", func(call goja.FunctionCall) goja.Value {
		res := resolveObject(rt, readRecord(call.This.ToObject(rt)), m.parseArgs(call.Argument(0), false, true))
		return rt.ToValue(format(rt, res))
	})
	native.Hidden(rt, m.urlProto, p, "resolveObject", func(call goja.FunctionCall) goja.Value {
		return m.newUrl(resolveObject(rt, readRecord(call.This.ToObject(rt)), m.relative(call.Argument(0))))
	})
	native.Hidden(rt, m.urlProto, p, "parseHost", func(call goja.FunctionCall) goja.Value {
		this := call.This.ToObject(rt)
		rec := readRecord(this)
		parseHost(rec)
		native.Throw(rec.writeTo(this))
		return goja.Undefined()
	})
}

// newUrl makes a Url instance with rec's properties.
func (m *module_) newUrl(rec *record) *goja.Object {
	o := m.rt.CreateObject(m.urlProto)
	native.Throw(rec.writeTo(o))
	return o
}

// parseArgs validates the url argument and parses it, throwing Node's errors.
func (m *module_) parseArgs(v goja.Value, parseQuery, slashesDenoteHost bool) *record {
	if !goja.IsString(v) {
		panic(native.ArgTypeError(m.rt, "url", "of type string", v))
	}
	rec, perr := parse(m.rt, v.String(), parseQuery, slashesDenoteHost)
	if perr != nil {
		if perr.uriMalformed {
			panic(native.NewError(m.rt, "URIError", "", "URI malformed"))
		}
		e := native.NewError(m.rt, "TypeError", "ERR_INVALID_URL", "Invalid URL")
		_ = e.Set("input", perr.input)
		panic(e)
	}
	return rec
}

// relative reads resolveObject's argument: a string is parsed with slashes denoting a host.
func (m *module_) relative(v goja.Value) *record {
	if goja.IsString(v) {
		return m.parseArgs(v, false, true)
	}
	return readRecord(v.ToObject(m.rt))
}

func (m *module_) isUrl(v goja.Value) bool {
	return m.rt.InstanceOf(v, m.urlClass)
}

func (m *module_) parseFn(call goja.FunctionCall) goja.Value {
	if m.isUrl(call.Argument(0)) {
		return call.Argument(0)
	}
	return m.newUrl(m.parseArgs(call.Argument(0), call.Argument(1).ToBoolean(), call.Argument(2).ToBoolean()))
}

func (m *module_) formatFn(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if goja.IsString(v) {
		return m.rt.ToValue(format(m.rt, m.parseArgs(v, false, false)))
	}
	o, ok := v.(*goja.Object)
	if !ok {
		panic(native.ArgTypeError(m.rt, "urlObject", "one of type object or string", v))
	}
	if m.urlCtor != nil && m.rt.InstanceOf(o, m.urlCtor) {
		return m.rt.ToValue(m.formatWHATWG(o, call.Argument(1)))
	}
	return m.rt.ToValue(format(m.rt, readRecord(o)))
}

// formatWHATWG is url.format(URL, options): fragment, search and auth (default true) keep those
// parts; unicode (default false) shows the hostname in Unicode.
func (m *module_) formatWHATWG(u *goja.Object, optsV goja.Value) string {
	opt := func(name string, def bool) bool {
		o, ok := optsV.(*goja.Object)
		if !ok {
			return def
		}
		v := o.Get(name)
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return def
		}
		return v.ToBoolean()
	}
	if !goja.IsUndefined(optsV) && !goja.IsNull(optsV) {
		if _, ok := optsV.(*goja.Object); !ok {
			panic(native.ArgTypeError(m.rt, "options", "of type object", optsV))
		}
	}
	get := func(k string) string { return u.Get(k).String() }
	out := get("protocol")
	host := get("host")
	if host != "" || out == "file:" {
		out += "//"
	}
	if opt("auth", true) {
		if user := get("username"); user != "" || get("password") != "" {
			out += user
			if pw := get("password"); pw != "" {
				out += ":" + pw
			}
			out += "@"
		}
	}
	if opt("unicode", false) {
		if hn := whatwgHostname(u); hn != "" {
			if uni, err := idnaProfile.ToUnicode(hn); err == nil {
				host = uni
				if port := get("port"); port != "" {
					host += ":" + port
				}
			}
		}
	}
	out += host + get("pathname")
	if opt("search", true) {
		out += get("search")
	}
	if opt("fragment", true) {
		out += get("hash")
	}
	return out
}

func (m *module_) resolveFn(call goja.FunctionCall) goja.Value {
	src := m.parseArgs(call.Argument(0), false, true)
	res := resolveObject(m.rt, src, m.parseArgs(call.Argument(1), false, true))
	return m.rt.ToValue(format(m.rt, res))
}

func (m *module_) resolveObjectFn(call goja.FunctionCall) goja.Value {
	if !call.Argument(0).ToBoolean() {
		return call.Argument(1)
	}
	src := m.parseArgs(call.Argument(0), false, true)
	return m.newUrl(resolveObject(m.rt, src, m.relative(call.Argument(1))))
}

// urlToHttpOptions converts a WHATWG URL to http.request options, like Node.
func (m *module_) urlToHttpOptions(call goja.FunctionCall) goja.Value {
	u := call.Argument(0).ToObject(m.rt)
	get := func(k string) goja.Value { return u.Get(k) }
	o := m.rt.NewObject()
	_ = o.Set("protocol", get("protocol"))
	hn := whatwgHostname(u)
	if len(hn) > 1 && hn[0] == '[' {
		hn = hn[1 : len(hn)-1]
	}
	_ = o.Set("hostname", hn)
	_ = o.Set("hash", get("hash"))
	_ = o.Set("search", get("search"))
	_ = o.Set("pathname", get("pathname"))
	_ = o.Set("path", get("pathname").String()+get("search").String())
	_ = o.Set("href", get("href"))
	if port := get("port").String(); port != "" {
		_ = o.Set("port", get("port").ToInteger())
	}
	if user, pw := get("username").String(), get("password").String(); user != "" || pw != "" {
		du, _ := decode(user)
		dp, _ := decode(pw)
		_ = o.Set("auth", du+":"+dp)
	}
	return o
}

// whatwgHostname is a URL's hostname read from its host (goja_nodejs reports IPv6 hostnames
// wrongly): "[::1]:8443" gives "[::1]", "a.com:80" gives "a.com".
func whatwgHostname(u *goja.Object) string {
	host := u.Get("host").String()
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			return host[:i+1]
		}
		return host
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		return host[:i]
	}
	return host
}
