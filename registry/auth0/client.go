package auth0

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

// clientConfig is what the constructor read from its options.
type clientConfig struct {
	domain    string
	token     string
	cc        *ccConfig // client-credentials mode when non-nil
	telemetry string    // Auth0-Client value; "" omits the header
	headers   [][2]string
	userAgent string
	retry     bool
	retries   int
	withHdrs  bool // includeResponseHeaders
}

// clientObj is a ManagementClient instance: a dynamic object whose own keys are the managers
// (created on first access) plus whatever the rule sets.
type clientObj struct {
	m        *module
	cfg      clientConfig
	obj      *goja.Object
	managers []*goja.Object
	tp       *goja.Object
	props    *propBag
	hdr      cachedHeaders
}

// buildClientClass creates the ManagementClient constructor and its prototype.
func (m *module) buildClientClass() error {
	rt := m.rt
	ctor := rt.ToValue(func(call goja.ConstructorCall) *goja.Object {
		c := m.construct(call.Argument(0))
		c.obj = rt.NewDynamicObject(c)
		if p := call.This.Prototype(); p != nil {
			c.obj.SetPrototype(p)
		} else {
			c.obj.SetPrototype(m.proto)
		}
		return c.obj
	}).ToObject(rt)
	_ = ctor.DefineDataProperty("name", rt.ToValue("ManagementClient"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = ctor.DefineDataProperty("length", rt.ToValue(1), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	proto := rt.NewObject()
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	m.ctor, m.proto = ctor, proto
	for i := range m.s.Flat {
		if err := m.defineFlat(&m.s.Flat[i]); err != nil {
			return err
		}
	}
	return nil
}

// defineFlat adds one flat member to the prototype: up to 2.37 a non-enumerable getter returning
// manager[method].bind(manager) (so it follows monkey-patched managers and throws when the target
// does not exist), from 2.38 a class method delegating the same way.
func (m *module) defineFlat(f *spec.FlatMember) error {
	rt := m.rt
	switch f.Access {
	case spec.AccessClientInfo:
		fn := m.namedFunction(f.Name, 0, func(call goja.FunctionCall) goja.Value {
			v, err := m.g.parse(goja.Undefined(), rt.ToValue(defaultTelemetry(m.version, m.s)))
			if err != nil {
				panic(err)
			}
			return v
		})
		return m.proto.DefineDataProperty(f.Name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	case spec.AccessToken:
		fn := m.namedFunction(f.Name, 0, func(call goja.FunctionCall) goja.Value {
			m.thisClient(call.This, f.Name)
			tp := get(rt, call.This, "tokenProvider")
			gat, ok := goja.AssertFunction(get(rt, tp, "getAccessToken"))
			if !ok {
				panic(rt.NewTypeError("Cannot read properties of undefined (reading 'getAccessToken')"))
			}
			v, err := gat(tp)
			if err != nil {
				panic(err)
			}
			return v
		})
		return m.proto.DefineDataProperty(f.Name, fn, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	mgr, meth := f.Manager, f.Method
	target := func(this goja.Value) (goja.Value, goja.Callable) {
		mv := get(rt, this, mgr)
		if isNullish(mv) {
			panic(rt.NewTypeError("Cannot read properties of %s (reading '%s')", nullishName(mv), meth))
		}
		fv := get(rt, mv, meth)
		fn, ok := goja.AssertFunction(fv)
		if !ok {
			if isNullish(fv) {
				panic(rt.NewTypeError("Cannot read properties of %s (reading 'bind')", nullishName(fv)))
			}
			panic(rt.NewTypeError("%s.%s is not a function", mgr, meth))
		}
		return mv, fn
	}
	call := func(mv goja.Value, fn goja.Callable, args []goja.Value) goja.Value {
		v, err := fn(mv, args...)
		if err != nil {
			panic(err)
		}
		return v
	}
	if m.f.ES6Class {
		fn := m.namedFunction(f.Name, 0, func(c goja.FunctionCall) goja.Value {
			mv, target := target(c.This)
			return call(mv, target, c.Arguments)
		})
		return m.proto.DefineDataProperty(f.Name, fn, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	name := "bound " + meth
	getter := m.namedFunction("get "+f.Name, 0, func(c goja.FunctionCall) goja.Value {
		mv, target := target(c.This)
		return m.namedFunction(name, 0, func(b goja.FunctionCall) goja.Value {
			return call(mv, target, b.Arguments)
		})
	})
	return m.proto.DefineAccessorProperty(f.Name, getter, nil, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// thisClient returns the instance behind this, or throws like the SDK would on a foreign this.
func (m *module) thisClient(this goja.Value, method string) *clientObj {
	if o, ok := this.(*goja.Object); ok {
		if c, ok := o.Export().(*clientObj); ok {
			return c
		}
	}
	panic(m.rt.NewTypeError("ManagementClient.%s called on an object that is not a ManagementClient", method))
}

// DynamicObject implementation: own keys are tokenProvider (2.18+) and the managers, in the SDK's
// order, then whatever the rule adds.

func (c *clientObj) builtin(key string) (int, bool) {
	if key == "tokenProvider" && c.m.f.TokenProviderKey {
		return -1, true
	}
	i, ok := c.m.mgrIndex[key]
	return i, ok
}

// Get implements goja.DynamicObject.
func (c *clientObj) Get(key string) goja.Value {
	if c.props != nil {
		if v, ok, deleted := c.props.get(key); ok || deleted {
			return v
		}
	}
	i, ok := c.builtin(key)
	if !ok {
		return nil
	}
	if i < 0 {
		if c.tp == nil {
			c.tp = c.m.newTokenProvider(c)
		}
		return c.tp
	}
	if c.managers == nil {
		c.managers = make([]*goja.Object, len(c.m.s.Managers))
	}
	if c.managers[i] == nil {
		mo := &managerObj{c: c}
		o := c.m.rt.NewDynamicObject(mo)
		o.SetPrototype(c.m.managerProto(i))
		c.managers[i] = o
	}
	return c.managers[i]
}

// Set implements goja.DynamicObject.
func (c *clientObj) Set(key string, val goja.Value) bool {
	if c.props == nil {
		c.props = &propBag{}
	}
	c.props.set(key, val)
	return true
}

// Has implements goja.DynamicObject.
func (c *clientObj) Has(key string) bool {
	if c.props != nil {
		if _, ok, deleted := c.props.get(key); ok || deleted {
			return ok
		}
	}
	_, ok := c.builtin(key)
	return ok
}

// Delete implements goja.DynamicObject.
func (c *clientObj) Delete(key string) bool {
	if c.props == nil {
		c.props = &propBag{}
	}
	c.props.del(key)
	return true
}

// Keys implements goja.DynamicObject.
func (c *clientObj) Keys() []string {
	if c.props == nil {
		return c.m.ownKeys
	}
	var out []string
	for _, k := range c.m.ownKeys {
		if !c.props.deleted(k) {
			out = append(out, k)
		}
	}
	for _, k := range c.props.keys {
		if _, builtin := c.builtin(k); !builtin && c.props.has(k) {
			out = append(out, k)
		}
	}
	return out
}

// managerObj is a manager instance (management.users, …): it only carries its client; the methods
// live on the manager prototype.
type managerObj struct {
	c     *clientObj
	props propBag
}

func (mo *managerObj) Get(key string) goja.Value {
	v, _, _ := mo.props.get(key)
	return v
}
func (mo *managerObj) Set(key string, val goja.Value) bool { mo.props.set(key, val); return true }
func (mo *managerObj) Has(key string) bool                 { return mo.props.has(key) }
func (mo *managerObj) Delete(key string) bool              { mo.props.del(key); return true }
func (mo *managerObj) Keys() []string {
	var out []string
	for _, k := range mo.props.keys {
		if mo.props.has(k) {
			out = append(out, k)
		}
	}
	return out
}

// propBag holds properties a rule sets on a dynamic object, in insertion order; a deleted key
// shadows a built-in one.
type propBag struct {
	keys []string
	vals map[string]goja.Value // nil value: deleted
}

func (b *propBag) get(k string) (v goja.Value, ok, deleted bool) {
	if b.vals == nil {
		return nil, false, false
	}
	v, present := b.vals[k]
	if !present {
		return nil, false, false
	}
	if v == nil {
		return nil, false, true
	}
	return v, true, false
}

func (b *propBag) has(k string) bool { _, ok, _ := b.get(k); return ok }

func (b *propBag) deleted(k string) bool {
	_, _, del := b.get(k)
	return del
}

func (b *propBag) set(k string, v goja.Value) {
	if b.vals == nil {
		b.vals = make(map[string]goja.Value)
	}
	if _, present := b.vals[k]; !present {
		b.keys = append(b.keys, k)
	}
	b.vals[k] = v
}

func (b *propBag) del(k string) {
	if b.vals == nil {
		b.vals = make(map[string]goja.Value)
	}
	if _, present := b.vals[k]; !present {
		b.keys = append(b.keys, k)
	}
	b.vals[k] = nil
}
