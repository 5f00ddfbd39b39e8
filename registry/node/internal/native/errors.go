package native

import (
	"fmt"
	"math"
	"strings"

	"github.com/dop251/goja"
	nodeerrors "github.com/dop251/goja_nodejs/errors"
)

// Node.js error codes used by verq's core modules.
const (
	ErrInvalidArgType  = "ERR_INVALID_ARG_TYPE"
	ErrInvalidArgValue = "ERR_INVALID_ARG_VALUE"
	ErrOutOfRange      = "ERR_OUT_OF_RANGE"
	ErrUnknownEncoding = "ERR_UNKNOWN_ENCODING"
)

// NewError returns a new instance of the global error constructor ctorName ("Error", "TypeError",
// "RangeError") with message msg and Node's enumerable code property (String(err) then reads
// "TypeError [CODE]: msg", as in Node.js). An empty code leaves the property out.
func NewError(rt *goja.Runtime, ctorName, code, msg string) *goja.Object {
	ctor, _ := rt.Get(ctorName).(*goja.Object)
	if code == "" {
		if ctor == nil {
			return rt.NewTypeError(msg)
		}
		o, err := rt.New(ctor, rt.ToValue(msg))
		Throw(err)
		return o
	}
	return nodeerrors.NewError(rt, ctor, code, "%s", msg)
}

// ArgTypeError is Node's ERR_INVALID_ARG_TYPE: `The "name" argument must be <expected>. Received …`.
// expected is the phrase after "must be", e.g. "of type string" or "an instance of Buffer".
func ArgTypeError(rt *goja.Runtime, name, expected string, actual goja.Value) *goja.Object {
	what := "argument"
	if strings.Contains(name, ".") {
		what = "property"
	}
	return NewError(rt, "TypeError", ErrInvalidArgType,
		fmt.Sprintf("The %q %s must be %s. Received %s", name, what, expected, Describe(actual)))
}

// OutOfRange is Node's ERR_OUT_OF_RANGE: `The value of "name" is out of range. It must be <rng>. Received <v>`.
func OutOfRange(rt *goja.Runtime, name, rng string, actual goja.Value) *goja.Object {
	return NewError(rt, "RangeError", ErrOutOfRange,
		fmt.Sprintf("The value of %q is out of range. It must be %s. Received %s", name, rng, formatReceivedNumber(actual)))
}

// formatReceivedNumber renders a number the way Node's ERR_OUT_OF_RANGE does: integers beyond
// 2**32 get underscores as thousands separators.
func formatReceivedNumber(v goja.Value) string {
	if !goja.IsNumber(v) {
		return InspectPrimitive(v)
	}
	f := v.ToFloat()
	if f == math.Trunc(f) && math.Abs(f) > 1<<32 && !math.IsInf(f, 0) {
		s := v.String()
		if strings.ContainsAny(s, "e.") {
			return s
		}
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
		}
		if neg {
			return "-" + b.String()
		}
		return b.String()
	}
	return InspectPrimitive(v)
}

// Describe renders a received value the way Node's argument errors do: "undefined", "null",
// "function f", "an instance of Foo" or "type number (42)".
func Describe(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if goja.IsNull(v) {
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(o); isFn {
			if n := o.Get("name"); n != nil && goja.IsString(n) && n.String() != "" {
				return "function " + n.String()
			}
			return "type function ([Function (anonymous)])"
		}
		if c, ok := o.Get("constructor").(*goja.Object); ok {
			if n := c.Get("name"); n != nil && goja.IsString(n) && n.String() != "" {
				return "an instance of " + n.String()
			}
		}
		return "[Object: null prototype]"
	}
	s := InspectPrimitive(v)
	if len([]rune(s)) > 28 {
		s = string([]rune(s)[:25]) + "..."
	}
	return fmt.Sprintf("type %s (%s)", TypeOf(v), s)
}

// TypeOf is JavaScript's typeof for v.
func TypeOf(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "object"
	case goja.IsString(v):
		return "string"
	case goja.IsNumber(v):
		return "number"
	case goja.IsBigInt(v):
		return "bigint"
	}
	switch v.(type) {
	case *goja.Symbol:
		return "symbol"
	case *goja.Object:
		if _, ok := goja.AssertFunction(v); ok {
			return "function"
		}
		return "object"
	}
	if _, ok := v.Export().(bool); ok {
		return "boolean"
	}
	return "object"
}

// InspectPrimitive renders a primitive the way util.inspect does: strings quoted and escaped,
// -0 as "-0", bigints with an "n" suffix.
func InspectPrimitive(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case goja.IsString(v):
		return QuoteString(v.String())
	case goja.IsNumber(v):
		return FormatNumber(v)
	case goja.IsBigInt(v):
		return v.String() + "n"
	}
	return v.String()
}

// FormatNumber is a number's ToString, except that negative zero is "-0".
func FormatNumber(v goja.Value) string {
	f := v.ToFloat()
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	return v.String()
}

// ToJSString converts v to a JavaScript string value the way String(v) does (objects through
// their toString), keeping UTF-16 content intact when v already is a string. A symbol throws a
// TypeError, as in JavaScript.
func ToJSString(rt *goja.Runtime, v goja.Value) goja.String {
	if s, ok := v.(goja.String); ok {
		return s
	}
	if _, ok := v.(*goja.Symbol); ok {
		panic(rt.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	if v == nil {
		v = goja.Undefined()
	}
	s, _ := rt.ToValue(v.String()).(goja.String)
	return s
}
