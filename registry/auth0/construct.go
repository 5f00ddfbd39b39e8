package auth0

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

// nodeVersion is the Node.js version the shim reports in User-Agent and telemetry (the version the
// reference was observed on).
const nodeVersion = "20.20.2"

// construct validates the constructor options with the version's messages and returns the client.
// Errors are thrown as the version's ArgumentError.
func (m *module) construct(opts goja.Value) *clientObj {
	rt, f := m.rt, m.f
	if !isObject(opts) {
		panic(m.argumentError("Management API SDK options must be an object"))
	}
	o := opts.(*goja.Object)
	c := &clientObj{m: m}
	cfg := &c.cfg
	domain, token := prop(o, "domain"), prop(o, "token")
	if f.LegacyConstructor {
		if !truthy(token) {
			panic(m.argumentError("An access token must be provided"))
		}
		if !truthy(domain) {
			panic(m.argumentError("Must provide a domain"))
		}
		cfg.token = token.String()
	} else {
		if !truthy(domain) {
			panic(m.argumentError("Must provide a domain"))
		}
		if goja.IsUndefined(token) {
			cfg.cc = m.clientCredentials(o, domain.String())
		} else if !isString(token) || token.String() == "" {
			panic(m.argumentError("Must provide a token"))
		} else {
			cfg.token = token.String()
		}
	}
	cfg.domain = domain.String()
	cfg.retry, cfg.retries = f.Retry != spec.RetryNone, f.DefaultMaxRetries
	if f.RetryOption {
		if r := prop(o, "retry"); isObject(r) {
			en, mr := get(rt, r, "enabled"), get(rt, r, "maxRetries")
			if !goja.IsUndefined(en) && !isBool(en) {
				panic(m.argumentError("Must provide enabled boolean value"))
			}
			if !goja.IsUndefined(mr) && (!isNumber(mr) || mr.ToFloat() <= 0) {
				panic(m.argumentError("Must provide maxRetries as a positive number"))
			}
			if isBool(en) && !en.ToBoolean() {
				cfg.retry = false
			}
			if isNumber(mr) {
				cfg.retries = int(mr.ToInteger())
			}
		}
	}
	cfg.telemetry = m.telemetry
	if tel := prop(o, "telemetry"); isBool(tel) && !tel.ToBoolean() {
		cfg.telemetry = ""
	} else if ci := prop(o, "clientInfo"); f.ClientInfoOption && truthy(ci) {
		s, err := m.g.stringify(goja.Undefined(), ci)
		if err != nil {
			panic(err)
		}
		cfg.telemetry = encodeTelemetry(s.String())
	}
	if f.HeadersOption {
		if h := prop(o, "headers"); isObject(h) {
			ho := h.(*goja.Object)
			for _, k := range ho.Keys() {
				if v := ho.Get(k); !isNullish(v) {
					cfg.headers = append(cfg.headers, [2]string{k, v.String()})
				}
			}
		}
	}
	if f.UserAgentOption {
		if ua := prop(o, "userAgent"); truthy(ua) {
			cfg.userAgent = ua.String()
		}
	}
	if f.IncludeResponseHeaders {
		cfg.withHdrs = truthy(prop(o, "includeResponseHeaders"))
	}
	return c
}

// clientCredentials reads and validates the client-credentials options (2.8+).
func (m *module) clientCredentials(o *goja.Object, domain string) *ccConfig {
	rt := m.rt
	id, secret := prop(o, "clientId"), prop(o, "clientSecret")
	if !truthy(id) {
		panic(m.argumentError("Must provide a clientId"))
	}
	if !truthy(secret) {
		panic(m.argumentError(m.f.ClientSecretMessage))
	}
	cc := &ccConfig{clientID: id.String(), clientSecret: secret.String(), cache: true}
	if s := prop(o, "scope"); !goja.IsUndefined(s) {
		if !isString(s) {
			panic(m.argumentError("scope must be a string"))
		}
		cc.scope = s.String()
	}
	cc.audience = "https://" + domain + "/api/v2/"
	if a := prop(o, "audience"); truthy(a) {
		cc.audience = a.String()
	}
	if tp := prop(o, "tokenProvider"); isObject(tp) {
		en, ttl := get(rt, tp, "enableCache"), get(rt, tp, "cacheTTLInSeconds")
		if !goja.IsUndefined(en) && !isBool(en) {
			panic(m.argumentError("enableCache must be a boolean"))
		}
		if !goja.IsUndefined(ttl) && (!isNumber(ttl) || ttl.ToFloat() <= 0) {
			panic(m.argumentError("cacheTTLInSeconds must be a greater than 0"))
		}
		if isBool(en) {
			cc.cache = en.ToBoolean()
		}
		if isNumber(ttl) {
			cc.ttlSeconds = ttl.ToFloat()
		}
	}
	return cc
}

// argumentError builds the SDK's own ArgumentError (name "Error" in 2.0–2.6).
func (m *module) argumentError(msg string) *goja.Object {
	return m.argumentErrorNamed(msg, m.f.ArgumentErrorName)
}

// argumentErrorNamed builds an ArgumentError whose name is name; "Error" leaves the name to
// Error.prototype, as the 2.0–2.6 SDK's own class did (rest-facade's always names itself).
func (m *module) argumentErrorNamed(msg, name string) *goja.Object {
	if name == "Error" {
		name = ""
	} else if name == "" {
		name = "ArgumentError"
	}
	o, err := m.rt.New(m.g.argumentError, m.rt.ToValue(msg), m.rt.ToValue(name))
	if err != nil {
		panic(err)
	}
	return o
}

// typeError builds a TypeError with V8's wording.
func (m *module) typeError(msg string) *goja.Object {
	return m.rt.NewTypeError("%s", msg)
}
