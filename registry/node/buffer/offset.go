package buffer

import (
	"fmt"
	"math"
	"strings"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

// guardOffsets wraps goja_nodejs's fixed-width read*/write* prototype methods so that an offset
// outside the buffer throws Node's ERR_OUT_OF_RANGE before goja_nodejs sees it: goja_nodejs adds
// the width to the offset in int64, so an offset near 2**63 overflows past its bounds check and
// slices out of range (a Go panic). Every wrapper is also guarded against Go panics.
func (x *ext) guardOffsets(proto *goja.Object) {
	for _, name := range proto.GetOwnPropertyNames() {
		x.guardOffset(proto, name)
	}
}

func (x *ext) guardOffset(proto *goja.Object, name string) {
	read := strings.HasPrefix(name, "read")
	if !read && (!strings.HasPrefix(name, "write") || name == "write") {
		return
	}
	orig, ok := goja.AssertFunction(proto.Get(name))
	if !ok {
		return
	}
	offsetAt := 1
	if read {
		offsetAt = 0
	}
	width := accessWidth(name)
	fn := func(call goja.FunctionCall) goja.Value {
		w := width
		if w == 0 { // readIntBE(offset, byteLength) and co.: the width is an argument
			bl := call.Argument(offsetAt + 1)
			if !goja.IsNumber(bl) {
				return native.Call(orig, call.This, call.Arguments...)
			}
			f := bl.ToFloat()
			if f != math.Trunc(f) || f < 1 || f > 6 {
				return native.Call(orig, call.This, call.Arguments...)
			}
			w = int(f)
		}
		if off := call.Argument(offsetAt); goja.IsNumber(off) && native.IsUint8Array(call.This) {
			b, _ := native.ViewBytes(x.rt, call.This)
			f := off.ToFloat()
			if max := len(b) - w; (f == math.Trunc(f) || math.IsInf(f, 0)) && (f < 0 || f > float64(max)) {
				panic(native.OutOfRange(x.rt, "offset", fmt.Sprintf(">= 0 and <= %d", max), off))
			}
		}
		return native.Call(orig, call.This, call.Arguments...)
	}
	native.Hidden(x.rt, proto, "Buffer.prototype.", name, fn)
}

// accessWidth is the byte width a fixed-width read*/write* method name implies, or 0 when the
// width is an argument (readIntBE, writeUIntLE, …).
func accessWidth(name string) int {
	switch {
	case strings.Contains(name, "Big"), strings.Contains(name, "Double"):
		return 8
	case strings.Contains(name, "32"), strings.Contains(name, "Float"):
		return 4
	case strings.Contains(name, "16"):
		return 2
	case strings.Contains(name, "8"):
		return 1
	}
	return 0
}
