package fetch

import (
	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// Name is the module name served.
const Name = "node-fetch"

// Range is the semver range of node-fetch versions this implementation emulates.
const Range = ">=2.0.0 <3"

// Provider serves the npm module node-fetch 2.x.
type Provider struct{}

var _ registry.Provider = Provider{}

// New returns the node-fetch provider.
func New() Provider { return Provider{} }

// Info implements registry.Provider.
func (Provider) Info() registry.Info {
	return registry.Info{Name: Name, Range: Range, Kind: registry.KindGo,
		Description: "node-fetch 2.x implemented in Go over verq's egress core"}
}

// Load implements registry.Provider: it returns the fetch function with Headers, Request,
// Response, FetchError and default as properties, as node-fetch 2 exports them.
func (Provider) Load(req *registry.LoadRequest) (goja.Value, error) {
	m := newModule(req.Runtime, req.Host, true)
	fn := m.fetchFunc()
	fn.Set("default", fn)
	fn.Set("Headers", m.headersCtor)
	fn.Set("Request", m.requestCtor)
	fn.Set("Response", m.responseCtor)
	fn.Set("FetchError", m.fetchErrorCtor)
	fn.Set("Promise", m.env.RT.Get("Promise"))
	m.env.Set(fn, "isRedirect", func(call goja.FunctionCall) goja.Value {
		return m.env.RT.ToValue(isRedirect(int(call.Argument(0).ToInteger())))
	})
	return fn, nil
}

// FetchGlobal returns a GlobalInstaller that gives rules the standard global fetch, Headers,
// Request and Response (the Node.js 18 globals), backed by the same Go implementation as
// node-fetch. Differences from node-fetch follow the standard: a network failure rejects with
// TypeError "fetch failed" whose cause is the Node.js-style error, json() rejects with the
// SyntaxError of invalid JSON, Headers has getSetCookie() instead of raw(), and the node-fetch
// options timeout, size, follow and compress are ignored.
func FetchGlobal() registry.GlobalInstaller {
	return func(rt *goja.Runtime, host registry.Host) error {
		m := newModule(rt, host, false)
		for name, v := range map[string]goja.Value{
			"fetch": m.fetchFunc(), "Headers": m.headersCtor, "Request": m.requestCtor, "Response": m.responseCtor,
		} {
			if err := rt.GlobalObject().DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
				return err
			}
		}
		return nil
	}
}

// module is one fetch implementation in one runtime: node-fetch (node) or the standard global.
type module struct {
	env  *jshttp.Env
	node bool // node-fetch 2 behaviour; false: the WHATWG global
	key  *goja.Symbol

	headersCtor, headersProto       *goja.Object
	responseCtor, responseProto     *goja.Object
	requestCtor, requestProto       *goja.Object
	fetchErrorCtor, fetchErrorProto *goja.Object
}

func newModule(rt *goja.Runtime, host registry.Host, node bool) *module {
	m := &module{env: jshttp.NewEnv(rt, host), node: node, key: goja.NewSymbol("fetch.state")}
	m.newHeadersClass()
	m.newResponseClass()
	m.newRequestClass()
	m.newFetchErrorClass()
	return m
}

// attach stores Go state on a JavaScript object under the module's private symbol.
func (m *module) attach(o *goja.Object, state any) {
	if err := o.DefineDataPropertySymbol(m.key, m.env.RT.ToValue(state), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
}

// state returns the Go state attached to v, or nil.
func (m *module) state(v goja.Value) any {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	s := o.GetSymbol(m.key)
	if s == nil {
		return nil
	}
	return s.Export()
}

// newHeaders returns a Headers object holding h.
func (m *module) newHeaders(h *headerList) *goja.Object {
	o := m.env.RT.CreateObject(m.headersProto)
	m.attach(o, h)
	return o
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}
