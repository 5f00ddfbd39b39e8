package sandbox

import (
	"sort"

	"github.com/dop251/goja"
)

// record is the JS face of the top-level user and context objects: a goja dynamic object over the
// caller's map that converts a property to a native JS value only when a rule first reads it, and
// keeps every write in its own storage. The caller's map is never modified. Nested objects and arrays
// become ordinary JS objects on first access, so only the two top-level objects are dynamic.
//
// Dynamic objects are always extensible and hold only writable, enumerable, configurable data
// properties: Object.freeze/seal/preventExtensions, accessor or non-writable definitions and symbol keys
// on the top-level user/context throw a TypeError. Keys are ordered: input keys sorted, then added keys.
type record struct {
	v       *vm
	src     map[string]any
	vals    map[string]goja.Value // materialized or assigned values
	deleted map[string]bool
	keys    []string // nil until order is needed
	obj     *goja.Object
}

var _ goja.DynamicObject = (*record)(nil)

// MarshalJSON serialises the object as JSON.stringify would, for Go code that exports a value a rule
// handed it (goja's Export of a dynamic object returns the record itself). It must be called on the
// runtime's goroutine.
func (r *record) MarshalJSON() ([]byte, error) { return r.obj.MarshalJSON() }

// newRecords wraps user and context (nil means empty) as dynamic objects. The two records share one
// allocation.
func (v *vm) newRecords(user, context map[string]any) (u, c *record) {
	pair := &[2]record{{v: v, src: user}, {v: v, src: context}}
	u, c = &pair[0], &pair[1]
	u.obj = v.rt.NewDynamicObject(u)
	c.obj = v.rt.NewDynamicObject(c)
	return u, c
}

// touched reports whether JS read, wrote or deleted anything.
func (r *record) touched() bool { return r.vals != nil || r.deleted != nil }

// Get returns the property, converting an input value on first read.
func (r *record) Get(key string) goja.Value {
	if val, ok := r.vals[key]; ok {
		return val
	}
	if r.deleted[key] {
		return nil
	}
	x, ok := r.src[key]
	if !ok {
		return nil
	}
	val := r.v.toJS(x)
	if r.vals == nil {
		r.vals = make(map[string]goja.Value, 4)
	}
	r.vals[key] = val
	return val
}

// Set assigns a property.
func (r *record) Set(key string, val goja.Value) bool {
	if !r.Has(key) {
		r.order()
		r.keys = append(r.keys, key)
	}
	if r.vals == nil {
		r.vals = make(map[string]goja.Value, 4)
	}
	r.vals[key] = val
	delete(r.deleted, key)
	return true
}

// Has reports whether the property exists.
func (r *record) Has(key string) bool {
	if _, ok := r.vals[key]; ok {
		return true
	}
	if r.deleted[key] {
		return false
	}
	_, ok := r.src[key]
	return ok
}

// Delete removes the property.
func (r *record) Delete(key string) bool {
	if !r.Has(key) {
		return true
	}
	r.order()
	for i, k := range r.keys {
		if k == key {
			r.keys = append(r.keys[:i:i], r.keys[i+1:]...)
			break
		}
	}
	delete(r.vals, key)
	if _, inSrc := r.src[key]; inSrc {
		if r.deleted == nil {
			r.deleted = make(map[string]bool)
		}
		r.deleted[key] = true
	}
	return true
}

// Keys lists the properties: input keys sorted, then keys added later in insertion order.
func (r *record) Keys() []string {
	r.order()
	return append([]string(nil), r.keys...)
}

// order builds the key list on first need.
func (r *record) order() {
	if r.keys != nil {
		return
	}
	r.keys = make([]string, 0, len(r.src)+4)
	for k := range r.src {
		if !r.deleted[k] {
			r.keys = append(r.keys, k)
		}
	}
	sort.Strings(r.keys)
}
