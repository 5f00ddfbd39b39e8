package sandbox

import (
	"fmt"
	"math"
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
	for _, name := range guardedArrayMethods {
		name := name
		if err := v.wrapBuiltin(arrayProto, name, func(call *goja.FunctionCall) {
			v.checkArrayLike(call.This, "Array.prototype."+name, lim)
			if name == "concat" {
				for _, a := range call.Arguments {
					if o, ok := a.(*goja.Object); ok && o.ClassName() == "Array" {
						v.checkArrayLike(o, "Array.prototype.concat", lim)
					}
				}
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
			if _, iterable := o.GetSymbol(goja.SymIterator).(*goja.Object); !iterable {
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
	return v.guardBinaryConstructors(lim)
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
	n := o.Get("length")
	if n == nil {
		return
	}
	if l := n.ToFloat(); l > float64(lim.maxArray) {
		v.limitError(what, fmt.Sprintf("length %s is over the sandbox limit of %d elements", strconv.FormatFloat(l, 'f', -1, 64), lim.maxArray))
	}
}

// checkJoin bounds the length of a join's result: the elements' lengths plus the separators.
func (v *vm) checkJoin(call *goja.FunctionCall, lim guardLimits) {
	o, ok := call.This.(*goja.Object)
	if !ok {
		return
	}
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

// binaryGuardSource wraps ArrayBuffer and the typed array constructors in proxies whose construct trap
// checks the size first; prototype.constructor is pointed at the proxy so that species lookups and
// `x.constructor` cannot reach the unchecked original. goja's instanceof does not see through a proxy
// of a function, so each class gets a Symbol.hasInstance that maps the proxy back to the class.
const binaryGuardSource = `(function (check) {
  'use strict';
  var ordinaryHasInstance = Function.prototype[Symbol.hasInstance];
  var names = ['ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
    'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
    'BigInt64Array', 'BigUint64Array'];
  names.forEach(function (name) {
    var C = globalThis[name];
    if (typeof C !== 'function') return;
    var size = name === 'ArrayBuffer' ? 1 : C.BYTES_PER_ELEMENT;
    var P = new Proxy(C, {
      construct: function (target, args, newTarget) {
        check(name, args[0], size);
        return Reflect.construct(target, args, newTarget === P ? target : newTarget);
      }
    });
    Object.defineProperty(C.prototype, 'constructor', { value: P, writable: true, enumerable: false, configurable: true });
    Object.defineProperty(C, Symbol.hasInstance, {
      value: function (x) { return ordinaryHasInstance.call(this === P ? C : this, x); },
      writable: true, enumerable: false, configurable: true
    });
    Object.defineProperty(globalThis, name, { value: P, writable: true, enumerable: false, configurable: true });
  });
})`

var binaryGuardProgram = mustCompileInternal("<sandbox:guards>", binaryGuardSource)

// guardBinaryConstructors installs the binary constructor proxies.
func (v *vm) guardBinaryConstructors(lim guardLimits) error {
	fnVal, err := v.rt.RunProgram(binaryGuardProgram)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(fnVal)
	check := v.nativeFunc("check", 3, func(call goja.FunctionCall) goja.Value {
		v.checkBinarySize(call.Argument(0).String(), call.Argument(1), call.Argument(2).ToFloat(), lim)
		return goja.Undefined()
	})
	_, err = fn(goja.Undefined(), check)
	return err
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

// bufferGuardSource wraps the Buffer constructor in a proxy that checks array-like arguments first
// (with the Symbol.hasInstance fix of binaryGuardSource).
const bufferGuardSource = `(function (B, check) {
  'use strict';
  var ordinaryHasInstance = Function.prototype[Symbol.hasInstance];
  var P = new Proxy(B, {
    apply: function (target, self, args) { check('Buffer', args[0], 1); return Reflect.apply(target, self, args); },
    construct: function (target, args, newTarget) {
      check('Buffer', args[0], 1);
      return Reflect.construct(target, args, newTarget === P ? target : newTarget);
    }
  });
  Object.defineProperty(B.prototype, 'constructor', { value: P, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(B, Symbol.hasInstance, {
    value: function (x) { return ordinaryHasInstance.call(this === P ? B : this, x); },
    writable: true, enumerable: false, configurable: true
  });
  return P;
})`

var bufferGuardProgram = mustCompileInternal("<sandbox:buffer>", bufferGuardSource)

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
	check := v.nativeFunc("check", 3, func(call goja.FunctionCall) goja.Value {
		v.checkBinarySize(call.Argument(0).String(), call.Argument(1), call.Argument(2).ToFloat(), lim)
		return goja.Undefined()
	})
	fnVal, err := v.rt.RunProgram(bufferGuardProgram)
	if err != nil {
		return b
	}
	fn, _ := goja.AssertFunction(fnVal)
	p, err := fn(goja.Undefined(), o, check)
	if err != nil {
		return b
	}
	return p
}
