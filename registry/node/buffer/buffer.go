// Package buffer is verq's "buffer" core module: Node's Buffer class, built on goja_nodejs's Buffer
// and completed with what rules use from Node.js that goja_nodejs lacks (every string encoding,
// isBuffer, byteLength, toJSON, view-sharing slice, indexOf, copy, fill with strings, …).
//
// # Basics
//
// There is one Buffer class per runtime. The sandbox installs it as the global Buffer with [Enable];
// require('buffer').Buffer is that same constructor, so Buffers made by any module (crypto digests,
// querystring.unescapeBuffer) satisfy instanceof and Buffer.isBuffer in rule code. Go code that needs
// the class calls [Constructor] and makes Buffers with [Wrap].
//
// # Caveats
//
// A single Buffer is capped at [MaxLength] bytes (Node allows 4 GiB): a rule cannot make the host
// allocate gigabytes in one native call. new Buffer(number) is not supported (goja_nodejs throws).
package buffer

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/internal/native"
)

// Name is the module name.
const Name = "buffer"

// MaxLength is the largest Buffer verq's natives create, exported to JavaScript as kMaxLength.
const MaxLength = 64 << 20

// maxStringLength is V8's kStringMaxLength on 64-bit systems, as Node reports it.
const maxStringLength = 536870888

// inspectMaxBytes is Node's buffer.INSPECT_MAX_BYTES default.
const inspectMaxBytes = 50

// Module is the "buffer" core module provider. The zero value is ready to use.
type Module struct{}

var _ registry.Provider = Module{}

// Info describes the module.
func (Module) Info() registry.Info {
	return registry.Info{Name: Name, Kind: registry.KindCore, Description: "Node.js Buffer (goja_nodejs, completed with every encoding and Node's statics)"}
}

// Load returns the module exports: Buffer, SlowBuffer, kMaxLength, kStringMaxLength, constants,
// INSPECT_MAX_BYTES, atob, btoa, isUtf8 and isAscii. Buffer is the runtime's global Buffer when
// one is installed.
func (Module) Load(req *registry.LoadRequest) (goja.Value, error) {
	rt := req.Runtime
	ctor, err := Constructor(rt, nil)
	if err != nil {
		return nil, err
	}
	exports := rt.NewObject()
	set := func(name string, v interface{}) {
		if err == nil {
			err = exports.Set(name, v)
		}
	}
	set("Buffer", ctor)
	set("SlowBuffer", ctor.Get("allocUnsafeSlow"))
	set("kMaxLength", MaxLength)
	set("kStringMaxLength", maxStringLength)
	constants := rt.NewObject()
	_ = constants.Set("MAX_LENGTH", MaxLength)
	_ = constants.Set("MAX_STRING_LENGTH", maxStringLength)
	set("constants", constants)
	set("INSPECT_MAX_BYTES", inspectMaxBytes)
	if err != nil {
		return nil, err
	}
	native.Set(rt, exports, "buffer.", "atob", atob(rt))
	native.Set(rt, exports, "buffer.", "btoa", btoa(rt))
	native.Set(rt, exports, "buffer.", "isUtf8", isUtf8(rt))
	native.Set(rt, exports, "buffer.", "isAscii", isASCII(rt))
	return exports, nil
}
