package jshttp

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

var (
	typeBytes       = reflect.TypeOf([]byte(nil))
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
)

// Bytes returns the bytes of a binary JavaScript value: a Buffer, Uint8Array or ArrayBuffer. ok is
// false for anything else (strings included: callers decide how to encode those).
func Bytes(v goja.Value) (b []byte, ok bool) {
	if v == nil {
		return nil, false
	}
	o, isObj := v.(*goja.Object)
	if !isObj {
		return nil, false
	}
	switch o.ExportType() {
	case typeBytes:
		return o.Export().([]byte), true
	case typeArrayBuffer:
		return o.Export().(goja.ArrayBuffer).Bytes(), true
	}
	return nil, false
}

// Buffer wraps b as a Node Buffer: Buffer.from(arrayBuffer) through the runtime's global Buffer or,
// failing that, the buffer core module the host provides. Without either, a Uint8Array.
func (e *Env) Buffer(b []byte) goja.Value {
	if e.bufferFrom == nil {
		e.findBuffer()
	}
	ab := e.RT.NewArrayBuffer(b)
	if e.bufferFrom != nil {
		v, err := e.bufferFrom(e.bufferCtor, e.RT.ToValue(ab))
		if err != nil {
			panic(err)
		}
		return v
	}
	o, err := e.RT.New(e.uint8Array, e.RT.ToValue(ab))
	if err != nil {
		panic(err)
	}
	return o
}

func (e *Env) findBuffer() {
	ctor := e.RT.Get("Buffer")
	if ctor == nil || goja.IsUndefined(ctor) {
		if mod, err := e.Host.Require("buffer"); err == nil && mod != nil && !goja.IsUndefined(mod) {
			ctor = mod.ToObject(e.RT).Get("Buffer")
		}
	}
	if ctor == nil || goja.IsUndefined(ctor) || goja.IsNull(ctor) {
		return
	}
	if from, ok := goja.AssertFunction(ctor.ToObject(e.RT).Get("from")); ok {
		e.bufferCtor, e.bufferFrom = ctor, from
	}
}

// Text returns b as a JavaScript string decoded as UTF-8; invalid sequences become U+FFFD as in
// Node.js.
func (e *Env) Text(b []byte) goja.Value {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return e.RT.ToValue(s)
}

// Decode converts b to a string in a Node.js encoding ("utf8", "latin1"/"binary", "ascii",
// "base64", "hex", "ucs2"/"utf16le").
func Decode(b []byte, enc string) (string, error) {
	switch strings.ToLower(enc) {
	case "utf8", "utf-8", "":
		s := string(b)
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		return s, nil
	case "latin1", "binary":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	case "ascii":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c & 0x7f)
		}
		return string(r), nil
	case "base64":
		return base64.StdEncoding.EncodeToString(b), nil
	case "hex":
		return hex.EncodeToString(b), nil
	case "ucs2", "ucs-2", "utf16le", "utf-16le":
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(u)), nil
	}
	return "", fmt.Errorf("Unknown encoding: %s", enc)
}
