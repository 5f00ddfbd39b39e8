package crypto

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math"
	"math/big"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

func (m *module) randomBytes(call goja.FunctionCall) goja.Value {
	sizeV := call.Argument(0)
	if !goja.IsNumber(sizeV) {
		panic(native.ArgTypeError(m.rt, "size", "of type number", sizeV))
	}
	f := sizeV.ToFloat()
	if math.IsNaN(f) || f < 0 || f > math.MaxInt32 {
		panic(native.OutOfRange(m.rt, "size", fmt.Sprintf(">= 0 && <= %d", math.MaxInt32), sizeV))
	}
	if f > MaxRandomBytes {
		panic(native.OutOfRange(m.rt, "size", fmt.Sprintf("<= %d in this sandbox", MaxRandomBytes), sizeV))
	}
	cbV := call.Argument(1)
	cb, isFn := goja.AssertFunction(cbV)
	if !goja.IsUndefined(cbV) && !isFn {
		panic(native.ArgTypeError(m.rt, "callback", "of type function", cbV))
	}
	b := make([]byte, int(f))
	_, _ = rand.Read(b)
	if !isFn {
		return m.wrap(b)
	}
	m.later(func(rt *goja.Runtime) {
		native.Call(cb, goja.Undefined(), goja.Null(), m.wrap(b))
	})
	return goja.Undefined()
}

// later runs fn on the event loop after the current job, as Node runs callbacks of asynchronous
// crypto calls.
func (m *module) later(fn func(*goja.Runtime)) {
	if m.host == nil {
		panic(native.NewError(m.rt, "Error", "", "crypto: callbacks need an event loop, and this runtime has none"))
	}
	m.host.Reserve()(fn)
}

func (m *module) randomUUID(call goja.FunctionCall) goja.Value {
	if opts := call.Argument(0); !goja.IsUndefined(opts) {
		if _, ok := opts.(*goja.Object); !ok {
			panic(native.ArgTypeError(m.rt, "options", "of type object", opts))
		}
	}
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return m.rt.ToValue(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]))
}

// maxRandomIntRange is Node's limit on max - min for randomInt.
const maxRandomIntRange = 1 << 48

func (m *module) safeIntArg(v goja.Value, name string) int64 {
	f := v.ToFloat()
	if !goja.IsNumber(v) || f != math.Trunc(f) || math.Abs(f) > 1<<53-1 {
		panic(native.ArgTypeError(m.rt, name, "a safe integer", v))
	}
	return int64(f)
}

func (m *module) randomInt(call goja.FunctionCall) goja.Value {
	args := call.Arguments
	var cb goja.Callable
	if n := len(args); n > 0 {
		if fn, ok := goja.AssertFunction(args[n-1]); ok {
			cb = fn
			args = args[:n-1]
		}
	}
	minV, maxV := goja.Value(m.rt.ToValue(0)), arg(args, 0)
	if len(args) >= 2 {
		minV, maxV = args[0], args[1]
	}
	lo := m.safeIntArg(minV, "min")
	hi := m.safeIntArg(maxV, "max")
	if hi <= lo {
		panic(native.NewError(m.rt, "RangeError", native.ErrOutOfRange, fmt.Sprintf(
			"The value of \"max\" is out of range. It must be greater than the value of \"min\" (%d). Received %d", lo, hi)))
	}
	if hi-lo > maxRandomIntRange {
		panic(native.NewError(m.rt, "RangeError", native.ErrOutOfRange, fmt.Sprintf(
			"The value of \"max - min\" is out of range. It must be <= %d. Received %d", int64(maxRandomIntRange), hi-lo)))
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(hi-lo))
	v := m.rt.ToValue(lo + n.Int64())
	if cb == nil {
		return v
	}
	m.later(func(*goja.Runtime) {
		native.Call(cb, goja.Undefined(), goja.Undefined(), v)
	})
	return goja.Undefined()
}

func (m *module) timingSafeEqual(call goja.FunctionCall) goja.Value {
	a, ok := native.ViewBytes(m.rt, call.Argument(0))
	if !ok {
		panic(native.NewError(m.rt, "TypeError", native.ErrInvalidArgType,
			"The \"buf1\" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView."))
	}
	b, ok := native.ViewBytes(m.rt, call.Argument(1))
	if !ok {
		panic(native.NewError(m.rt, "TypeError", native.ErrInvalidArgType,
			"The \"buf2\" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView."))
	}
	if len(a) != len(b) {
		panic(native.NewError(m.rt, "RangeError", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length"))
	}
	return m.rt.ToValue(subtle.ConstantTimeCompare(a, b) == 1)
}
