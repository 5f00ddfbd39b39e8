package auth0

import (
	"bytes"
	"math/rand/v2"
	"strings"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

// newTokenProvider is the instance's tokenProvider (2.18+): getAccessToken() resolves to the
// static token, or fetches (and caches) a client-credentials token.
func (m *module) newTokenProvider(c *clientObj) *goja.Object {
	rt := m.rt
	o := rt.NewObject()
	fn := m.namedFunction("getAccessToken", 0, func(goja.FunctionCall) goja.Value {
		p, resolve, reject := m.newPromise()
		if c.cfg.cc == nil {
			resolve(rt.ToValue(c.cfg.token))
			return p
		}
		s := c.sendSpec()
		ctx := m.host.Context()
		done := m.host.Reserve()
		go func() {
			tok, res := m.p.accessToken(ctx, s.t, s.cc)
			done(func(*goja.Runtime) {
				if res != nil {
					reject(m.requestError(res))
					return
				}
				resolve(rt.ToValue(tok))
			})
		}()
		return p
	})
	_ = o.Set("getAccessToken", fn)
	return o
}

// importUsers sends the multipart users import. The sandbox has no file system: a users file path
// fails like a missing file in Node (ENOENT); users_json (2.25+) is sent inline.
func (m *module) importUsers(c *clientObj, ep *spec.EndpointRange, data goja.Value, cb goja.Callable) goja.Value {
	rt := m.rt
	if isNullish(data) {
		o := ep.NoArgs
		if o == nil || o.Class != "TypeError" {
			o = &spec.Outcome{Kind: spec.OutcomeThrows, Class: "TypeError", Message: "Cannot read properties of " + nullishName(data) + " (reading 'users')"}
		}
		return m.outcome(c, ep, o, cb)
	}
	var users string
	if j := get(rt, data, "users_json"); m.f.ImportUsersJSON && truthy(j) {
		users = j.String()
	} else {
		path := get(rt, data, "users")
		if !isString(path) {
			panic(m.typeError("The \"path\" argument must be of type string or an instance of Buffer or URL. Received " + typeName(path)))
		}
		e, err := m.g.systemError(goja.Undefined(), rt.ToValue("ENOENT: no such file or directory, open '"+path.String()+"'"),
			rt.ToValue(-2), rt.ToValue("ENOENT"), rt.ToValue("open"), goja.Undefined(), goja.Undefined())
		if err != nil {
			panic(err)
		}
		_ = e.ToObject(rt).Set("path", path)
		return m.settleLater(e, cb)
	}
	boundary := multipartBoundary(rand.Uint64())
	var b bytes.Buffer
	part := func(name, filename, contentType, value string) {
		b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"")
		if filename != "" {
			b.WriteString("; filename=\"" + filename + "\"")
		}
		b.WriteString("\r\n")
		if contentType != "" {
			b.WriteString("Content-Type: " + contentType + "\r\n")
		}
		b.WriteString("\r\n" + value + "\r\n")
	}
	part("users", "users.json", "application/json", users)
	for _, k := range []string{"connection_id", "upsert", "send_completion_email", "external_id"} {
		if v := get(rt, data, k); !isNullish(v) {
			part(k, "", "", v.String())
		}
	}
	b.WriteString("--" + boundary + "--\r\n")
	req := &apiRequest{method: ep.Verb, path: ep.Path, body: b.Bytes(), contentType: "multipart/form-data; boundary=" + boundary, rawResponse: ep.Result == "response"}
	return m.dispatch(c, req, cb)
}

// typeName renders a value the way Node's ERR_INVALID_ARG_TYPE does ("undefined", "type number (1)").
func typeName(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case isObject(v):
		return "an instance of Object"
	}
	s := v.String()
	if len(s) > 25 {
		s = s[:25] + "..."
	}
	t := "string"
	switch {
	case isNumber(v):
		t = "number"
	case isBool(v):
		t = "boolean"
	}
	return "type " + t + " (" + strings.TrimSpace(s) + ")"
}
