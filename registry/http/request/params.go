package request

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry/http/internal/jshttp"
)

// initParams is request's initParams(uri, options, callback): it folds the three call shapes
// (url, options object, both) into one options object carrying uri and callback.
func initParams(rt *goja.Runtime, args []goja.Value) *goja.Object {
	arg := func(i int) goja.Value {
		if i < len(args) {
			return args[i]
		}
		return goja.Undefined()
	}
	uri, options, callback := arg(0), arg(1), arg(2)
	if _, ok := goja.AssertFunction(options); ok {
		callback = options
	}
	params := rt.NewObject()
	if o, ok := options.(*goja.Object); ok && !isFunction(options) {
		copyProps(params, o)
		params.Set("uri", uri)
	} else if s, ok := uri.Export().(string); ok {
		params.Set("uri", s)
	} else if o, ok := uri.(*goja.Object); ok {
		copyProps(params, o)
	}
	if isFunction(callback) {
		params.Set("callback", callback)
	}
	return params
}

func isFunction(v goja.Value) bool {
	_, ok := goja.AssertFunction(v)
	return ok
}

func copyProps(dst, src *goja.Object) {
	for _, k := range src.Keys() {
		dst.Set(k, src.Get(k))
	}
}

// isPlain reports whether v is a plain object (not an array, function, Date, Buffer, …) that a
// deep merge descends into.
func isPlain(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() != "Object" || isFunction(v) {
		return nil, false
	}
	return o, true
}

// mergeOptions is request's extend(true, {}, defaults, params): a deep merge of plain objects,
// params winning; neither input is modified. defaults may be nil.
func mergeOptions(rt *goja.Runtime, defaults, params *goja.Object) *goja.Object {
	out := rt.NewObject()
	if defaults != nil {
		deepAssign(rt, out, defaults, 0)
	}
	deepAssign(rt, out, params, 0)
	return out
}

// maxMergeDepth bounds the nesting deepAssign follows: a cyclic or very deep options object
// throws a RangeError (as request's recursive extend does in Node) instead of growing the Go stack
// until the process dies.
const maxMergeDepth = 1000

func deepAssign(rt *goja.Runtime, dst, src *goja.Object, depth int) {
	if depth > maxMergeDepth {
		panic(jshttp.RangeError(rt, "Maximum call stack size exceeded"))
	}
	for _, k := range src.Keys() {
		v := src.Get(k)
		if goja.IsUndefined(v) {
			continue
		}
		if so, ok := isPlain(v); ok {
			child, ok := isPlain(dst.Get(k))
			if !ok {
				child = rt.NewObject()
			} else {
				fresh := rt.NewObject()
				deepAssign(rt, fresh, child, depth+1)
				child = fresh
			}
			deepAssign(rt, child, so, depth+1)
			dst.Set(k, child)
			continue
		}
		dst.Set(k, v)
	}
}
