package axios

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// Name is the module name served.
const Name = "axios"

// Range is the semver range of axios versions this implementation emulates.
const Range = ">=0.0.1 <1"

// Provider serves the npm module axios 0.x.
type Provider struct{}

var _ registry.Provider = Provider{}

// New returns the axios provider.
func New() Provider { return Provider{} }

// Info implements registry.Provider.
func (Provider) Info() registry.Info {
	return registry.Info{Name: Name, Range: Range, Kind: registry.KindGo,
		Description: "axios 0.x HTTP client implemented in Go over verq's egress core"}
}

// Load implements registry.Provider: it returns the default axios instance for req.Runtime, with
// the version-dependent details (User-Agent, JSON content type, error codes) of req.Version.
func (Provider) Load(req *registry.LoadRequest) (goja.Value, error) {
	v, err := semver.NewVersion(req.Version)
	if err != nil {
		return nil, fmt.Errorf("axios: version %q: %w", req.Version, err)
	}
	m := &module{env: jshttp.NewEnv(req.Runtime, req.Host), version: v}
	m.init()
	return m.defaultInstance(), nil
}

// module is one loaded axios in one runtime.
type module struct {
	env     *jshttp.Env
	version *semver.Version

	transformRequest  goja.Value // the default transformRequest function
	transformResponse goja.Value // the default transformResponse function
	validateStatus    goja.Value // the default validateStatus function
	dispatch          goja.Value // dispatchRequest, the link between request and response interceptors
	promiseResolve    goja.Callable
	promiseCtor       goja.Value
	objectProto       *goja.Object
}

// atLeast reports whether the emulated version is v or later.
func (m *module) atLeast(v string) bool {
	return !m.version.LessThan(semver.MustParse(v))
}

// jsonContentType is the Content-Type axios sets for object data.
func (m *module) jsonContentType() string {
	if m.atLeast("0.27.0") {
		return "application/json"
	}
	return "application/json;charset=utf-8"
}

// init builds the functions every instance shares.
func (m *module) init() {
	rt := m.env.RT
	m.transformRequest = m.env.Func("transformRequest", m.defaultTransformRequest)
	m.transformResponse = m.env.Func("transformResponse", m.defaultTransformResponse)
	m.validateStatus = m.env.Func("validateStatus", func(call goja.FunctionCall) goja.Value {
		s := call.Argument(0).ToInteger()
		return rt.ToValue(s >= 200 && s < 300)
	})
	m.dispatch = m.env.Func("dispatchRequest", func(call goja.FunctionCall) goja.Value {
		return m.dispatchRequest(call.Argument(0))
	})
	m.objectProto = rt.Get("Object").ToObject(rt).Get("prototype").ToObject(rt)
	m.promiseCtor = rt.Get("Promise")
	m.promiseResolve, _ = goja.AssertFunction(m.promiseCtor.ToObject(rt).Get("resolve"))
}

// newDefaults returns the defaults object of the default instance.
func (m *module) newDefaults() *goja.Object {
	rt := m.env.RT
	d := rt.NewObject()
	d.Set("transformRequest", rt.NewArray(m.transformRequest))
	d.Set("transformResponse", rt.NewArray(m.transformResponse))
	d.Set("timeout", 0)
	d.Set("xsrfCookieName", "XSRF-TOKEN")
	d.Set("xsrfHeaderName", "X-XSRF-TOKEN")
	d.Set("maxContentLength", -1)
	if m.atLeast("0.20.0") {
		d.Set("maxBodyLength", -1)
	}
	d.Set("validateStatus", m.validateStatus)
	h := rt.NewObject()
	common := rt.NewObject()
	common.Set("Accept", "application/json, text/plain, */*")
	h.Set("common", common)
	for _, method := range []string{"delete", "get", "head"} {
		h.Set(method, rt.NewObject())
	}
	for _, method := range []string{"post", "put", "patch"} {
		o := rt.NewObject()
		o.Set("Content-Type", "application/x-www-form-urlencoded")
		h.Set(method, o)
	}
	d.Set("headers", h)
	return d
}

// defaultInstance is what require('axios') returns: an instance plus the module-level helpers.
func (m *module) defaultInstance() goja.Value {
	rt, env := m.env.RT, m.env
	inst := m.newInstance(m.newDefaults())
	env.Set(inst, "create", func(call goja.FunctionCall) goja.Value {
		defaults := inst.Get("defaults").ToObject(rt)
		cfg, _ := call.Argument(0).(*goja.Object)
		return m.newInstance(m.mergeConfig(defaults, cfg))
	})
	env.Set(inst, "all", func(call goja.FunctionCall) goja.Value {
		all, _ := goja.AssertFunction(m.promiseCtor.ToObject(rt).Get("all"))
		v, err := all(m.promiseCtor, call.Argument(0))
		if err != nil {
			panic(err)
		}
		return v
	})
	env.Set(inst, "spread", func(call goja.FunctionCall) goja.Value {
		cb, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			env.Throw("axios.spread expects a function")
		}
		return env.Func("wrap", func(inner goja.FunctionCall) goja.Value {
			arr := inner.Argument(0).ToObject(rt)
			var args []goja.Value
			for _, k := range arr.Keys() {
				args = append(args, arr.Get(k))
			}
			v, err := cb(goja.Null(), args...)
			if err != nil {
				panic(err)
			}
			return v
		})
	})
	env.Set(inst, "isCancel", func(call goja.FunctionCall) goja.Value {
		o, ok := call.Argument(0).(*goja.Object)
		return rt.ToValue(ok && o.Get("__CANCEL__") != nil && o.Get("__CANCEL__").ToBoolean())
	})
	if m.atLeast("0.21.1") {
		env.Set(inst, "isAxiosError", func(call goja.FunctionCall) goja.Value {
			o, ok := call.Argument(0).(*goja.Object)
			return rt.ToValue(ok && o.Get("isAxiosError") != nil && o.Get("isAxiosError").ToBoolean())
		})
	}
	if m.atLeast("0.27.0") {
		inst.Set("VERSION", m.version.Original())
	}
	inst.Set("default", inst)
	return inst
}
