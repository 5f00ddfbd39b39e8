package sandbox

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// MaxArrayLength is the longest array (or array-like object) the sandbox lets an Array built-in walk.
// goja walks the holes of a sparse array (`new Array(2**32-1)`) or of `{length: 2**53}` one index at a
// time in Go code, which no interrupt can stop (a million holes take seconds); longer receivers make the
// built-in throw a RangeError instead.
const MaxArrayLength = 1 << 18

// Array.prototype methods that walk their receiver (or its holes) in Go.
var guardedArrayMethods = []string{
	"concat", "copyWithin", "every", "fill", "filter", "find", "findIndex", "findLast", "findLastIndex",
	"flat", "flatMap", "forEach", "includes", "indexOf", "join", "lastIndexOf", "map", "reduce",
	"reduceRight", "reverse", "shift", "slice", "some", "sort", "splice", "toLocaleString", "toReversed",
	"toSorted", "toSpliced", "unshift", "with",
}

// guardLimits are the per-call bounds: maxBytes for what one built-in call may allocate (a quarter
// of Limits.MaxMemoryBytes; unbounded when the watchdog is disabled), maxArray for receivers walked.
type guardLimits struct {
	maxBytes int64
	maxArray int64
}

func (v *vm) guardLimits() guardLimits {
	g := guardLimits{maxBytes: math.MaxInt64, maxArray: MaxArrayLength}
	if m := v.ex.cfg.Limits.MaxMemoryBytes; m > 0 {
		g.maxBytes = m / 4
	}
	return g
}

// installGuards replaces the built-ins that can allocate without bound, or walk without bound, in a
// single uninterruptible Go call with wrappers that check the size first and throw a RangeError
// (code ERR_SANDBOX_LIMIT) when it is over the per-call bound.
func (v *vm) installGuards() error {
	rt := v.rt
	lim := v.guardLimits()
	arrayCtor := rt.Get("Array").(*goja.Object)
	arrayProto := arrayCtor.Get("prototype").(*goja.Object)
	isArray := v.arrayTest()
	for _, name := range guardedArrayMethods {
		name := name
		if err := v.wrapBuiltin(arrayProto, name, func(call *goja.FunctionCall) {
			v.checkArrayLike(call.This, "Array.prototype."+name, lim)
			if name == "concat" {
				for _, a := range call.Arguments {
					if o, ok := a.(*goja.Object); ok && (o.ClassName() == "Array" || isSpreadable(o)) {
						v.checkArrayLike(o, "Array.prototype.concat", lim)
					}
				}
			}
			if name == "flat" {
				v.checkFlat(call, isArray, lim)
			}
			if name == "flatMap" {
				v.guardFlatMap(call, isArray, lim)
			}
			if name == "join" {
				v.checkJoin(call, lim)
			}
		}); err != nil {
			return err
		}
	}
	if err := v.wrapBuiltin(arrayCtor, "from", func(call *goja.FunctionCall) {
		if o, ok := call.Argument(0).(*goja.Object); ok {
			if _, iterable := o.GetSymbol(goja.SymIterator).(*goja.Object); !iterable || o.ClassName() == "Array" {
				v.checkArrayLike(o, "Array.from", lim)
			}
		}
	}); err != nil {
		return err
	}

	stringProto := rt.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	stringChecks := map[string]func(*goja.FunctionCall){
		"repeat": func(call *goja.FunctionCall) {
			s := v.thisString(call)
			n := call.Argument(0).ToNumber()
			call.Arguments = []goja.Value{n}
			v.checkBytes("String.prototype.repeat", float64(len(s))*n.ToFloat(), lim)
		},
		"padStart": func(call *goja.FunctionCall) { v.checkPad(call, "String.prototype.padStart", lim) },
		"padEnd":   func(call *goja.FunctionCall) { v.checkPad(call, "String.prototype.padEnd", lim) },
		"split": func(call *goja.FunctionCall) {
			s := v.thisString(call)
			parts := float64(len(s) + 1)
			if sep := call.Argument(0); goja.IsString(sep) && sep.String() != "" {
				parts = float64(strings.Count(s, sep.String()) + 1)
			}
			if l := call.Argument(1); !goja.IsUndefined(l) {
				if n := l.ToNumber().ToFloat(); n >= 0 && n < parts {
					parts = n
				}
			}
			v.checkBytes("String.prototype.split", parts*48, lim)
		},
		"replace":    func(call *goja.FunctionCall) { v.checkReplace(call, "String.prototype.replace", false, lim) },
		"replaceAll": func(call *goja.FunctionCall) { v.checkReplace(call, "String.prototype.replaceAll", true, lim) },
	}
	for _, name := range []string{"repeat", "padStart", "padEnd", "split", "replace", "replaceAll"} {
		if err := v.wrapBuiltin(stringProto, name, stringChecks[name]); err != nil {
			return err
		}
	}
	if err := v.guardCallArguments(lim); err != nil {
		return err
	}
	if err := v.guardIterators(); err != nil {
		return err
	}
	if err := v.guardJSON(lim); err != nil {
		return err
	}
	if err := v.guardBinaryConstructors(lim); err != nil {
		return err
	}
	return v.guardSources()
}

