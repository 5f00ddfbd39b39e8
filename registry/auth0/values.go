package auth0

import "github.com/dop251/goja"

// Small helpers reproducing JavaScript's typeof/truthiness checks on goja values.

func isNullish(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}

// isFunction is typeof v === 'function' (without allocating a Callable).
func isFunction(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ClassName() == "Function"
}

// isObject is typeof v === 'object' && v !== null.
func isObject(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ClassName() != "Function"
}

// prop is o[k], with undefined for a missing property.
func prop(o *goja.Object, k string) goja.Value {
	if v := o.Get(k); v != nil {
		return v
	}
	return goja.Undefined()
}

// isString is typeof v === 'string'.
func isString(v goja.Value) bool { return v != nil && goja.IsString(v) }

// isBool is typeof v === 'boolean'.
func isBool(v goja.Value) bool {
	if v == nil {
		return false
	}
	if _, obj := v.(*goja.Object); obj {
		return false
	}
	_, ok := v.Export().(bool)
	return ok
}

// isNumber is typeof v === 'number'.
func isNumber(v goja.Value) bool { return v != nil && goja.IsNumber(v) }

func truthy(v goja.Value) bool {
	return v != nil && v.ToBoolean()
}

// get reads v[key] the way JavaScript does for objects and primitives; nullish v yields undefined.
func get(rt *goja.Runtime, v goja.Value, key string) goja.Value {
	if isNullish(v) {
		return goja.Undefined()
	}
	o, ok := v.(*goja.Object)
	if !ok {
		o = v.ToObject(rt)
	}
	r := o.Get(key)
	if r == nil {
		return goja.Undefined()
	}
	return r
}

// nullishName is how V8 names a nullish value in "Cannot read properties of …".
func nullishName(v goja.Value) string {
	if v != nil && goja.IsNull(v) {
		return "null"
	}
	return "undefined"
}
