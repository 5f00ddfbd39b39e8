package sandbox

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

// hiddenMethods is the FieldNameMapper of every sandbox runtime: Go methods are never reachable from
// JS, and struct fields are visible only under their json tag name (untagged fields are hidden).
type hiddenMethods struct{}

// FieldName exposes a field under its json tag name only.
func (hiddenMethods) FieldName(_ reflect.Type, f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	if tag == "-" {
		return ""
	}
	return tag
}

// MethodName hides every method.
func (hiddenMethods) MethodName(reflect.Type, reflect.Method) string { return "" }

var _ goja.FieldNameMapper = hiddenMethods{}

// gojaPkg is the package path of goja; panics with values of its types are its own control flow.
var gojaPkg = reflect.TypeOf(goja.Exception{}).PkgPath()

// isJSPanic reports whether a recovered value is goja's own control flow (a thrown JS value, an
// interrupt, a stack overflow) that must keep unwinding, rather than a failure of Go code.
func isJSPanic(x any) bool {
	switch x.(type) {
	case goja.Value, *goja.Exception, *goja.InterruptedError, *goja.StackOverflowError:
		return true
	}
	t := reflect.TypeOf(x)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && t.PkgPath() == gojaPkg
}

// nativeFunc wraps a Go implementation as a JS function named name with the given length. A Go panic
// inside fn (a bug, a nil dereference) becomes a catchable JS Error instead of unwinding the runtime.
func (v *vm) nativeFunc(name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	rt := v.rt
	f := rt.ToValue(func(call goja.FunctionCall) (ret goja.Value) {
		defer func() {
			if x := recover(); x != nil {
				if isJSPanic(x) {
					panic(x)
				}
				v.ex.cfg.Logger.Error("sandbox: native function panicked", "tenant", v.ex.cfg.Tenant, "function", name, "panic", fmt.Sprint(x))
				panic(v.newError("ERR_INTERNAL", fmt.Sprintf("internal error in %s: %v", name, x)))
			}
		}()
		return fn(call)
	}).(*goja.Object)
	_ = f.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = f.DefineDataProperty("length", rt.ToValue(length), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return f
}

// newError builds a JS Error (with the runtime's original Error constructor, whatever a rule did to the
// global) with an optional code property.
func (v *vm) newError(code, msg string) *goja.Object {
	e, err := v.rt.New(v.errorCtor, v.rt.ToValue(msg))
	if err != nil {
		e = v.rt.NewObject()
		_ = e.Set("message", msg)
	}
	if code != "" {
		_ = e.Set("code", code)
	}
	return e
}

// newTypeError builds a JS TypeError with a code property.
func (v *vm) newTypeError(code, msg string) *goja.Object {
	e := v.rt.NewTypeError(msg)
	if code != "" {
		_ = e.Set("code", code)
	}
	return e
}
