package fetch

import (
	"net/http"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// headerList is the state of a Headers object: values by lower-case name, with the spelling of the
// name first set (node-fetch's raw() shows it).
type headerList struct {
	byName map[string]*headerEntry
}

type headerEntry struct {
	name string
	vals []string
}

func newHeaderList() *headerList { return &headerList{byName: map[string]*headerEntry{}} }

func (h *headerList) append(name, value string) {
	k := strings.ToLower(name)
	if e, ok := h.byName[k]; ok {
		e.vals = append(e.vals, value)
		return
	}
	h.byName[k] = &headerEntry{name: name, vals: []string{value}}
}

func (h *headerList) set(name, value string) {
	k := strings.ToLower(name)
	if e, ok := h.byName[k]; ok {
		e.vals = []string{value}
		return
	}
	h.byName[k] = &headerEntry{name: name, vals: []string{value}}
}

func (h *headerList) get(name string) (string, bool) {
	e, ok := h.byName[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return strings.Join(e.vals, ", "), true
}

func (h *headerList) has(name string) bool {
	_, ok := h.byName[strings.ToLower(name)]
	return ok
}

func (h *headerList) del(name string) { delete(h.byName, strings.ToLower(name)) }

// names returns the lower-case names in sorted order (the iteration order of Headers).
func (h *headerList) names() []string {
	out := make([]string, 0, len(h.byName))
	for k := range h.byName {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (h *headerList) clone() *headerList {
	c := newHeaderList()
	for k, e := range h.byName {
		c.byName[k] = &headerEntry{name: e.name, vals: append([]string(nil), e.vals...)}
	}
	return c
}

// httpHeader converts the list for an outgoing request.
func (h *headerList) httpHeader() http.Header {
	out := make(http.Header, len(h.byName))
	for _, e := range h.byName {
		for _, v := range e.vals {
			out.Add(e.name, v)
		}
	}
	return out
}

// fromHTTP builds a list from response headers (lower-case names, as Node delivers them).
func fromHTTP(hh http.Header) *headerList {
	h := newHeaderList()
	for k, vals := range hh {
		lk := strings.ToLower(k)
		h.byName[lk] = &headerEntry{name: lk, vals: append([]string(nil), vals...)}
	}
	return h
}

// validName reports whether s is an HTTP token (a legal header name).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validValue reports whether s may be a header value (no CR, LF or NUL).
func validValue(s string) bool {
	return !strings.ContainsAny(s, "\r\n\x00")
}

// newHeadersClass builds the Headers constructor and prototype.
func (m *module) newHeadersClass() {
	rt, env := m.env.RT, m.env
	ctor := env.Constructor("Headers", func(call goja.ConstructorCall) *goja.Object {
		h := m.headersInit(call.Argument(0))
		m.attach(call.This, h)
		return nil
	})
	proto := ctor.Get("prototype").ToObject(rt)
	self := func(this goja.Value) *headerList {
		if v, ok := m.state(this).(*headerList); ok {
			return v
		}
		env.Throw("Value of \"this\" must be of type Headers")
		return nil
	}
	checkName := func(name string) {
		if !validName(name) {
			env.Throw("%s is not a legal HTTP header name", name)
		}
	}
	checkValue := func(v string) {
		if !validValue(v) {
			env.Throw("%s is not a legal HTTP header value", v)
		}
	}
	env.Method(proto, "get", func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		checkName(name)
		if v, ok := self(call.This).get(name); ok {
			return rt.ToValue(v)
		}
		return goja.Null()
	})
	env.Method(proto, "has", func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		checkName(name)
		return rt.ToValue(self(call.This).has(name))
	})
	env.Method(proto, "set", func(call goja.FunctionCall) goja.Value {
		name, val := call.Argument(0).String(), strings.TrimSpace(call.Argument(1).String())
		checkName(name)
		checkValue(val)
		self(call.This).set(name, val)
		return goja.Undefined()
	})
	env.Method(proto, "append", func(call goja.FunctionCall) goja.Value {
		name, val := call.Argument(0).String(), strings.TrimSpace(call.Argument(1).String())
		checkName(name)
		checkValue(val)
		self(call.This).append(name, val)
		return goja.Undefined()
	})
	env.Method(proto, "delete", func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		checkName(name)
		self(call.This).del(name)
		return goja.Undefined()
	})
	env.Method(proto, "forEach", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			env.Throw("The \"callback\" argument must be of type function")
		}
		h := self(call.This)
		for _, k := range h.names() {
			v, ok := h.get(k)
			if !ok {
				continue
			}
			if _, err := fn(call.Argument(1), rt.ToValue(v), rt.ToValue(k), call.This); err != nil {
				panic(err)
			}
		}
		return goja.Undefined()
	})
	if m.node {
		env.Method(proto, "raw", func(call goja.FunctionCall) goja.Value {
			h := self(call.This)
			o := rt.NewObject()
			for _, k := range h.names() {
				e := h.byName[k]
				vals := make([]any, len(e.vals))
				for i, v := range e.vals {
					vals[i] = v
				}
				o.Set(e.name, rt.NewArray(vals...))
			}
			return o
		})
	} else {
		env.Method(proto, "getSetCookie", func(call goja.FunctionCall) goja.Value {
			var vals []any
			if e, ok := self(call.This).byName["set-cookie"]; ok {
				for _, v := range e.vals {
					vals = append(vals, v)
				}
			}
			return rt.NewArray(vals...)
		})
	}
	iter := func(kind string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			h := self(call.This)
			var items []any
			for _, k := range h.names() {
				v, _ := h.get(k)
				switch kind {
				case "keys":
					items = append(items, k)
				case "values":
					items = append(items, v)
				default:
					items = append(items, rt.NewArray(k, v))
				}
			}
			arr := rt.NewArray(items...)
			values, _ := goja.AssertFunction(arr.Get("values"))
			it, err := values(arr)
			if err != nil {
				panic(err)
			}
			return it
		}
	}
	env.Method(proto, "keys", iter("keys"))
	env.Method(proto, "values", iter("values"))
	env.Method(proto, "entries", iter("entries"))
	if err := proto.DefineDataPropertySymbol(goja.SymIterator, proto.Get("entries"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	if err := proto.DefineDataPropertySymbol(goja.SymToStringTag, rt.ToValue("Headers"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	m.headersCtor, m.headersProto = ctor, proto
}

// headersInit reads a Headers initializer: another Headers, an iterable of [name, value] pairs,
// or a plain object.
func (m *module) headersInit(init goja.Value) *headerList {
	rt, env := m.env.RT, m.env
	h := newHeaderList()
	if init == nil || goja.IsUndefined(init) || goja.IsNull(init) {
		return h
	}
	if other, ok := m.state(init).(*headerList); ok {
		return other.clone()
	}
	o, ok := init.(*goja.Object)
	if !ok {
		env.Throw("Provided initializer must be an object")
	}
	add := func(name, val string) {
		if !validName(name) {
			env.Throw("%s is not a legal HTTP header name", name)
		}
		if !validValue(val) {
			env.Throw("%s is not a legal HTTP header value", val)
		}
		h.append(name, strings.TrimSpace(val))
	}
	if it := o.GetSymbol(goja.SymIterator); it != nil && !goja.IsUndefined(it) {
		var pairs []goja.Value
		rt.ForOf(o, func(v goja.Value) bool {
			pairs = append(pairs, v)
			return true
		})
		for _, p := range pairs {
			po, ok := p.(*goja.Object)
			if !ok {
				env.Throw("Each header pair must be iterable")
			}
			var parts []goja.Value
			rt.ForOf(po, func(v goja.Value) bool {
				parts = append(parts, v)
				return true
			})
			if len(parts) != 2 {
				env.Throw("Each header pair must be a name/value tuple")
			}
			add(parts[0].String(), parts[1].String())
		}
		return h
	}
	for _, k := range o.Keys() {
		add(k, o.Get(k).String())
	}
	return h
}