// checkStop throws when the execution has been asked to stop. goja checks its interrupt flag only
// between JS instructions; built-ins that loop in Go over an iterator (spread, destructuring,
// new Set(iterable), Promise.all, Array.from, for-of over a sparse array) call these wrappers on every
// step, which makes them stop at the deadline (and for the memory watchdog) too.
func (v *vm) checkStop() {
	if ex := v.cur; ex != nil && ex.stopFlag.Load() {
		panic(v.newError("ERR_EXECUTION_STOPPED", "the execution was stopped"))
	}
}

// guardIterators wraps next of the array (and typed array) and string iterators with checkStop, and
// bounds matchAll, whose iterator allocates a match object per step.
func (v *vm) guardIterators() error {
	protos, err := v.rt.RunProgram(iteratorProtosProgram)
	if err != nil {
		return err
	}
	list, ok := protos.(*goja.Object)
	if !ok {
		return fmt.Errorf("sandbox: iterator prototypes: unexpected %v", protos)
	}
	for i := int64(0); i < list.Get("length").ToInteger(); i++ {
		proto, ok := list.Get(strconv.FormatInt(i, 10)).(*goja.Object)
		if !ok {
			continue
		}
		if err := v.wrapBuiltin(proto, "next", func(*goja.FunctionCall) { v.checkStop() }); err != nil {
			return err
		}
	}
	lim := v.guardLimits()
	matchAll := func(call *goja.FunctionCall, s string) {
		// every step of a matchAll iterator makes a match array (about 128 bytes), up to one per position
		v.checkBytes("matchAll", float64(len(s)+1)*64, lim)
	}
	stringProto := v.rt.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	if err := v.wrapBuiltin(stringProto, "matchAll", func(call *goja.FunctionCall) { matchAll(call, v.thisString(call)) }); err != nil {
		return err
	}
	regexpProto := v.rt.Get("RegExp").(*goja.Object).Get("prototype").(*goja.Object)
	return v.wrapBuiltinSymbol(regexpProto, goja.SymMatchAll, "[Symbol.matchAll]", func(call *goja.FunctionCall) {
		s := call.Argument(0).String()
		call.Arguments = []goja.Value{v.rt.ToValue(s)}
		matchAll(call, s)
	})
}

