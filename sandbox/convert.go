package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// toJS converts a Go value from the caller (decoded JSON, or ordinary Go maps, slices and scalars) into
// a native JS value. Objects get their keys in sorted order. Types without a JSON-like shape are
// converted through encoding/json, so Go structs never reach JS as wrapped Go values.
func (v *vm) toJS(x any) goja.Value {
	rt := v.rt
	switch t := x.(type) {
	case nil:
		return goja.Null()
	case goja.Value:
		return t
	case string:
		return rt.ToValue(t)
	case bool:
		return rt.ToValue(t)
	case float64:
		return rt.ToValue(t)
	case int:
		return rt.ToValue(t)
	case int64:
		return rt.ToValue(t)
	case int32:
		return rt.ToValue(t)
	case float32:
		return rt.ToValue(float64(t))
	case uint:
		return rt.ToValue(t)
	case uint64:
		return rt.ToValue(t)
	case uint32:
		return rt.ToValue(t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return rt.ToValue(i)
		}
		f, _ := t.Float64()
		return rt.ToValue(f)
	case time.Time:
		return rt.ToValue(t.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	case map[string]any:
		o := rt.NewObject()
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			setOwn(o, k, v.toJS(t[k]))
		}
		return o
	case []any:
		items := make([]any, len(t))
		for i, e := range t {
			items[i] = v.toJS(e)
		}
		return rt.NewArray(items...)
	case map[string]string:
		o := rt.NewObject()
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			setOwn(o, k, v.rt.ToValue(t[k]))
		}
		return o
	case []string:
		items := make([]any, len(t))
		for i, e := range t {
			items[i] = e
		}
		return rt.NewArray(items...)
	case []map[string]any:
		items := make([]any, len(t))
		for i, e := range t {
			items[i] = v.toJS(e)
		}
		return rt.NewArray(items...)
	}
	return v.toJS(normalize(x))
}

// setOwn creates an own data property like JSON.parse does: a "__proto__" key becomes a property
// instead of setting the prototype.
func setOwn(o *goja.Object, k string, val goja.Value) {
	if k == "__proto__" {
		_ = o.DefineDataProperty(k, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return
	}
	_ = o.Set(k, val)
}

// normalize returns a copy of a Go value made only of map[string]any, []any, string, float64, int64,
// bool and nil. Unknown types go through encoding/json (a value that cannot be encoded becomes its
// fmt representation).
func normalize(x any) any {
	switch t := x.(type) {
	case nil:
		return nil
	case string, bool, int64, float64:
		if f, ok := t.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil
		}
		return t
	case int:
		return int64(t)
	case int32:
		return int64(t)
	case int16:
		return int64(t)
	case int8:
		return int64(t)
	case uint8:
		return int64(t)
	case uint16:
		return int64(t)
	case uint32:
		return int64(t)
	case uint:
		if uint64(t) <= math.MaxInt64 {
			return int64(t)
		}
		return float64(t)
	case uint64:
		if t <= math.MaxInt64 {
			return int64(t)
		}
		return float64(t)
	case float32:
		return normalize(float64(t))
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return normalize(f)
	case time.Time:
		return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = normalize(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = normalize(e)
		}
		return s
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = e
		}
		return m
	case []string:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = e
		}
		return s
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			m := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				m[it.Key().String()] = normalize(it.Value().Interface())
			}
			return m
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() != reflect.Uint8 {
			s := make([]any, rv.Len())
			for i := range s {
				s[i] = normalize(rv.Index(i).Interface())
			}
			return s
		}
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
	}
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprint(x)
	}
	return normalize(out)
}

// maxExportDepth bounds nesting when exporting; deeper structures are cut with a warning.
const maxExportDepth = 200

// exporter converts the final JS user and context into plain Go values with JSON semantics: functions,
// symbols and undefined properties are dropped, undefined array items become nil, NaN and infinities
// become nil, objects with toJSON (Date, URL, Buffer) are exported through it, and a circular
// reference is cut (replaced by "[Circular]") with a warning.
type exporter struct {
	v       *vm
	ex      *execution
	path    []*goja.Object // objects being exported, outermost first (for cycles)
	warning string
}

// export converts one top-level value; a non-object becomes nil.
func (x *exporter) export(val goja.Value, what string) (m map[string]any) {
	defer func() {
		if r := recover(); r != nil {
			x.ex.warn(fmt.Sprintf("the final %s could not be read completely: %v", what, r))
			if m == nil {
				m = map[string]any{}
			}
		}
	}()
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return nil
	}
	out, _ := x.value(val, 0)
	if x.warning != "" {
		x.ex.warn(fmt.Sprintf("the final %s %s", what, x.warning))
		x.warning = ""
	}
	if mm, ok := out.(map[string]any); ok {
		return mm
	}
	x.ex.warn(fmt.Sprintf("the final %s is not an object", what))
	return nil
}

