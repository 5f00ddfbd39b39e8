package native

import (
	"reflect"

	"github.com/dop251/goja"
)

var (
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typeBytes       = reflect.TypeOf([]byte(nil))
)

// IsUint8Array reports whether v is a Uint8Array (a Buffer is one).
func IsUint8Array(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ExportType() == typeBytes
}

// ViewBytes returns the bytes behind an ArrayBuffer, a TypedArray or a DataView — the memory
// itself, not a copy — and false for anything else (strings and plain arrays included).
func ViewBytes(rt *goja.Runtime, v goja.Value) ([]byte, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch t := o.ExportType(); {
	case t == typeBytes:
		return o.Export().([]byte), true
	case t == typeArrayBuffer:
		return o.Export().(goja.ArrayBuffer).Bytes(), true
	case t != nil && t.Kind() == reflect.Slice && isNumericKind(t.Elem().Kind()):
		// Other typed arrays export as slices of their element type.
	default:
		if !isDataView(rt, o) {
			return nil, false
		}
	}
	var b []byte
	if err := rt.ExportTo(o, &b); err != nil {
		return nil, false
	}
	return b, true
}

func isNumericKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func isDataView(rt *goja.Runtime, o *goja.Object) bool {
	dv, ok := rt.Get("DataView").(*goja.Object)
	return ok && rt.InstanceOf(o, dv)
}

// BytesArg reads a "data"-style argument: a string (decoded with enc) or a view of bytes. ok is
// false for anything else.
func BytesArg(rt *goja.Runtime, v goja.Value, enc Encoding) (b []byte, ok bool) {
	if goja.IsString(v) {
		return DecodeString(v, enc), true
	}
	return ViewBytes(rt, v)
}
