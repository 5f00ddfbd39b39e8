package querystring

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

// optString reads an optional separator argument: falsy means def.
func optString(v goja.Value, def string) string {
	if v == nil || !v.ToBoolean() {
		return def
	}
	return v.String()
}

func (m *module) parse(call goja.FunctionCall) goja.Value {
	obj := m.rt.CreateObject(nil)
	src := call.Argument(0)
	if !goja.IsString(src) || src.String() == "" {
		return obj
	}
	sep := optString(call.Argument(1), "&")
	eq := optString(call.Argument(2), "=")
	maxKeys := DefaultMaxKeys
	var decode goja.Callable
	if opts, ok := call.Argument(3).(*goja.Object); ok {
		if mk := opts.Get("maxKeys"); mk != nil && goja.IsNumber(mk) {
			f := mk.ToFloat()
			switch {
			case f > 0 && f < math.MaxInt32:
				maxKeys = int(f)
			case f >= math.MaxInt32:
				maxKeys = 0
			default:
				maxKeys = 0
			}
		}
		if fn, ok := goja.AssertFunction(opts.Get("decodeURIComponent")); ok {
			decode = fn
		}
	}
	if decode == nil {
		if cur := m.exports.Get("unescape"); cur != nil && !cur.SameAs(m.origUnescape) {
			decode, _ = goja.AssertFunction(cur)
		}
	}
	pairs := Split(src.String(), sep, eq, maxKeys)
	m.fill(obj, pairs, decode)
	return obj
}

// fill adds pairs to obj the way Node's addKeyVal does: a repeated key turns its value into an
// array in first-seen order.
func (m *module) fill(obj *goja.Object, pairs []Pair, decode goja.Callable) {
	type slot struct {
		vals []goja.Value
	}
	order := make([]string, 0, len(pairs))
	slots := make(map[string]*slot, len(pairs))
	for _, p := range pairs {
		k := m.decodePart(p.Key, p.KeyEncoded, decode)
		v := m.decodePart(p.Value, p.ValueEncoded, decode)
		ks := k.String()
		s, ok := slots[ks]
		if !ok || (len(s.vals) == 1 && goja.IsUndefined(s.vals[0])) {
			if !ok {
				s = &slot{}
				slots[ks] = s
				order = append(order, ks)
			}
			s.vals = append(s.vals[:0], v)
			continue
		}
		s.vals = append(s.vals, v)
	}
	for _, k := range order {
		s := slots[k]
		var v goja.Value
		if len(s.vals) == 1 {
			v = s.vals[0]
		} else {
			v = m.rt.NewArray(valuesToInterfaces(s.vals)...)
		}
		native.Throw(obj.Set(k, v))
	}
}

func valuesToInterfaces(vs []goja.Value) []interface{} {
	out := make([]interface{}, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// decodePart decodes one key or value: the default decoder only runs on parts that hold an
// escape; a custom decoder runs on every non-empty part and falls back to Unescape when it throws.
func (m *module) decodePart(s string, encoded bool, decode goja.Callable) goja.Value {
	if s == "" {
		return m.rt.ToValue("")
	}
	if decode == nil {
		if !encoded {
			return m.rt.ToValue(s)
		}
		return m.rt.ToValue(Unescape(s, true))
	}
	v, err := decode(goja.Undefined(), m.rt.ToValue(s))
	if err != nil {
		if _, ok := err.(*goja.Exception); !ok {
			panic(err)
		}
		return m.rt.ToValue(Unescape(s, true))
	}
	return v
}

func (m *module) stringify(call goja.FunctionCall) goja.Value {
	obj, ok := call.Argument(0).(*goja.Object)
	if !ok {
		return m.rt.ToValue("")
	}
	sep := optString(call.Argument(1), "&")
	eq := optString(call.Argument(2), "=")
	var encode goja.Callable
	if opts, ok := call.Argument(3).(*goja.Object); ok {
		encode, _ = goja.AssertFunction(opts.Get("encodeURIComponent"))
	}
	if encode == nil {
		if cur := m.exports.Get("escape"); cur != nil && !cur.SameAs(m.origEscape) {
			encode, _ = goja.AssertFunction(cur)
		}
	}
	return m.rt.ToValue(m.stringifyWith(obj, sep, eq, encode))
}

// Stringify is querystring.stringify(obj) with the default separators and escaping, for Go
// callers such as url.format. It must run on the runtime's goroutine and may throw (panic) a
// JavaScript exception like the module function.
func Stringify(rt *goja.Runtime, obj *goja.Object) string {
	m := &module{rt: rt}
	return m.stringifyWith(obj, "&", "=", nil)
}

// Parse is querystring.parse(s) with the default separators, decoding and key limit, for Go
// callers such as url.parse(s, true).
func Parse(rt *goja.Runtime, s string) *goja.Object {
	m := &module{rt: rt}
	obj := rt.CreateObject(nil)
	if s != "" {
		m.fill(obj, Split(s, "&", "=", DefaultMaxKeys), nil)
	}
	return obj
}

func (m *module) stringifyWith(obj *goja.Object, sep, eq string, encode goja.Callable) string {
	convert := func(v goja.Value) string {
		if encode != nil {
			return native.Call(encode, goja.Undefined(), m.rt.ToValue(stringifyPrimitive(v))).String()
		}
		return m.encodeStringified(v)
	}
	var b strings.Builder
	for _, k := range obj.Keys() {
		v := obj.Get(k)
		ks := convert(m.rt.ToValue(k)) + eq
		if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" {
			n := int(arr.Get("length").ToInteger())
			if n == 0 {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			for j := 0; j < n; j++ {
				if j > 0 {
					b.WriteString(sep)
				}
				b.WriteString(ks)
				b.WriteString(convert(arr.Get(strconv.Itoa(j))))
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(ks)
		b.WriteString(convert(v))
	}
	return b.String()
}

// stringifyPrimitive is what a custom encoder receives: strings as they are, finite numbers,
// bigints and booleans as text, anything else as "".
func stringifyPrimitive(v goja.Value) string {
	switch native.TypeOf(v) {
	case "string", "bigint", "boolean":
		return v.String()
	case "number":
		if f := v.ToFloat(); !math.IsInf(f, 0) && !math.IsNaN(f) {
			return v.String()
		}
	}
	return ""
}

// encodeStringified is the default value encoding of stringify.
func (m *module) encodeStringified(v goja.Value) string {
	switch native.TypeOf(v) {
	case "string":
		s, ok := m.escapeValue(v)
		if !ok {
			panic(native.NewError(m.rt, "URIError", "ERR_INVALID_URI", "URI malformed"))
		}
		return s
	case "number":
		f := v.ToFloat()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return ""
		}
		if math.Abs(f) < 1e21 {
			return v.String()
		}
		s, _ := m.escapeValue(v)
		return s
	case "bigint", "boolean":
		return v.String()
	}
	return ""
}
