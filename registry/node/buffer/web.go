package buffer

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

func missingInput(rt *goja.Runtime) *goja.Object {
	return native.NewError(rt, "TypeError", "ERR_MISSING_ARGS", `The "input" argument must be specified`)
}

func invalidCharacter(rt *goja.Runtime) *goja.Object {
	e := native.NewError(rt, "Error", "", "Invalid character")
	_ = e.Set("name", "InvalidCharacterError")
	return e
}

// atob decodes base64 into a latin1 string, strictly like the WHATWG forgiving-base64 decode.
func atob(rt *goja.Runtime) native.Func {
	return func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 0 {
			panic(missingInput(rt))
		}
		s := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\n', '\f', '\r':
				return -1
			}
			return r
		}, call.Argument(0).String())
		if len(s)%4 == 0 {
			s = strings.TrimSuffix(s, "=")
			s = strings.TrimSuffix(s, "=")
		}
		if len(s)%4 == 1 {
			panic(invalidCharacter(rt))
		}
		b, err := base64.RawStdEncoding.DecodeString(s)
		if err != nil {
			panic(invalidCharacter(rt))
		}
		return native.EncodeToString(rt, b, native.Latin1)
	}
}

// btoa encodes a latin1 string as base64.
func btoa(rt *goja.Runtime) native.Func {
	return func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 0 {
			panic(missingInput(rt))
		}
		s := native.ToJSString(rt, call.Argument(0))
		b := make([]byte, s.Length())
		for i := range b {
			c := s.CharAt(i)
			if c > 0xFF {
				panic(invalidCharacter(rt))
			}
			b[i] = byte(c)
		}
		return rt.ToValue(base64.StdEncoding.EncodeToString(b))
	}
}

func viewArg(rt *goja.Runtime, v goja.Value) []byte {
	b, ok := native.ViewBytes(rt, v)
	if !ok {
		panic(native.ArgTypeError(rt, "input", "an instance of ArrayBuffer, Buffer, or TypedArray", v))
	}
	return b
}

func isUtf8(rt *goja.Runtime) native.Func {
	return func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(utf8.Valid(viewArg(rt, call.Argument(0))))
	}
}

func isASCII(rt *goja.Runtime) native.Func {
	return func(call goja.FunctionCall) goja.Value {
		for _, c := range viewArg(rt, call.Argument(0)) {
			if c >= 0x80 {
				return rt.ToValue(false)
			}
		}
		return rt.ToValue(true)
	}
}
