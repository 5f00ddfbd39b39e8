package url

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/querystring"
)

// fieldOrder is the order of the own properties of a legacy Url object.
var fieldOrder = []string{"protocol", "slashes", "auth", "host", "port", "hostname", "hash", "search", "query", "pathname", "path", "href"}

// record is a legacy Url object's own enumerable properties, in order, as JavaScript values. The
// legacy algorithms work on records so that they keep JavaScript's loose semantics (truthiness,
// properties a rule added).
type record struct {
	keys []string
	vals map[string]goja.Value
}

// newRecord returns the properties of a fresh Url: every field null.
func newRecord() *record {
	r := &record{vals: make(map[string]goja.Value, len(fieldOrder))}
	for _, k := range fieldOrder {
		r.set(k, goja.Null())
	}
	return r
}

// readRecord copies the own enumerable properties of o.
func readRecord(o *goja.Object) *record {
	keys := o.Keys()
	r := &record{vals: make(map[string]goja.Value, len(keys))}
	for _, k := range keys {
		r.set(k, o.Get(k))
	}
	return r
}

func (r *record) clone() *record {
	c := &record{keys: append([]string(nil), r.keys...), vals: make(map[string]goja.Value, len(r.vals))}
	for k, v := range r.vals {
		c.vals[k] = v
	}
	return c
}

func (r *record) get(k string) goja.Value {
	if v, ok := r.vals[k]; ok && v != nil {
		return v
	}
	return goja.Undefined()
}

func (r *record) set(k string, v goja.Value) {
	if _, ok := r.vals[k]; !ok {
		r.keys = append(r.keys, k)
	}
	r.vals[k] = v
}

func (r *record) setStr(k, s string) { r.set(k, stringValue(s)) }

// truthy is JavaScript truthiness of a property.
func (r *record) truthy(k string) bool { return r.get(k).ToBoolean() }

// str is `this[k] || ”`: the property's string form when truthy, else "".
func (r *record) str(k string) string {
	v := r.get(k)
	if !v.ToBoolean() {
		return ""
	}
	return v.String()
}

// isNullish reports whether the property is null or undefined.
func (r *record) isNullish(k string) bool {
	v := r.get(k)
	return goja.IsNull(v) || goja.IsUndefined(v)
}

// writeTo sets the properties on o in order.
func (r *record) writeTo(o *goja.Object) error {
	for _, k := range r.keys {
		if err := o.Set(k, r.vals[k]); err != nil {
			return err
		}
	}
	return nil
}

// stringValue turns a Go string into a JavaScript string without a runtime.
func stringValue(s string) goja.Value {
	return goja.StringFromUTF16(utf16Of(s))
}

// decode is decodeURIComponent, leaving malformed input as it is.
func decode(s string) (string, bool) {
	if d, ok := querystring.DecodeURIComponent(s); ok {
		return d, true
	}
	return s, false
}
