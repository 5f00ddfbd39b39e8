package request

import (
	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// Name is the module name served.
const Name = "request"

// Range is the semver range of request versions this implementation emulates.
const Range = ">=2.0.0 <3"

// Provider serves the npm module request 2.x.
type Provider struct{}

var _ registry.Provider = Provider{}

// New returns the request provider.
func New() Provider { return Provider{} }

// Info implements registry.Provider.
func (Provider) Info() registry.Info {
	return registry.Info{Name: Name, Range: Range, Kind: registry.KindGo,
		Description: "request 2.x HTTP client implemented in Go over verq's egress core"}
}

// Load implements registry.Provider: it returns the request function for req.Runtime.
func (Provider) Load(req *registry.LoadRequest) (goja.Value, error) {
	m := &module{env: jshttp.NewEnv(req.Runtime, req.Host)}
	m.newPrototypes()
	return m.requester(nil), nil
}

// module is one loaded instance of request in one runtime.
type module struct {
	env       *jshttp.Env
	self      *goja.Symbol // holds a Request object's *call
	reqProto  *goja.Object // methods and accessors of Request objects
	respProto *goja.Object // toJSON of response objects
}

// verbs are the shortcut methods and the method each one sets.
var verbs = []struct{ name, method string }{
	{"get", "GET"}, {"head", "HEAD"}, {"options", "OPTIONS"}, {"post", "POST"}, {"put", "PUT"},
	{"patch", "PATCH"}, {"del", "DELETE"}, {"delete", "DELETE"},
}

// requester builds request (or what request.defaults returns): a function with verb shortcuts and
// defaults(), whose calls start from the given default options.
func (m *module) requester(defaults *goja.Object) goja.Value {
	rt := m.env.RT
	fn := m.env.Func("request", func(call goja.FunctionCall) goja.Value {
		return m.start(defaults, "", call.Arguments)
	}).ToObject(rt)
	jshttp.SetName(rt, fn, "request")
	for _, v := range verbs {
		method := v.method
		m.env.Set(fn, v.name, func(call goja.FunctionCall) goja.Value {
			return m.start(defaults, method, call.Arguments)
		})
	}
	m.env.Set(fn, "defaults", func(call goja.FunctionCall) goja.Value {
		o, ok := call.Argument(0).(*goja.Object)
		if !ok {
			o = rt.NewObject()
		}
		return m.requester(mergeOptions(rt, defaults, o))
	})
	m.env.Set(fn, "initParams", func(call goja.FunctionCall) goja.Value {
		return initParams(rt, call.Arguments)
	})
	return fn
}
