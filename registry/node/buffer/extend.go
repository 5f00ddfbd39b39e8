package buffer

import (
	"bytes"
	"fmt"
	"math"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

// symExtended marks a Buffer constructor Extend has completed.
var symExtended = goja.NewSymbol("verq.buffer.extended")

// Extend completes a goja_nodejs Buffer constructor with the Node.js API goja_nodejs lacks. It is
// idempotent. Static methods added: isBuffer, isEncoding, byteLength, compare, allocUnsafe,
// allocUnsafeSlow; from and alloc are wrapped to accept every Node encoding (case-insensitive)
// and to enforce [MaxLength]. Prototype methods added or replaced: toString, toLocaleString,
// toJSON, slice (a view, like Node), write, fill, copy, compare, indexOf, lastIndexOf, includes;
// the read*/write* accessors are wrapped to refuse offsets outside the buffer.
func Extend(rt *goja.Runtime, ctor *goja.Object) (err error) {
	if v := ctor.GetSymbol(symExtended); v != nil && v.ToBoolean() {
		return nil
	}
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("buffer: cannot complete the Buffer class: %v", x)
		}
	}()
	proto, ok := ctor.Get("prototype").(*goja.Object)
	if !ok {
		return fmt.Errorf("buffer: Buffer.prototype is not an object")
	}
	x := &ext{rt: rt, ctor: ctor}
	if x.origFrom, ok = goja.AssertFunction(ctor.Get("from")); !ok {
		return fmt.Errorf("buffer: Buffer.from is not a function")
	}
	u8 := rt.Get("Uint8Array").ToObject(rt)
	u8proto := u8.Get("prototype").ToObject(rt)
	if x.subarray, ok = goja.AssertFunction(u8proto.Get("subarray")); !ok {
		return fmt.Errorf("buffer: Uint8Array.prototype.subarray is not a function")
	}

	for name, fn := range map[string]native.Func{
		"isBuffer":        x.isBuffer,
		"isEncoding":      x.isEncoding,
		"byteLength":      x.byteLength,
		"compare":         x.compareStatic,
		"allocUnsafe":     x.allocUnsafe,
		"allocUnsafeSlow": x.allocUnsafe,
		"from":            x.from,
		"alloc":           x.alloc,
	} {
		native.Hidden(rt, ctor, "Buffer.", name, fn)
	}
	for name, fn := range map[string]native.Func{
		"toString":       x.toString,
		"toLocaleString": x.toString,
		"toJSON":         x.toJSON,
		"slice":          x.slice,
		"write":          x.write,
		"fill":           x.fill,
		"copy":           x.copy,
		"compare":        x.compare,
		"indexOf":        x.indexOf,
		"lastIndexOf":    x.lastIndexOf,
		"includes":       x.includes,
	} {
		native.Hidden(rt, proto, "Buffer.prototype.", name, fn)
	}
	x.guardOffsets(proto)
	// goja names native functions after their Go implementation; Node's class is "Buffer".
	if err := ctor.DefineDataProperty("name", rt.ToValue("Buffer"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	return ctor.DefineDataPropertySymbol(symExtended, rt.ToValue(true), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// ext holds one runtime's Buffer class and the originals its replacements fall back to.
type ext struct {
	rt       *goja.Runtime
	ctor     *goja.Object
	origFrom goja.Callable
	subarray goja.Callable
}

func (x *ext) wrap(b []byte) goja.Value {
	o, err := Wrap(x.rt, x.ctor, b)
	native.Throw(err)
	return o
}

// this returns the bytes of the receiver, which must be a Uint8Array.
func (x *ext) this(call goja.FunctionCall) []byte {
	if !native.IsUint8Array(call.This) {
		panic(native.ArgTypeError(x.rt, "this", "an instance of Buffer or Uint8Array", call.This))
	}
	b, _ := native.ViewBytes(x.rt, call.This)
	return b
}

func (x *ext) encodingArg(v goja.Value) native.Encoding {
	enc, ok := native.EncodingArg(v)
	if !ok {
		panic(native.NewError(x.rt, "TypeError", native.ErrUnknownEncoding, "Unknown encoding: "+v.String()))
	}
	return enc
}

func (x *ext) sizeArg(v goja.Value) int {
	if !goja.IsNumber(v) {
		panic(native.ArgTypeError(x.rt, "size", "of type number", v))
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f < 0 || f > nodeMaxLength {
		panic(native.OutOfRange(x.rt, "size", fmt.Sprintf(">= 0 && <= %d", int64(nodeMaxLength)), v))
	}
	if f > MaxLength {
		panic(native.OutOfRange(x.rt, "size", fmt.Sprintf("<= %d in this sandbox", MaxLength), v))
	}
	return int(f)
}

func (x *ext) isBuffer(call goja.FunctionCall) goja.Value {
	return x.rt.ToValue(x.rt.InstanceOf(call.Argument(0), x.ctor))
}

func (x *ext) isEncoding(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if !goja.IsString(v) || v.String() == "" {
		return x.rt.ToValue(false)
	}
	_, ok := native.LookupEncoding(v.String())
	return x.rt.ToValue(ok)
}

func (x *ext) byteLength(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if goja.IsString(v) {
		enc, _ := native.EncodingArg(call.Argument(1))
		return x.rt.ToValue(native.ByteLength(v, enc))
	}
	if b, ok := native.ViewBytes(x.rt, v); ok {
		return x.rt.ToValue(len(b))
	}
	panic(native.ArgTypeError(x.rt, "string", "of type string or an instance of Buffer or ArrayBuffer", v))
}

func (x *ext) u8Arg(call goja.FunctionCall, i int, name string) []byte {
	v := call.Argument(i)
	if !native.IsUint8Array(v) {
		panic(native.ArgTypeError(x.rt, name, "an instance of Buffer or Uint8Array", v))
	}
	b, _ := native.ViewBytes(x.rt, v)
	return b
}

func (x *ext) compareStatic(call goja.FunctionCall) goja.Value {
	a := x.u8Arg(call, 0, "buf1")
	b := x.u8Arg(call, 1, "buf2")
	return x.rt.ToValue(bytes.Compare(a, b))
}

func (x *ext) allocUnsafe(call goja.FunctionCall) goja.Value {
	return x.wrap(make([]byte, x.sizeArg(call.Argument(0))))
}

func (x *ext) from(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if goja.IsString(v) {
		b := native.DecodeString(v, x.encodingArg(call.Argument(1)))
		if len(b) > MaxLength {
			panic(native.OutOfRange(x.rt, "size", fmt.Sprintf(">= 0 && <= %d", MaxLength), x.rt.ToValue(len(b))))
		}
		return x.wrap(b)
	}
	if goja.IsNumber(v) {
		panic(native.NewError(x.rt, "TypeError", native.ErrInvalidArgType,
			"The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received "+native.Describe(v)))
	}
	if o, ok := v.(*goja.Object); ok {
		if n := o.Get("length"); n != nil && n.ToFloat() > MaxLength {
			panic(native.OutOfRange(x.rt, "size", fmt.Sprintf(">= 0 && <= %d", MaxLength), n))
		}
	}
	return native.Call(x.origFrom, call.This, call.Arguments...)
}

func (x *ext) alloc(call goja.FunctionCall) goja.Value {
	b := make([]byte, x.sizeArg(call.Argument(0)))
	if fill := call.Argument(1); !goja.IsUndefined(fill) && len(b) > 0 {
		x.fillBytes(b, fill, call.Argument(2))
	}
	return x.wrap(b)
}

// fillBytes fills b with value (a number, a string in enc, or a Uint8Array) repeated.
func (x *ext) fillBytes(b []byte, value, enc goja.Value) {
	var pattern []byte
	switch {
	case goja.IsString(value):
		pattern = native.DecodeString(value, x.encodingArg(enc))
		if len(pattern) == 0 {
			if value.String() != "" {
				panic(native.NewError(x.rt, "TypeError", native.ErrInvalidArgValue,
					"The argument 'value' is invalid. Received "+native.InspectPrimitive(value)))
			}
			pattern = []byte{0}
		}
	case native.IsUint8Array(value):
		pattern, _ = native.ViewBytes(x.rt, value)
		if len(pattern) == 0 {
			panic(native.NewError(x.rt, "TypeError", native.ErrInvalidArgValue,
				"The argument 'value' is invalid. Received "+native.Describe(value)))
		}
	default:
		f := value.ToFloat()
		c := byte(0)
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			c = byte(int64(f))
		}
		pattern = []byte{c}
	}
	for i := 0; i < len(b); i += copy(b[i:], pattern) {
	}
}

// nodeMaxLength is Node's own buffer size limit (kMaxLength on 64-bit systems), used in its
// range errors; verq's stricter MaxLength applies after it.
const nodeMaxLength = 1 << 32

// intArg truncates v to an integer; undefined gives def, NaN gives 0.
func intArg(v goja.Value, def int) int {
	if goja.IsUndefined(v) {
		return def
	}
	f := v.ToFloat()
	switch {
	case math.IsNaN(f):
		return 0
	case f > math.MaxInt32:
		return math.MaxInt32
	case f < math.MinInt32:
		return math.MinInt32
	}
	return int(f)
}

func (x *ext) toString(call goja.FunctionCall) goja.Value {
	b := x.this(call)
	enc := x.encodingArg(call.Argument(0))
	start := intArg(call.Argument(1), 0)
	if start < 0 {
		start = 0
	}
	if start >= len(b) {
		return x.rt.ToValue("")
	}
	end := intArg(call.Argument(2), len(b))
	if end > len(b) {
		end = len(b)
	}
	if end <= start {
		return x.rt.ToValue("")
	}
	return native.EncodeToString(x.rt, b[start:end], enc)
}

func (x *ext) toJSON(call goja.FunctionCall) goja.Value {
	b := x.this(call)
	data := make([]interface{}, len(b))
	for i, c := range b {
		data[i] = int64(c)
	}
	o := x.rt.NewObject()
	_ = o.Set("type", "Buffer")
	_ = o.Set("data", x.rt.NewArray(data...))
	return o
}

func (x *ext) slice(call goja.FunctionCall) goja.Value {
	return native.Call(x.subarray, call.This, call.Arguments...)
}

func (x *ext) write(call goja.FunctionCall) goja.Value {
	b := x.this(call)
	s := call.Argument(0)
	if !goja.IsString(s) {
		panic(native.ArgTypeError(x.rt, "string", "of type string", s))
	}
	args := call.Arguments[1:]
	arg := func(i int) goja.Value {
		if i < len(args) {
			return args[i]
		}
		return goja.Undefined()
	}
	offset, length, encV := 0, len(b), goja.Undefined()
	switch {
	case goja.IsString(arg(0)): // write(string, encoding)
		encV = arg(0)
	case goja.IsString(arg(1)): // write(string, offset, encoding)
		offset, encV = x.offsetArg(arg(0), len(b)), arg(1)
		length = len(b) - offset
	default: // write(string, offset, length, encoding)
		offset = x.offsetArg(arg(0), len(b))
		length = len(b) - offset
		if !goja.IsUndefined(arg(1)) {
			length = x.offsetArg(arg(1), len(b))
		}
		encV = arg(2)
	}
	data := native.DecodeString(s, x.encodingArg(encV))
	if length > len(b)-offset {
		length = len(b) - offset
	}
	if length > len(data) {
		length = len(data)
	}
	return x.rt.ToValue(copy(b[offset:offset+length], data))
}

// offsetArg validates an offset-like integer within [0, max].
func (x *ext) offsetArg(v goja.Value, max int) int {
	if goja.IsUndefined(v) {
		return 0
	}
	if !goja.IsNumber(v) {
		panic(native.ArgTypeError(x.rt, "offset", "of type number", v))
	}
	f := v.ToFloat()
	if f != math.Trunc(f) || f < 0 || f > float64(max) {
		panic(native.OutOfRange(x.rt, "offset", fmt.Sprintf(">= 0 && <= %d", max), v))
	}
	return int(f)
}

func (x *ext) fill(call goja.FunctionCall) goja.Value {
	b := x.this(call)
	value := call.Argument(0)
	offset, end, enc := 0, len(b), goja.Undefined()
	if goja.IsString(call.Argument(1)) {
		enc = call.Argument(1)
	} else {
		offset = x.offsetArg(call.Argument(1), len(b))
		if goja.IsString(call.Argument(2)) {
			enc = call.Argument(2)
		} else {
			if !goja.IsUndefined(call.Argument(2)) {
				end = x.offsetArg(call.Argument(2), len(b))
			}
			enc = call.Argument(3)
		}
	}
	if offset < end {
		x.fillBytes(b[offset:end], value, enc)
	}
	return call.This
}

// rangeArgs clamps optional start/end arguments to [0, n].
func rangeArgs(start, end goja.Value, n int) (int, int) {
	s := intArg(start, 0)
	e := intArg(end, n)
	if s < 0 {
		s = 0
	}
	if e > n {
		e = n
	}
	if s > e {
		s = e
	}
	return s, e
}

func (x *ext) copy(call goja.FunctionCall) goja.Value {
	src := x.this(call)
	dst := x.u8Arg(call, 0, "target")
	ts := intArg(call.Argument(1), 0)
	if ts < 0 {
		panic(native.OutOfRange(x.rt, "targetStart", ">= 0", call.Argument(1)))
	}
	if ts >= len(dst) {
		return x.rt.ToValue(0)
	}
	ss, se := rangeArgs(call.Argument(2), call.Argument(3), len(src))
	return x.rt.ToValue(copy(dst[ts:], src[ss:se]))
}

func (x *ext) compare(call goja.FunctionCall) goja.Value {
	src := x.this(call)
	dst := x.u8Arg(call, 0, "target")
	ts, te := rangeArgs(call.Argument(1), call.Argument(2), len(dst))
	ss, se := rangeArgs(call.Argument(3), call.Argument(4), len(src))
	return x.rt.ToValue(bytes.Compare(src[ss:se], dst[ts:te]))
}

// needle converts indexOf's value argument to bytes.
func (x *ext) needle(value, enc goja.Value) []byte {
	switch {
	case goja.IsString(value):
		return native.DecodeString(value, x.encodingArg(enc))
	case goja.IsNumber(value):
		return []byte{byte(int64(value.ToFloat()))}
	case native.IsUint8Array(value):
		b, _ := native.ViewBytes(x.rt, value)
		return b
	}
	panic(native.ArgTypeError(x.rt, "value", "one of type number or string or an instance of Buffer or Uint8Array", value))
}

// search implements indexOf/lastIndexOf: byteOffset may be replaced by the encoding.
func (x *ext) search(call goja.FunctionCall, last bool) int {
	b := x.this(call)
	offV, enc := call.Argument(1), call.Argument(2)
	if goja.IsString(offV) {
		offV, enc = goja.Undefined(), offV
	}
	n := x.needle(call.Argument(0), enc)
	def := 0
	if last {
		def = len(b)
	}
	off := intArg(offV, def)
	if off < 0 {
		off += len(b)
	}
	if last {
		if off < 0 {
			return -1
		}
		if off+len(n) > len(b) {
			off = len(b) - len(n)
		}
		if off < 0 {
			return -1
		}
		return bytes.LastIndex(b[:off+len(n)], n)
	}
	if off < 0 {
		off = 0
	}
	if off > len(b) {
		if len(n) == 0 {
			return len(b)
		}
		return -1
	}
	i := bytes.Index(b[off:], n)
	if i < 0 {
		return -1
	}
	return off + i
}

func (x *ext) indexOf(call goja.FunctionCall) goja.Value {
	return x.rt.ToValue(x.search(call, false))
}

func (x *ext) lastIndexOf(call goja.FunctionCall) goja.Value {
	return x.rt.ToValue(x.search(call, true))
}

func (x *ext) includes(call goja.FunctionCall) goja.Value {
	return x.rt.ToValue(x.search(call, false) >= 0)
}
