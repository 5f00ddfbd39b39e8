// Package querystring is verq's "querystring" core module: Node's parse, stringify, escape,
// unescape and unescapeBuffer (with the decode and encode aliases), implemented in Go with Node.js
// 20 semantics: parse returns a null-prototype object, repeated keys become arrays, '+' decodes to
// a space, at most 1000 pairs are read unless options.maxKeys says otherwise, and malformed
// escapes are kept rather than thrown.
//
// As in Node, parse and stringify use the module's current unescape and escape properties, so a
// rule may replace them.
package querystring

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/buffer"
	"github.com/verq/verq/registry/node/internal/native"
)

// Name is the module name.
const Name = "querystring"

// Module is the "querystring" core module provider. The zero value is ready to use.
type Module struct{}

var _ registry.Provider = Module{}

// Info describes the module.
func (Module) Info() registry.Info {
	return registry.Info{Name: Name, Kind: registry.KindCore, Description: "Node.js querystring: parse, stringify, escape, unescape"}
}

// Load returns the module exports.
func (Module) Load(req *registry.LoadRequest) (goja.Value, error) {
	m := &module{rt: req.Runtime, host: req.Host}
	m.exports = m.rt.NewObject()
	const p = "querystring."
	native.Set(m.rt, m.exports, p, "unescapeBuffer", m.unescapeBuffer)
	native.Set(m.rt, m.exports, p, "unescape", m.unescape)
	native.Set(m.rt, m.exports, p, "escape", m.escape)
	native.Set(m.rt, m.exports, p, "stringify", m.stringify)
	if err := m.exports.Set("encode", m.exports.Get("stringify")); err != nil {
		return nil, err
	}
	native.Set(m.rt, m.exports, p, "parse", m.parse)
	if err := m.exports.Set("decode", m.exports.Get("parse")); err != nil {
		return nil, err
	}
	m.origEscape = m.exports.Get("escape")
	m.origUnescape = m.exports.Get("unescape")
	return m.exports, nil
}

// module is one runtime's querystring module.
type module struct {
	rt           *goja.Runtime
	host         registry.Host
	exports      *goja.Object
	origEscape   goja.Value
	origUnescape goja.Value
}

func (m *module) escape(call goja.FunctionCall) goja.Value {
	s, ok := m.escapeValue(call.Argument(0))
	if !ok {
		panic(native.NewError(m.rt, "URIError", "ERR_INVALID_URI", "URI malformed"))
	}
	return m.rt.ToValue(s)
}

// escapeValue converts v to a string as Node's escape does and percent-encodes it.
func (m *module) escapeValue(v goja.Value) (string, bool) {
	return Escape(native.ToJSString(m.rt, v))
}

func (m *module) unescape(call goja.FunctionCall) goja.Value {
	return m.rt.ToValue(Unescape(call.Argument(0).String(), call.Argument(1).ToBoolean()))
}

func (m *module) unescapeBuffer(call goja.FunctionCall) goja.Value {
	b := UnescapeBuffer(call.Argument(0).String(), call.Argument(1).ToBoolean())
	ctor, err := buffer.Constructor(m.rt, m.host)
	native.Throw(err)
	o, err := buffer.Wrap(m.rt, ctor, b)
	native.Throw(err)
	return o
}