// value exports one value; ok is false when JSON would omit it (undefined, function, symbol).
func (x *exporter) value(val goja.Value, depth int) (any, bool) {
	switch {
	case val == nil || goja.IsUndefined(val):
		return nil, false
	case goja.IsNull(val):
		return nil, true
	}
	o, isObj := val.(*goja.Object)
	if !isObj {
		return x.primitive(val)
	}
	if depth > maxExportDepth {
		x.warning = fmt.Sprintf("is nested deeper than %d levels; deeper values were dropped", maxExportDepth)
		return nil, true
	}
	for _, r := range x.ex.records {
		if r.obj == o {
			return x.record(r, depth)
		}
	}
	if _, fn := goja.AssertFunction(o); fn {
		return nil, false
	}
	for _, p := range x.path {
		if p == o {
			x.warning = "contains a circular reference; it was replaced by \"[Circular]\""
			return "[Circular]", true
		}
	}
	if x.path == nil {
		x.path = x.v.exportPath[:0] // reuse the runtime's buffer
	}
	x.path = append(x.path, o)
	defer func() { x.path = x.path[:len(x.path)-1] }()

	if tj, ok := goja.AssertFunction(o.Get("toJSON")); ok {
		res, err := tj(o)
		if err != nil {
			panic(err)
		}
		if r, isObj := res.(*goja.Object); isObj && r == o {
			return map[string]any{}, true
		}
		return x.value(res, depth+1)
	}
	switch o.ClassName() {
	case "Array":
		n := o.Get("length").ToInteger()
		out := make([]any, 0, n)
		for i := int64(0); i < n; i++ {
			e, ok := x.value(o.Get(strconv.FormatInt(i, 10)), depth+1)
			if !ok {
				e = nil
			}
			out = append(out, e)
		}
		return out, true
	case "String", "Number", "Boolean":
		if vo, ok := goja.AssertFunction(o.Get("valueOf")); ok {
			if res, err := vo(o); err == nil {
				if _, obj := res.(*goja.Object); !obj {
					return x.primitive(res)
				}
			}
		}
	}
	keys := o.Keys()
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if e, ok := x.value(o.Get(k), depth+1); ok {
			out[k] = e
		}
	}
	return out, true
}

// record exports a top-level dynamic object without converting untouched input values to JS: values
// the rules never touched are shared with the caller's map when they are already plain, and copied
// through normalize otherwise.
func (x *exporter) record(r *record, depth int) (any, bool) {
	if !r.touched() {
		// nothing read, written or deleted: the input map itself is the result when it already holds
		// only plain values (the common case: a rule that passes user or context on untouched)
		if isPlain(r.src, depth) {
			if r.src == nil {
				return map[string]any{}, true
			}
			return r.src, true
		}
		out := make(map[string]any, len(r.src))
		for k, e := range r.src {
			out[k] = plain(e)
		}
		return out, true
	}
	out := make(map[string]any, len(r.src)+len(r.vals))
	for k, e := range r.src {
		if _, set := r.vals[k]; !set && !r.deleted[k] {
			out[k] = plain(e)
		}
	}
	for k, val := range r.vals {
		if e, ok := x.value(val, depth+1); ok {
			out[k] = e
		}
	}
	return out, true
}

// plain returns x itself when it is already made only of plain values (no copy), else normalize(x).
func plain(x any) any {
	if isPlain(x, 0) {
		if f, ok := x.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil
		}
		return x
	}
	return normalize(x)
}

// isPlain reports whether x holds only map[string]any, []any, string, float64 (finite), int64, bool
// and nil, without allocating.
func isPlain(x any, depth int) bool {
	if depth > maxExportDepth {
		return false
	}
	switch t := x.(type) {
	case nil, string, bool, int64:
		return true
	case float64:
		return !math.IsNaN(t) && !math.IsInf(t, 0)
	case map[string]any:
		for _, e := range t {
			if !isPlain(e, depth+1) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range t {
			if !isPlain(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// primitive exports a primitive value.
func (x *exporter) primitive(val goja.Value) (any, bool) {
	switch e := val.Export().(type) {
	case nil:
		return nil, !goja.IsUndefined(val)
	case string, bool, int64:
		return e, true
	case float64:
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return nil, true
		}
		return e, true
	case *goja.Symbol:
		return nil, false
	default:
		return safeString(val), true
	}
}
