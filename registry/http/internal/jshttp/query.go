package jshttp

import (
	"strings"

	"github.com/dop251/goja"
)

// escapeSet says which ASCII bytes a percent-encoder leaves alone.
type escapeSet [128]bool

func newEscapeSet(extra string) *escapeSet {
	var s escapeSet
	for c := 'a'; c <= 'z'; c++ {
		s[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		s[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		s[c] = true
	}
	for _, c := range extra {
		s[c] = true
	}
	return &s
}

var (
	// uriComponent is encodeURIComponent's (and Node querystring.escape's) unescaped set.
	uriComponent = newEscapeSet("-_.!~*'()")
	// rfc3986 is the qs library's default (RFC 3986 unreserved characters).
	rfc3986 = newEscapeSet("-_.~")
)

const hexUpper = "0123456789ABCDEF"

func escape(s string, keep *escapeSet) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 128 || !keep[c] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 128 && keep[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

// EncodeURIComponent is JavaScript's encodeURIComponent (UTF-8, upper-case hex).
func EncodeURIComponent(s string) string { return escape(s, uriComponent) }

// isArray reports whether v is a JavaScript array.
func isArray(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	return o, ok && o.ClassName() == "Array"
}

func isNullish(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}

// dateISO returns d.toISOString() for Date objects.
func dateISO(rt *goja.Runtime, v goja.Value) (string, bool) {
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() != "Date" {
		return "", false
	}
	f, ok := goja.AssertFunction(o.Get("toISOString"))
	if !ok {
		return "", false
	}
	s, err := f(o)
	if err != nil {
		panic(err)
	}
	return s.String(), true
}

// QSStringify is the qs library's stringify with its defaults, as the request module uses it for
// qs and form: nested objects as a[b]=c, arrays with indices (a[0]=x), RFC 3986 percent-encoding of
// keys and values, null as "a=", undefined skipped, Dates as ISO strings. Nesting deeper than
// [MaxQSDepth] (a cyclic object, for one) throws a RangeError as qs's unbounded recursion does in
// Node, and a result over [MaxQSBytes] throws a RangeError before it is built: the walk is one Go
// call that the execution's deadline cannot interrupt.
func QSStringify(rt *goja.Runtime, v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return ""
	}
	q := &qsWalk{rt: rt}
	for _, k := range o.Keys() {
		q.append(k, o.Get(k), 1)
	}
	return strings.Join(q.parts, "&")
}

// MaxQSDepth is the deepest nesting QSStringify serializes.
const MaxQSDepth = 1000

// MaxQSBytes bounds the size of a QSStringify result.
const MaxQSBytes = 16 << 20

// qsWalk is one QSStringify call: the parts so far and their total size.
type qsWalk struct {
	rt    *goja.Runtime
	parts []string
	size  int
}

func (q *qsWalk) add(part string) {
	q.size += len(part) + 1
	if q.size > MaxQSBytes {
		panic(RangeError(q.rt, "Invalid string length"))
	}
	q.parts = append(q.parts, part)
}

func (q *qsWalk) append(prefix string, v goja.Value, depth int) {
	rt := q.rt
	if depth > MaxQSDepth {
		panic(RangeError(rt, "Maximum call stack size exceeded"))
	}
	if len(prefix) > MaxQSBytes {
		panic(RangeError(rt, "Invalid string length"))
	}
	if goja.IsUndefined(v) {
		return
	}
	if goja.IsNull(v) {
		q.add(escape(prefix, rfc3986) + "=")
		return
	}
	if s, ok := dateISO(rt, v); ok {
		q.add(escape(prefix, rfc3986) + "=" + escape(s, rfc3986))
		return
	}
	if b, ok := Bytes(v); ok {
		q.add(escape(prefix, rfc3986) + "=" + escape(string(b), rfc3986))
		return
	}
	o, ok := v.(*goja.Object)
	if !ok {
		q.add(escape(prefix, rfc3986) + "=" + escape(v.String(), rfc3986))
		return
	}
	if _, isFn := goja.AssertFunction(v); isFn {
		return
	}
	for _, k := range o.Keys() {
		q.append(prefix+"["+k+"]", o.Get(k), depth+1)
	}
}

// RangeError makes a JavaScript RangeError with msg, for natives to throw.
func RangeError(rt *goja.Runtime, msg string) *goja.Object {
	o, err := rt.New(rt.Get("RangeError"), rt.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return o
}

// QuerystringStringify is Node's querystring.stringify: arrays repeat the key, primitives are
// escaped like encodeURIComponent, anything else becomes an empty value.
func QuerystringStringify(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return ""
	}
	var parts []string
	for _, k := range o.Keys() {
		ek := EncodeURIComponent(k) + "="
		val := o.Get(k)
		if arr, ok := isArray(val); ok {
			for _, i := range arr.Keys() {
				parts = append(parts, ek+querystringPrimitive(arr.Get(i)))
			}
			continue
		}
		parts = append(parts, ek+querystringPrimitive(val))
	}
	return strings.Join(parts, "&")
}

func querystringPrimitive(v goja.Value) string {
	if v == nil {
		return ""
	}
	switch e := v.Export().(type) {
	case string:
		return EncodeURIComponent(e)
	case bool:
		return v.String()
	case int64:
		return v.String()
	case float64:
		if e != e || e > 1.7976931348623157e308 || e < -1.7976931348623157e308 {
			return ""
		}
		return v.String()
	}
	return ""
}

// axiosEncode is axios 0.x buildURL's encode: encodeURIComponent, then ":", "$", ",", "+" (for
// space), "[", "]" and "@" put back.
func axiosEncode(s string) string {
	e := EncodeURIComponent(s)
	if !strings.Contains(e, "%") {
		return e
	}
	return axiosUnescape.Replace(e)
}

var axiosUnescape = strings.NewReplacer("%40", "@", "%3A", ":", "%24", "$", "%2C", ",", "%20", "+", "%5B", "[", "%5D", "]")

// AxiosParams serializes axios params the way axios 0.x buildURL does: null and undefined skipped,
// arrays as key[]=v, Dates as ISO strings, objects as JSON.
func (e *Env) AxiosParams(v goja.Value) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return ""
	}
	var parts []string
	for _, k := range o.Keys() {
		val := o.Get(k)
		if isNullish(val) {
			continue
		}
		key := k
		var vals []goja.Value
		if arr, ok := isArray(val); ok {
			key += "[]"
			for _, i := range arr.Keys() {
				vals = append(vals, arr.Get(i))
			}
		} else {
			vals = []goja.Value{val}
		}
		for _, item := range vals {
			var s string
			if d, ok := dateISO(e.RT, item); ok {
				s = d
			} else if _, isObj := item.(*goja.Object); isObj {
				s = e.StringifyJSON(item)
			} else {
				s = item.String()
			}
			parts = append(parts, axiosEncode(key)+"="+axiosEncode(s))
		}
	}
	return strings.Join(parts, "&")
}

// IsURLSearchParams reports whether v looks like a URLSearchParams (WHATWG or Node's url module):
// an object with append, getAll, has and set methods whose toString gives the serialized form.
func IsURLSearchParams(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	for _, m := range []string{"append", "getAll", "has", "set", "toString"} {
		if _, ok := goja.AssertFunction(o.Get(m)); !ok {
			return false
		}
	}
	return true
}
