package auth0

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
)

// GlobalOptions configure the Rules `auth0` global.
type GlobalOptions struct {
	// Domain is the tenant domain, exposed as auth0.domain.
	Domain string
	// AccessToken is the Management API token (scopes read:users update:users), exposed as
	// auth0.accessToken and sent by auth0.users.*.
	AccessToken string
	// MgmtURL, when set, is the Management API base URL used by auth0.users.* and exposed as
	// auth0.baseUrl (so raw-HTTP rules reach the same API). Default: https://<Domain>/api/v2.
	MgmtURL string
	// Transport carries the requests. Default: a keep-alive pooled transport enforcing Egress.
	Transport http.RoundTripper
	// Egress is the policy of the default transport, as Options.Egress: the zero Policy reaches a
	// Domain only on a public address; with MgmtURL its host is permitted whatever its address.
	Egress egress.Policy
}

// Global returns the installer of the Rules `auth0` global: the node-auth0 2.0.0-alpha client the
// Rules runtime exposed, with accessToken, domain, baseUrl and users.updateAppMetadata /
// users.updateUserMetadata(userId, metadata[, cb]). Those send PATCH <baseUrl>/users/<userId> with
// {app_metadata|user_metadata: metadata}, return a bluebird-style promise of the updated user, and
// with a callback call cb(null, user) or cb(err) and leave the promise pending. HTTP errors are
// ApiError {statusCode, error, message} from the response body; transport errors pass through.
// Every request is bound by the host's context. The options are checked when the installer runs.
func Global(opts GlobalOptions) registry.GlobalInstaller {
	var (
		p       *Provider
		initErr error
	)
	if opts.MgmtURL == "" && opts.Domain == "" {
		initErr = fmt.Errorf("%w: the auth0 global needs a Domain or a MgmtURL", ErrBadOptions)
	} else {
		p, initErr = NewProvider(Options{MgmtURL: opts.MgmtURL, Transport: opts.Transport, Egress: opts.Egress})
	}
	return func(rt *goja.Runtime, host registry.Host) error {
		if initErr != nil {
			return initErr
		}
		g, err := loadGlue(rt, host)
		if err != nil {
			return err
		}
		a := &alphaClient{p: p, rt: rt, host: host, g: g, token: opts.AccessToken}
		a.t = alphaTarget(p, opts.Domain)
		obj := rt.NewObject()
		users := rt.NewObject()
		_ = users.Set("updateAppMetadata", a.updater("app_metadata"))
		_ = users.Set("updateUserMetadata", a.updater("user_metadata"))
		_ = obj.Set("accessToken", opts.AccessToken)
		_ = obj.Set("domain", opts.Domain)
		_ = obj.Set("baseUrl", a.t.scheme+"://"+a.t.host+a.t.basePath)
		_ = obj.Set("users", users)
		return rt.Set("auth0", obj)
	}
}

// alphaTarget is the alpha client's base URL and headers.
func alphaTarget(p *Provider, domain string) *target {
	t := &target{header: make(http.Header, 2)}
	t.header.Set("Content-Type", "application/json")
	t.header.Set("Accept", "application/json")
	if p.base != nil {
		t.scheme, t.host, t.basePath = p.base.Scheme, p.base.Host, p.base.EscapedPath()
		return t
	}
	u, err := url.Parse("https://" + domain + "/api/v2")
	if err != nil || u.Host == "" {
		t.scheme, t.host, t.basePath = "https", domain, "/api/v2"
		t.err = fmt.Errorf("getaddrinfo ENOTFOUND %s", domain)
		return t
	}
	t.scheme, t.host, t.basePath = u.Scheme, u.Host, "/api/v2"
	return t
}

// alphaClient is the `auth0` global of one runtime.
type alphaClient struct {
	p     *Provider
	rt    *goja.Runtime
	host  registry.Host
	g     *glue
	t     *target
	token string
}

// updater returns users.updateAppMetadata or users.updateUserMetadata.
func (a *alphaClient) updater(field string) func(goja.FunctionCall) goja.Value {
	rt := a.rt
	return func(call goja.FunctionCall) goja.Value {
		userID, metadata := call.Argument(0), call.Argument(1)
		cb, _ := goja.AssertFunction(call.Argument(2))
		body := rt.NewObject()
		_ = body.Set(field, metadata)
		s, err := a.g.stringify(goja.Undefined(), body)
		if err != nil {
			panic(err)
		}
		req := &apiRequest{method: http.MethodPatch, path: "/users/" + userID.String(), body: []byte(s.String()), contentType: "application/json"}
		arr, err := a.g.deferred(goja.Undefined(), rt.ToValue(true))
		if err != nil {
			panic(err)
		}
		d := arr.ToObject(rt)
		resolve, _ := goja.AssertFunction(d.Get("1"))
		reject, _ := goja.AssertFunction(d.Get("2"))
		spec := &sendSpec{t: a.t, token: a.token}
		ctx := a.host.Context()
		done := a.host.Reserve()
		go func() {
			res := a.p.send(ctx, spec, req)
			done(func(*goja.Runtime) {
				val, errVal := a.outcome(res)
				switch {
				case cb != nil && errVal != nil:
					_, _ = cb(goja.Undefined(), errVal)
				case cb != nil:
					_, _ = cb(goja.Undefined(), goja.Null(), val)
				case errVal != nil:
					_, _ = reject(goja.Undefined(), errVal)
				default:
					_, _ = resolve(goja.Undefined(), val)
				}
			})
		}()
		return d.Get("0")
	}
}

// outcome is the alpha client's result: the parsed body, or an ApiError / transport error.
func (a *alphaClient) outcome(res *response) (goja.Value, goja.Value) {
	rt := a.rt
	m := &module{rt: rt, g: a.g}
	if res.netErr != nil {
		ne := describeNetError(res.netErr, hostOf(res.url))
		var addr, port goja.Value = goja.Undefined(), goja.Undefined()
		if ne.address != "" {
			addr, port = rt.ToValue(ne.address), rt.ToValue(ne.port)
		}
		e, err := a.g.systemError(goja.Undefined(), rt.ToValue(ne.message), rt.ToValue(ne.errno), rt.ToValue(ne.code), rt.ToValue(ne.syscall), addr, port)
		if err != nil {
			panic(err)
		}
		return nil, e
	}
	body, _ := m.parseJSON(res.header, res.body)
	if res.status >= 200 && res.status <= 299 {
		return body, nil
	}
	status := get(rt, body, "statusCode")
	if goja.IsUndefined(status) {
		status = rt.ToValue(res.status)
	}
	errName := get(rt, body, "error")
	if goja.IsUndefined(errName) {
		errName = rt.ToValue(http.StatusText(res.status))
	}
	e, err := rt.New(a.g.alphaError, status, errName, get(rt, body, "message"))
	if err != nil {
		panic(err)
	}
	return nil, e
}
