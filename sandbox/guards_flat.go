package sandbox

import (
	"fmt"
	"math"
	"strconv"

	"github.com/dop251/goja"
)

// isSpreadable reports whether concat spreads o although it is no array (Symbol.isConcatSpreadable).
func isSpreadable(o *goja.Object) bool {
	s := o.GetSymbol(goja.SymIsConcatSpreadable)
	return s != nil && s.ToBoolean()
}

// arrayTest returns Array.isArray as installed when the runtime was built (a rule may replace the
// global one): true for arrays and proxies of arrays.
func (v *vm) arrayTest() func(*goja.Object) bool {
	isArray, _ := goja.AssertFunction(v.rt.Get("Array").(*goja.Object).Get("isArray"))
	return func(o *goja.Object) bool {
		if o.ClassName() == "Array" {
			return true
		}
		if isArray == nil {
			return false
		}
		r, err := isArray(goja.Undefined(), o)
		return err == nil && r.ToBoolean()
	}
}

// checkFlat bounds what Array.prototype.flat walks in Go: the lengths of the receiver and of every
// nested array within the requested depth (holes included) count towards MaxArrayLength, so a
// nested sparse array or a shared sub-array flattened to Infinity is refused before the walk.
func (v *vm) checkFlat(call *goja.FunctionCall, isArray func(*goja.Object) bool, lim guardLimits) {
	o, ok := call.This.(*goja.Object)
	if !ok {
		return
	}
	depth := 1.0
	if d := call.Argument(0); !goja.IsUndefined(d) {
		if depth = d.ToNumber().ToFloat(); math.IsNaN(depth) {
			depth = 0
		}
	}
	budget := float64(lim.maxArray)
	var walk func(a *goja.Object, d float64)
	walk = func(a *goja.Object, d float64) {
		v.checkStop()
		v.refuseProxy(a, "Array.prototype.flat")
		n := 0.0
		if l := a.Get("length"); l != nil {
			n = l.ToNumber().ToFloat()
		}
		if budget -= n; budget < 0 || math.IsNaN(n) {
			v.limitError("Array.prototype.flat", fmt.Sprintf("the flattened arrays are over the sandbox limit of %d elements", lim.maxArray))
		}
		if d < 1 {
			return
		}
		for i := int64(0); float64(i) < n; i++ {
			if el, ok := a.Get(strconv.FormatInt(i, 10)).(*goja.Object); ok && isArray(el) {
				walk(el, d-1)
			}
		}
	}
	walk(o, depth)
}

// guardFlatMap makes flatMap check each array its callback returns (goja walks it, holes
// included, in Go) against MaxArrayLength.
func (v *vm) guardFlatMap(call *goja.FunctionCall, isArray func(*goja.Object) bool, lim guardLimits) {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		return
	}
	args := append([]goja.Value{v.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		res, err := fn(c.This, c.Arguments...)
		if err != nil {
			panic(err)
		}
		if o, ok := res.(*goja.Object); ok && isArray(o) {
			v.checkArrayLike(o, "Array.prototype.flatMap", lim)
		}
		return res
	})}, call.Arguments[1:]...)
	call.Arguments = args
}
