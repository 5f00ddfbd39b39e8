package crypto

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"hash"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

// algorithms maps the canonical digest names to their constructors.
var algorithms = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512-224": sha512.New512_224,
	"sha512-256": sha512.New512_256,
}

// algorithm resolves a digest name as OpenSSL does for Node, case-insensitively, with the "RSA-"
// prefix and the "SHA-256" spelling accepted; it returns the canonical name.
func algorithm(name string) (string, bool) {
	n := strings.ToLower(name)
	n = strings.TrimPrefix(n, "rsa-")
	if strings.HasPrefix(n, "sha-") {
		n = "sha" + n[len("sha-"):]
	}
	if n == "sha512/224" || n == "sha512/256" {
		n = strings.Replace(n, "/", "-", 1)
	}
	_, ok := algorithms[n]
	return n, ok
}

// hashObject is the state behind a Hash or Hmac instance. It is a goja DynamicObject so that the
// prototype methods can find it through this.Export() while JavaScript sees an ordinary object.
type hashObject struct {
	h         hash.Hash
	alg       string
	hmac      bool
	finalized bool
	props     map[string]goja.Value
	keys      []string
}

func (o *hashObject) Get(key string) goja.Value { return o.props[key] }

func (o *hashObject) Set(key string, val goja.Value) bool {
	if o.props == nil {
		o.props = make(map[string]goja.Value)
	}
	if _, ok := o.props[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.props[key] = val
	return true
}

func (o *hashObject) Has(key string) bool {
	_, ok := o.props[key]
	return ok
}

func (o *hashObject) Delete(key string) bool {
	if _, ok := o.props[key]; ok {
		delete(o.props, key)
		for i, k := range o.keys {
			if k == key {
				o.keys = append(o.keys[:i], o.keys[i+1:]...)
				break
			}
		}
	}
	return true
}

func (o *hashObject) Keys() []string { return o.keys }

func (m *module) instance(state *hashObject) goja.Value {
	obj := m.rt.NewDynamicObject(state)
	proto := m.hashProto
	if state.hmac {
		proto = m.hmacProto
	}
	native.Throw(obj.SetPrototype(proto))
	return obj
}

func (m *module) newHash(args []goja.Value) goja.Value {
	alg := arg(args, 0)
	if !goja.IsString(alg) {
		panic(native.ArgTypeError(m.rt, "algorithm", "of type string", alg))
	}
	name, ok := algorithm(alg.String())
	if !ok {
		panic(native.NewError(m.rt, "Error", "", "Digest method not supported"))
	}
	return m.instance(&hashObject{h: algorithms[name](), alg: name})
}

func (m *module) newHmac(args []goja.Value) goja.Value {
	alg := arg(args, 0)
	if !goja.IsString(alg) {
		panic(native.ArgTypeError(m.rt, "hmac", "of type string", alg))
	}
	name, ok := algorithm(alg.String())
	if !ok {
		panic(native.NewError(m.rt, "TypeError", "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: "+alg.String()))
	}
	keyV := arg(args, 1)
	key, ok := native.BytesArg(m.rt, keyV, native.UTF8)
	if !ok {
		panic(native.ArgTypeError(m.rt, "key",
			"of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey", keyV))
	}
	return m.instance(&hashObject{h: hmac.New(algorithms[name], append([]byte(nil), key...)), alg: name, hmac: true})
}

func arg(args []goja.Value, i int) goja.Value {
	if i < len(args) {
		return args[i]
	}
	return goja.Undefined()
}

// state returns the hash behind this, or throws if this is not a Hash or Hmac.
func (m *module) state(this goja.Value, method string) *hashObject {
	if o, ok := this.(*goja.Object); ok {
		if s, ok := o.Export().(*hashObject); ok {
			return s
		}
	}
	panic(native.NewError(m.rt, "TypeError", "ERR_INVALID_THIS", "Value of \"this\" must be of type Hash or Hmac ("+method+")"))
}

func (m *module) finalizedError() *goja.Object {
	return native.NewError(m.rt, "Error", "ERR_CRYPTO_HASH_FINALIZED", "Digest already called")
}

func (m *module) update(call goja.FunctionCall) goja.Value {
	s := m.state(call.This, "update")
	if s.finalized {
		panic(m.finalizedError())
	}
	data := call.Argument(0)
	var b []byte
	if goja.IsString(data) {
		enc := native.UTF8
		if e := call.Argument(1); goja.IsString(e) {
			if known, ok := native.LookupEncoding(e.String()); ok {
				enc = known
			}
		}
		if enc == native.Hex && len(data.String())%2 != 0 {
			panic(native.NewError(m.rt, "TypeError", native.ErrInvalidArgValue,
				"The argument 'encoding' is invalid for data of length "+strconv.Itoa(len(data.String()))+". Received "+native.QuoteString(call.Argument(1).String())))
		}
		b = native.DecodeString(data, enc)
	} else {
		var ok bool
		if b, ok = native.ViewBytes(m.rt, data); !ok {
			panic(native.ArgTypeError(m.rt, "data", "of type string or an instance of Buffer, TypedArray, or DataView", data))
		}
	}
	s.h.Write(b)
	return call.This
}

func (m *module) digest(call goja.FunctionCall) goja.Value {
	s := m.state(call.This, "digest")
	var sum []byte
	switch {
	case s.finalized && s.hmac:
		sum = []byte{} // Node's Hmac returns an empty digest when called again
	case s.finalized:
		panic(m.finalizedError())
	default:
		sum = s.h.Sum(nil)
		s.finalized = true
	}
	if e := call.Argument(0); goja.IsString(e) {
		if enc, ok := native.LookupEncoding(e.String()); ok {
			return native.EncodeToString(m.rt, sum, enc)
		}
	}
	return m.wrap(sum)
}

func (m *module) copyHash(call goja.FunctionCall) goja.Value {
	s := m.state(call.This, "copy")
	if s.hmac {
		panic(native.NewError(m.rt, "TypeError", "ERR_INVALID_THIS", "Value of \"this\" must be of type Hash"))
	}
	if s.finalized {
		panic(m.finalizedError())
	}
	clone := algorithms[s.alg]()
	marshaler, ok1 := s.h.(encoding.BinaryMarshaler)
	unmarshaler, ok2 := clone.(encoding.BinaryUnmarshaler)
	if !ok1 || !ok2 {
		panic(native.NewError(m.rt, "Error", "", "Hash state cannot be copied"))
	}
	state, err := marshaler.MarshalBinary()
	if err == nil {
		err = unmarshaler.UnmarshalBinary(state)
	}
	if err != nil {
		panic(native.NewError(m.rt, "Error", "", "Hash state cannot be copied: "+err.Error()))
	}
	return m.instance(&hashObject{h: clone, alg: s.alg})
}

func (m *module) getHashes(goja.FunctionCall) goja.Value {
	names := make([]interface{}, 0, len(algorithms))
	sorted := make([]string, 0, len(algorithms))
	for n := range algorithms {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		names = append(names, n)
	}
	return m.rt.NewArray(names...)
}
