// Package crypto is verq's "crypto" core module: the part of Node's crypto that rules use, in Go —
// createHash and createHmac (md5, sha1, sha224, sha256, sha384, sha512, sha512-224, sha512-256),
// randomBytes, randomUUID, randomInt, timingSafeEqual and getHashes — with Node.js 20's errors.
//
// # Basics
//
// Digests without an encoding, randomBytes and friends return real Buffers of the runtime's Buffer
// class (see registry/node/buffer), so they satisfy Buffer.isBuffer and instanceof Buffer in rule
// code. Callback forms (randomBytes(n, cb), randomInt(…, cb)) call back asynchronously through the
// host's event loop, as in Node.
//
// # Caveats
//
// KeyObject, ciphers, signatures, key derivation and webcrypto are not provided. randomBytes is
// capped at [MaxRandomBytes] per call.
package crypto

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/buffer"
	"github.com/verq/verq/registry/node/internal/native"
)

// Name is the module name.
const Name = "crypto"

// MaxRandomBytes is the largest randomBytes request served (Node allows 2 GiB).
const MaxRandomBytes = buffer.MaxLength

// Module is the "crypto" core module provider. The zero value is ready to use.
type Module struct{}

var _ registry.Provider = Module{}

// Info describes the module.
func (Module) Info() registry.Info {
	return registry.Info{Name: Name, Kind: registry.KindCore, Description: "Node.js crypto: hashes, HMAC, random bytes and UUIDs"}
}

// Load returns the module exports. req.Host is needed for the callback forms of randomBytes and
// randomInt and to find the runtime's Buffer class when there is no global Buffer.
func (Module) Load(req *registry.LoadRequest) (goja.Value, error) {
	rt := req.Runtime
	ctor, err := buffer.Constructor(rt, req.Host)
	if err != nil {
		return nil, fmt.Errorf("crypto: %w", err)
	}
	m := &module{rt: rt, host: req.Host, buffer: ctor}
	exports := rt.NewObject()
	const p = "crypto."
	m.hashProto = rt.NewObject()
	m.hmacProto = rt.NewObject()
	native.Hidden(rt, m.hashProto, "Hash.prototype.", "update", m.update)
	native.Hidden(rt, m.hashProto, "Hash.prototype.", "digest", m.digest)
	native.Hidden(rt, m.hashProto, "Hash.prototype.", "copy", m.copyHash)
	native.Hidden(rt, m.hmacProto, "Hmac.prototype.", "update", m.update)
	native.Hidden(rt, m.hmacProto, "Hmac.prototype.", "digest", m.digest)
	hashCtor := m.class("Hash", m.hashProto, m.newHash)
	hmacCtor := m.class("Hmac", m.hmacProto, m.newHmac)
	if err := exports.Set("Hash", hashCtor); err != nil {
		return nil, err
	}
	if err := exports.Set("Hmac", hmacCtor); err != nil {
		return nil, err
	}
	native.Set(rt, exports, p, "createHash", func(call goja.FunctionCall) goja.Value { return m.newHash(call.Arguments) })
	native.Set(rt, exports, p, "createHmac", func(call goja.FunctionCall) goja.Value { return m.newHmac(call.Arguments) })
	native.Set(rt, exports, p, "getHashes", m.getHashes)
	native.Set(rt, exports, p, "randomBytes", m.randomBytes)
	native.Set(rt, exports, p, "randomUUID", m.randomUUID)
	native.Set(rt, exports, p, "randomInt", m.randomInt)
	native.Set(rt, exports, p, "timingSafeEqual", m.timingSafeEqual)
	return exports, nil
}

// module is one runtime's crypto module.
type module struct {
	rt        *goja.Runtime
	host      registry.Host
	buffer    *goja.Object
	hashProto *goja.Object
	hmacProto *goja.Object
}

// class makes a constructor whose instances are built by create and inherit from proto.
func (m *module) class(name string, proto *goja.Object, create func([]goja.Value) goja.Value) *goja.Object {
	ctor := m.rt.ToValue(func(call goja.ConstructorCall) (res *goja.Object) {
		defer native.Recover(m.rt, "crypto."+name)
		return create(call.Arguments).(*goja.Object)
	}).(*goja.Object)
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = ctor.DefineDataProperty("name", m.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return ctor
}

func (m *module) wrap(b []byte) *goja.Object {
	o, err := buffer.Wrap(m.rt, m.buffer, b)
	native.Throw(err)
	return o
}