// wrapBuiltinSymbol is wrapBuiltin for a symbol-keyed method.
func (v *vm) wrapBuiltinSymbol(obj *goja.Object, sym *goja.Symbol, name string, check func(*goja.FunctionCall)) error {
	origVal := obj.GetSymbol(sym)
	orig, ok := goja.AssertFunction(origVal)
	if !ok {
		return nil
	}
	w := v.nativeFunc(name, int(origVal.(*goja.Object).Get("length").ToInteger()), func(call goja.FunctionCall) goja.Value {
		v.checkStop()
		check(&call)
		res, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return res
	})
	return obj.DefineDataPropertySymbol(sym, w, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// iteratorProtosProgram lists the prototypes of the built-in iterators.
var iteratorProtosProgram = mustCompileInternal("<sandbox:iterators>", `[
  Object.getPrototypeOf([][Symbol.iterator]()),
  Object.getPrototypeOf(''[Symbol.iterator]()),
]`)

// guardCallArguments bounds the argument lists that Function.prototype.apply, Reflect.apply and
// Reflect.construct build in Go from an array-like (goja allocates its whole length up front).
func (v *vm) guardCallArguments(lim guardLimits) error {
	fnProto := v.rt.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
	if err := v.wrapBuiltin(fnProto, "apply", func(call *goja.FunctionCall) {
		v.checkArrayLike(call.Argument(1), "Function.prototype.apply", lim)
	}); err != nil {
		return err
	}
	reflect := v.rt.Get("Reflect").(*goja.Object)
	if err := v.wrapBuiltin(reflect, "apply", func(call *goja.FunctionCall) {
		v.checkArrayLike(call.Argument(2), "Reflect.apply", lim)
	}); err != nil {
		return err
	}
	return v.wrapBuiltin(reflect, "construct", func(call *goja.FunctionCall) {
		v.checkArrayLike(call.Argument(1), "Reflect.construct", lim)
	})
}

// guardJSON bounds the arrays JSON.stringify walks (it visits every index of a sparse array in Go).
// The check rides on a replacer function, so it sees exactly the values being serialised (after
// toJSON, after the caller's own replacer); a property-list replacer is kept and the value is scanned
// beforehand instead.
func (v *vm) guardJSON(lim guardLimits) error {
	json := v.rt.Get("JSON").(*goja.Object)
	origVal := json.Get("stringify")
	orig, ok := goja.AssertFunction(origVal)
	if !ok {
		return nil
	}
	isArray, _ := goja.AssertFunction(v.rt.Get("Array").(*goja.Object).Get("isArray"))
	checkValue := func(val goja.Value) {
		o, ok := val.(*goja.Object)
		if !ok {
			return
		}
		if o.ClassName() != "Array" {
			res, err := isArray(goja.Undefined(), o)
			if err != nil || !res.ToBoolean() {
				return
			}
		}
		v.checkArrayLike(o, "JSON.stringify", lim)
	}
	var plainReplacer goja.Value
	w := v.nativeFunc("stringify", 3, func(call goja.FunctionCall) goja.Value {
		v.checkStop()
		value, replacer, space := call.Argument(0), call.Argument(1), call.Argument(2)
		var rep goja.Value
		if userFn, ok := goja.AssertFunction(replacer); ok {
			rep = v.rt.ToValue(func(c goja.FunctionCall) goja.Value {
				v.checkStop()
				res, err := userFn(c.This, c.Arguments...)
				if err != nil {
					panic(err)
				}
				checkValue(res)
				return res
			})
		} else if o, isObj := replacer.(*goja.Object); isObj && o.ClassName() == "Array" {
			v.scanArrays(value, checkValue)
			rep = replacer
		} else {
			if plainReplacer == nil {
				plainReplacer = v.rt.ToValue(func(c goja.FunctionCall) goja.Value {
					// goja walks nested values in Go (its cycle check alone is quadratic in the
					// depth): this call per value is where the walk can stop.
					v.checkStop()
					val := c.Argument(1)
					checkValue(val)
					return val
				})
			}
			rep = plainReplacer
		}
		res, err := orig(call.This, value, rep, space)
		if err != nil {
			panic(err)
		}
		return res
	})
	v.jsonStringify, _ = goja.AssertFunction(w)
	return json.DefineDataProperty("stringify", w, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// scanArrays visits the objects reachable from val through own enumerable properties (each once) and
// calls check on each.
func (v *vm) scanArrays(val goja.Value, check func(goja.Value)) {
	seen := make(map[*goja.Object]bool)
	stack := []goja.Value{val}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		o, ok := cur.(*goja.Object)
		if !ok || seen[o] {
			continue
		}
		seen[o] = true
		check(o)
		for _, k := range o.Keys() {
			if e, ok := o.Get(k).(*goja.Object); ok {
				stack = append(stack, e)
			}
		}
	}
}

// wrapBuiltin replaces obj[name] with a native function that runs check (which may rewrite the
// arguments to already-converted primitives, so user conversions run once) and then the original.
// A missing built-in is left alone.
func (v *vm) wrapBuiltin(obj *goja.Object, name string, check func(*goja.FunctionCall)) error {
	origVal := obj.Get(name)
	orig, ok := goja.AssertFunction(origVal)
	if !ok {
		return nil
	}
	length := int(origVal.(*goja.Object).Get("length").ToInteger())
	w := v.nativeFunc(name, length, func(call goja.FunctionCall) goja.Value {
		v.checkStop()
		check(&call)
		res, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return res
	})
	return obj.DefineDataProperty(name, w, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// limitError throws the RangeError of a per-call bound.
func (v *vm) limitError(what, detail string) {
	e := v.rt.NewObject()
	if ctor, ok := v.rt.Get("RangeError").(*goja.Object); ok {
		if obj, err := v.rt.New(ctor, v.rt.ToValue(what+": "+detail)); err == nil {
			e = obj
		}
	}
	_ = e.Set("code", "ERR_SANDBOX_LIMIT")
	panic(e)
}

// checkBytes throws when an estimated allocation (in UTF-16 units, two bytes each) is over bound.
func (v *vm) checkBytes(what string, units float64, lim guardLimits) {
	if units*2 > float64(lim.maxBytes) { // false for NaN: the built-in treats it as 0
		v.limitError(what, fmt.Sprintf("the result would need about %s, over the sandbox limit of %s per call", humanBytes(units*2), humanBytes(float64(lim.maxBytes))))
	}
}

// checkArrayLike throws when a receiver's length is over the walk bound.
func (v *vm) checkArrayLike(val goja.Value, what string, lim guardLimits) {
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return
	}
	o, ok := val.(*goja.Object)
	if !ok {
		return
	}
	v.refuseProxy(o, what)
	n := o.Get("length")
	if n == nil {
		return
	}
	if l := n.ToFloat(); l > float64(lim.maxArray) {
		v.limitError(what, fmt.Sprintf("length %s is over the sandbox limit of %d elements", strconv.FormatFloat(l, 'f', -1, 64), lim.maxArray))
	}
}

// proxyType is the export type of every goja Proxy object.
var proxyType = reflect.TypeOf(goja.Proxy{})

// refuseProxy throws when o is a Proxy: a guard reads its length once and the built-in reads it
// again, and a trap can answer differently the second time.
func (v *vm) refuseProxy(o *goja.Object, what string) {
	if o.ExportType() == proxyType {
		v.limitError(what, "a Proxy's length cannot be checked ahead of the call (its traps may answer differently later); copy it into an array first ([...p] or Array.from(p))")
	}
}

// checkJoin bounds the length of a join's result: the elements' lengths plus the separators.
func (v *vm) checkJoin(call *goja.FunctionCall, lim guardLimits) {
	o, ok := call.This.(*goja.Object)
	if !ok {
		return
	}
	v.refuseProxy(o, "Array.prototype.join")
	n := o.Get("length").ToInteger()
	sepLen := int64(1)
	if sep := call.Argument(0); !goja.IsUndefined(sep) {
		s := sep.String()
		call.Arguments = []goja.Value{v.rt.ToValue(s)}
		sepLen = int64(len(s))
	}
	total := float64(n) * float64(sepLen)
	for i := int64(0); i < n && total*2 <= float64(lim.maxBytes); i++ {
		if e := o.Get(strconv.FormatInt(i, 10)); e != nil && goja.IsString(e) {
			total += float64(len(e.String()))
		} else {
			total += 24
		}
	}
	v.checkBytes("Array.prototype.join", total, lim)
}

// thisString converts the receiver of a String method once and passes the primitive on.
func (v *vm) thisString(call *goja.FunctionCall) string {
	if goja.IsUndefined(call.This) || goja.IsNull(call.This) {
		panic(v.rt.NewTypeError("String.prototype method called on null or undefined"))
	}
	s := call.This.String()
	if !goja.IsString(call.This) {
		call.This = v.rt.ToValue(s)
	}
	return s
}

// checkPad bounds padStart/padEnd by the target length.
func (v *vm) checkPad(call *goja.FunctionCall, what string, lim guardLimits) {
	v.thisString(call)
	n := call.Argument(0).ToNumber()
	args := []goja.Value{n}
	if len(call.Arguments) > 1 {
		args = append(args, call.Arguments[1:]...)
	}
	call.Arguments = args
	v.checkBytes(what, n.ToFloat(), lim)
}

// checkReplace bounds replace/replaceAll with a string replacement: every occurrence adds the
// replacement, and $&/$n/$' /$` patterns can add the input again.
func (v *vm) checkReplace(call *goja.FunctionCall, what string, all bool, lim guardLimits) {
	repl := call.Argument(1)
	if _, isFn := goja.AssertFunction(repl); isFn {
		return
	}
	pattern := call.Argument(0)
	s := v.thisString(call)
	r := repl.String()
	global := all
	occ := 1.0
	if p, isObj := pattern.(*goja.Object); isObj && p.ClassName() == "RegExp" {
		if f := p.Get("flags"); f != nil && strings.Contains(f.String(), "g") {
			global = true
		}
		if global {
			occ = float64(len(s) + 1)
		}
	} else {
		ps := pattern.String()
		pattern = v.rt.ToValue(ps)
		if global {
			if ps == "" {
				occ = float64(len(s) + 1)
			} else {
				occ = float64(strings.Count(s, ps))
			}
		}
	}
	call.Arguments = []goja.Value{pattern, v.rt.ToValue(r)}
	matchRefs := float64(strings.Count(r, "$&") + strings.Count(r, "$<"))
	for d := '0'; d <= '9'; d++ {
		matchRefs += float64(strings.Count(r, "$"+string(d)))
	}
	affixRefs := float64(strings.Count(r, "$'") + strings.Count(r, "$`"))
	n := float64(len(s))
	v.checkBytes(what, n+occ*float64(len(r))+matchRefs*n+affixRefs*occ*n, lim)
}

// humanBytes renders a byte count for messages.
func humanBytes(b float64) string {
	switch {
	case math.IsInf(b, 0) || math.IsNaN(b):
		return "an unbounded amount"
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", b/(1<<10))
}

// binaryConstructors are the globals that allocate binary memory.
var binaryConstructors = []string{"ArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
	"Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"}

// guardBinaryConstructors replaces ArrayBuffer and the typed array constructors by proxies whose
// (native) construct trap checks the size first. prototype.constructor is pointed at the proxy so that
// species lookups and x.constructor cannot reach the unchecked class, and goja's instanceof, which
// does not see through a proxy of a function, gets a Symbol.hasInstance that maps the proxy back to
// its class.
func (v *vm) guardBinaryConstructors(lim guardLimits) error {
	g := v.rt.GlobalObject()
	for _, name := range binaryConstructors {
		c, ok := g.Get(name).(*goja.Object)
		if !ok {
			continue
		}
		size := 1.0
		if n := c.Get("BYTES_PER_ELEMENT"); n != nil && !goja.IsUndefined(n) {
			size = n.ToFloat()
		}
		name := name
		p, err := v.guardedProxy(c, name, func(args []goja.Value) {
			var a0 goja.Value = goja.Undefined()
			if len(args) > 0 {
				a0 = args[0]
			}
			v.checkBinarySize(name, a0, size, lim)
		}, false)
		if err != nil {
			return err
		}
		if err := g.DefineDataProperty(name, p, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			return err
		}
	}
	return nil
}

// guardedProxy returns a proxy of the class c that runs check on the arguments of every construction
// (and, with callable, of every call) before forwarding to c.
func (v *vm) guardedProxy(c *goja.Object, name string, check func([]goja.Value), callable bool) (*goja.Object, error) {
	return v.rewritingProxy(c, name, func(args []goja.Value) []goja.Value { check(args); return args }, callable)
}

// rewritingProxy is guardedProxy whose check returns the arguments to forward.
func (v *vm) rewritingProxy(c *goja.Object, name string, check func([]goja.Value) []goja.Value, callable bool) (*goja.Object, error) {
	ctor, ok := goja.AssertConstructor(c)
	if !ok {
		return nil, fmt.Errorf("sandbox: %s is not a constructor", name)
	}
	var p *goja.Object
	traps := &goja.ProxyTrapConfig{
		Construct: func(target *goja.Object, args []goja.Value, newTarget *goja.Object) *goja.Object {
			v.checkStop()
			args = check(args)
			if newTarget == p {
				newTarget = target
			}
			obj, err := ctor(newTarget, args...)
			if err != nil {
				panic(err)
			}
			return obj
		},
	}
	if callable {
		fn, _ := goja.AssertFunction(c)
		traps.Apply = func(target *goja.Object, this goja.Value, args []goja.Value) goja.Value {
			v.checkStop()
			args = check(args)
			res, err := fn(this, args...)
			if err != nil {
				panic(err)
			}
			return res
		}
	}
	p = v.rt.ToValue(v.rt.NewProxy(c, traps)).(*goja.Object)
	if proto, ok := c.Get("prototype").(*goja.Object); ok {
		if err := proto.DefineDataProperty("constructor", p, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			return nil, err
		}
	}
	if v.proxied == nil {
		v.proxied = make(map[*goja.Object]*goja.Object)
		fph, _ := goja.AssertFunction(v.rt.Get("Function").(*goja.Object).Get("prototype").(*goja.Object).GetSymbol(goja.SymHasInstance))
		v.hasInstance = v.nativeFunc("[Symbol.hasInstance]", 1, func(call goja.FunctionCall) goja.Value {
			this := call.This
			if o, ok := this.(*goja.Object); ok {
				if t, ok := v.proxied[o]; ok {
					this = t
				}
			}
			res, err := fph(this, call.Argument(0))
			if err != nil {
				panic(err)
			}
			return res
		})
	}
	v.proxied[p] = c
	if err := c.DefineDataPropertySymbol(goja.SymHasInstance, v.hasInstance, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
		return nil, err
	}
	return p, nil
}

// checkBinarySize bounds a binary allocation given a length or an array-like to copy.
func (v *vm) checkBinarySize(what string, arg goja.Value, elemSize float64, lim guardLimits) {
	var n float64
	switch {
	case arg == nil || goja.IsUndefined(arg) || goja.IsNull(arg):
		return
	case goja.IsNumber(arg):
		n = arg.ToFloat()
	default:
		o, ok := arg.(*goja.Object)
		if !ok {
			return
		}
		if o.ClassName() == "ArrayBuffer" {
			return
		}
		if l := o.Get("length"); l != nil && goja.IsNumber(l) {
			n = l.ToFloat()
		}
	}
	if n*elemSize > float64(lim.maxBytes) {
		v.limitError(what, fmt.Sprintf("%s would be over the sandbox limit of %s per allocation", humanBytes(n*elemSize), humanBytes(float64(lim.maxBytes))))
	}
}

// guardBuffer bounds Buffer's allocating functions and returns the guarded Buffer global.
func (v *vm) guardBuffer(b goja.Value) goja.Value {
	o, ok := b.(*goja.Object)
	if !ok {
		return b
	}
	lim := v.guardLimits()
	for _, name := range []string{"alloc", "allocUnsafe", "allocUnsafeSlow"} {
		name := name
		_ = v.wrapBuiltin(o, name, func(call *goja.FunctionCall) {
			v.checkBinarySize("Buffer."+name, call.Argument(0), 1, lim)
		})
	}
	_ = v.wrapBuiltin(o, "concat", func(call *goja.FunctionCall) {
		v.checkBinarySize("Buffer.concat", call.Argument(1), 1, lim)
	})
	_ = v.wrapBuiltin(o, "from", func(call *goja.FunctionCall) {
		v.checkBinarySize("Buffer.from", call.Argument(0), 1, lim)
	})
	p, err := v.guardedProxy(o, "Buffer", func(args []goja.Value) {
		if len(args) > 0 {
			v.checkBinarySize("Buffer", args[0], 1, lim)
		}
	}, true)
	if err != nil {
		return b
	}
	return p
}
