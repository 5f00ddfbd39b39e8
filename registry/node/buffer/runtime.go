package buffer

import (
	"fmt"

	"github.com/dop251/goja"
	nodebuffer "github.com/dop251/goja_nodejs/buffer"

	"github.com/verq/verq/registry"
)

// Constructor returns the runtime's Buffer constructor, completed by [Extend]: the global Buffer
// when it is goja_nodejs's, else the "buffer" module's Buffer obtained through host (when host is
// not nil), else a new constructor that is installed nowhere. Call it on the runtime's goroutine.
func Constructor(rt *goja.Runtime, host registry.Host) (*goja.Object, error) {
	if ctor, ok := globalBuffer(rt); ok {
		return ctor, Extend(rt, ctor)
	}
	if host != nil {
		if m, err := host.Require(Name); err == nil {
			if mo, ok := m.(*goja.Object); ok {
				if ctor, ok := mo.Get("Buffer").(*goja.Object); ok && isNodeBuffer(ctor) {
					return ctor, Extend(rt, ctor)
				}
			}
		}
	}
	return New(rt)
}

// Enable installs the global Buffer (goja_nodejs's, completed by [Extend]) unless the runtime
// already has a goja_nodejs Buffer global, and returns it.
func Enable(rt *goja.Runtime) (*goja.Object, error) {
	if ctor, ok := globalBuffer(rt); ok {
		return ctor, Extend(rt, ctor)
	}
	ctor, err := New(rt)
	if err != nil {
		return nil, err
	}
	return ctor, rt.Set("Buffer", ctor)
}

// New creates a fresh Buffer constructor in rt (goja_nodejs's, completed by [Extend]) without
// installing it anywhere.
func New(rt *goja.Runtime) (ctor *goja.Object, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("buffer: cannot create the Buffer class: %v", x)
		}
	}()
	module := rt.NewObject()
	exports := rt.NewObject()
	if err := module.Set("exports", exports); err != nil {
		return nil, err
	}
	nodebuffer.Require(rt, module)
	ctor, ok := exports.Get("Buffer").(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("buffer: goja_nodejs did not export a Buffer constructor")
	}
	return ctor, Extend(rt, ctor)
}

// Wrap returns a Buffer of class ctor over data (no copy: the Buffer shares data's memory).
func Wrap(rt *goja.Runtime, ctor *goja.Object, data []byte) (*goja.Object, error) {
	u8, ok := goja.AssertConstructor(rt.Get("Uint8Array"))
	if !ok {
		return nil, fmt.Errorf("buffer: Uint8Array is not a constructor")
	}
	return u8(ctor, rt.ToValue(rt.NewArrayBuffer(data)))
}

// globalBuffer returns the global Buffer if it is a goja_nodejs Buffer constructor.
func globalBuffer(rt *goja.Runtime) (*goja.Object, bool) {
	ctor, ok := rt.Get("Buffer").(*goja.Object)
	if !ok || nodebuffer.GetApi(rt) == nil {
		return nil, false
	}
	return ctor, true
}

// isNodeBuffer reports whether ctor looks like a goja_nodejs Buffer constructor: goja_nodejs marks
// its constructors with a symbol only its GetApi can read, and GetApi only looks at the global, so
// a module's constructor is recognised by goja_nodejs's statics and prototype methods instead.
func isNodeBuffer(ctor *goja.Object) bool {
	proto, ok := ctor.Get("prototype").(*goja.Object)
	if !ok {
		return false
	}
	_, hasRead := goja.AssertFunction(proto.Get("readBigInt64BE"))
	_, hasFrom := goja.AssertFunction(ctor.Get("from"))
	return hasRead && hasFrom
}
