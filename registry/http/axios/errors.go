package axios

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// codeBadRequest is the code of errors in the request itself: ERR_BAD_REQUEST from 0.27 on, none
// before.
func (m *module) codeBadRequest() string {
	if m.atLeast("0.27.0") {
		return "ERR_BAD_REQUEST"
	}
	return ""
}

// axiosError is axios's createError(message, config, code, request, response).
func (m *module) axiosError(msg, code string, config *goja.Object, request, response goja.Value) *goja.Object {
	return m.enhance(m.env.Error(msg), code, config, request, response)
}

// enhance is axios's enhanceError: it adds config, code, request, response, isAxiosError and
// toJSON to an Error.
func (m *module) enhance(e *goja.Object, code string, config *goja.Object, request, response goja.Value) *goja.Object {
	rt := m.env.RT
	e.Set("config", config)
	if code != "" {
		e.Set("code", code)
	}
	e.Set("request", request)
	e.Set("response", response)
	if m.atLeast("0.27.0") {
		e.Set("name", "AxiosError")
	}
	if !m.atLeast("0.19.0") {
		return e
	}
	e.Set("isAxiosError", true)
	m.env.Method(e, "toJSON", func(goja.FunctionCall) goja.Value {
		j := rt.NewObject()
		for _, k := range []string{"message", "name", "description", "number", "fileName", "lineNumber", "columnNumber", "stack", "config"} {
			j.Set(k, e.Get(k))
		}
		if m.atLeast("0.21.0") {
			j.Set("code", e.Get("code"))
		}
		if m.atLeast("0.27.0") {
			status := goja.Value(goja.Null())
			if r, ok := response.(*goja.Object); ok {
				status = r.Get("status")
			}
			j.Set("status", status)
		}
		return j
	})
	return e
}

// callError converts a failed call into the rejection axios produces for it.
func (m *module) callError(err error, config, reqInfo *goja.Object, timeoutMS, maxContentLength int64) *goja.Object {
	var size *egress.SizeError
	f := jshttp.Classify(err, reqInfo.Get("host").String())
	switch {
	case f.Timeout && timeoutMS > 0 && errors.Is(err, egress.ErrTimeout):
		msg := fmt.Sprintf("timeout of %dms exceeded", timeoutMS)
		if t := config.Get("timeoutErrorMessage"); m.atLeast("0.21.0") && truthy(t) {
			msg = t.String()
		}
		return m.axiosError(msg, "ECONNABORTED", config, reqInfo, goja.Undefined())
	case errors.As(err, &size) && maxContentLength > -1 && size.Limit == max(maxContentLength, 1):
		code := ""
		if m.atLeast("0.27.0") {
			code = "ERR_BAD_RESPONSE"
		}
		return m.axiosError(fmt.Sprintf("maxContentLength size of %d exceeded", maxContentLength), code, config, reqInfo, goja.Undefined())
	case f.Code == jshttp.CodeTooManyHops:
		return m.axiosError("Maximum number of redirects exceeded", "ERR_FR_TOO_MANY_REDIRECTS", config, reqInfo, goja.Undefined())
	}
	return m.enhance(m.env.NewError(f), f.Code, config, reqInfo, goja.Undefined())
}
