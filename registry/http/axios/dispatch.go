package axios

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/jshttp"
)

// methodHeaderKeys are the per-method header groups removed when headers are flattened.
var methodHeaderKeys = []string{"delete", "get", "head", "post", "put", "patch", "common"}

var absoluteURL = regexp.MustCompile(`(?i)^([a-z][a-z\d+\-.]*:)?//`)

// settleFuncs resolve or reject a request's promise on the loop.
type settleFuncs struct {
	resolve, reject func(any) error
}

// dispatchRequest sends one merged config and returns the promise of its response.
func (m *module) dispatchRequest(cfgV goja.Value) goja.Value {
	rt := m.env.RT
	promise, resolve, reject := rt.NewPromise()
	p := &settleFuncs{resolve: resolve, reject: reject}
	config, ok := cfgV.(*goja.Object)
	if !ok {
		jshttp.Must(reject(rt.NewTypeError("axios: the request config must be an object")))
		return rt.ToValue(promise)
	}
	if err := m.send(config, p); err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			jshttp.Must(reject(ex.Value()))
		} else {
			jshttp.Must(reject(m.axiosError(err.Error(), m.codeBadRequest(), config, goja.Undefined(), goja.Undefined())))
		}
	}
	return rt.ToValue(promise)
}

// send transforms the request, starts the call and arranges for p to settle. A returned error
// rejects the promise at once.
func (m *module) send(config *goja.Object, p *settleFuncs) error {
	rt := m.env.RT
	headers, ok := config.Get("headers").(*goja.Object)
	if !ok {
		headers = rt.NewObject()
		config.Set("headers", headers)
	}
	data, err := m.transformData(config, config.Get("data"), headers, config.Get("transformRequest"))
	if err != nil {
		return err
	}
	config.Set("data", data)
	method := strings.ToLower(config.Get("method").String())
	flat := m.flattenHeaders(headers, method)
	config.Set("headers", flat)

	full := config.Get("url")
	if base := config.Get("baseURL"); truthy(base) && !absoluteURL.MatchString(stringOr(full, "")) {
		full = rt.ToValue(combineURLs(base.String(), stringOr(full, "")))
	}
	rawURL := m.buildURL(full, config)
	u, err := jshttp.ParseURL(rawURL)
	if err != nil {
		if !strings.Contains(rawURL, "://") {
			return fmt.Errorf("Unsupported protocol undefined: %s is not an absolute URL; set baseURL or use a full URL", rawURL)
		}
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("Unsupported protocol %s:", u.Scheme)
	}

	header := http.Header{}
	jshttp.AddHeaders(rt, header, flat)
	if header.Get("User-Agent") == "" {
		header.Set("User-Agent", "axios/"+m.version.Original())
	}
	if auth, ok := config.Get("auth").(*goja.Object); ok {
		cred := stringOr(auth.Get("username"), "") + ":" + stringOr(auth.Get("password"), "")
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	} else if u.User != nil {
		pass, _ := u.User.Password()
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}
	u.User = nil

	var body io.Reader
	if defined(data) && !goja.IsNull(data) {
		if s, ok := data.Export().(string); ok {
			body = strings.NewReader(s)
		} else if b, ok := jshttp.Bytes(data); ok {
			body = bytes.NewReader(b)
		} else {
			return errors.New("Data after transformation must be a string, an ArrayBuffer, a Buffer, or a Stream")
		}
	}
	req, err := http.NewRequest(strings.ToUpper(method), u.String(), body)
	if err != nil {
		return err
	}
	req.Header = header

	opts := egress.CallOptions{}
	var timeoutMS int64
	if t := config.Get("timeout"); truthy(t) {
		timeoutMS = t.ToInteger()
		if timeoutMS > 0 {
			opts.Timeout = time.Duration(timeoutMS) * time.Millisecond
		}
	}
	if v := config.Get("maxRedirects"); defined(v) && !goja.IsNull(v) {
		if n := v.ToInteger(); n <= 0 {
			opts.Redirect = egress.RedirectManual
		} else {
			opts.MaxRedirects = int(n)
		}
	}
	var maxLen int64 = -1
	if v := config.Get("maxContentLength"); defined(v) && v.ToInteger() > -1 {
		maxLen = v.ToInteger()
		opts.MaxResponseBytes = max(maxLen, 1)
	}
	responseType := stringOr(config.Get("responseType"), "json")
	if responseType == "stream" {
		return errors.New(`responseType "stream" is not supported by this axios implementation; use "text", "json" or "arraybuffer"`)
	}
	reqInfo := m.requestInfo(req, u)
	m.env.Start(jshttp.Call{Req: req, Opts: opts}, func(resp *egress.Response, err error) {
		if err != nil {
			jshttp.Must(p.reject(m.callError(err, config, reqInfo, timeoutMS, maxLen)))
			return
		}
		m.settle(config, reqInfo, resp, responseType, p)
	})
	return nil
}

// requestInfo stands in for the Node ClientRequest axios exposes as error.request and
// response.request.
func (m *module) requestInfo(req *http.Request, u *url.URL) *goja.Object {
	o := m.env.RT.NewObject()
	o.Set("method", req.Method)
	o.Set("path", u.RequestURI())
	o.Set("host", u.Hostname())
	o.Set("protocol", u.Scheme+":")
	return o
}

// settle turns a response into the resolved value or the rejection, as axios's settle and
// dispatchRequest do.
func (m *module) settle(config, reqInfo *goja.Object, resp *egress.Response, responseType string, p *settleFuncs) {
	rt := m.env.RT
	var data goja.Value
	if responseType == "arraybuffer" {
		data = m.env.Buffer(resp.Body)
	} else {
		enc := stringOr(config.Get("responseEncoding"), "utf8")
		s, err := jshttp.Decode(resp.Body, enc)
		if err != nil {
			jshttp.Must(p.reject(m.axiosError(err.Error(), "", config, reqInfo, goja.Undefined())))
			return
		}
		if m.atLeast("0.20.0") && (enc == "utf8" || enc == "utf-8") {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		data = rt.ToValue(s)
	}
	response := rt.NewObject()
	response.Set("status", resp.Status)
	response.Set("statusText", resp.StatusText)
	headers := m.env.NodeHeaders(resp.Header)
	response.Set("headers", headers)
	response.Set("config", config)
	response.Set("request", reqInfo)
	data, err := m.transformData(config, data, headers, config.Get("transformResponse"))
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			jshttp.Must(p.reject(ex.Value()))
			return
		}
		jshttp.Must(p.reject(m.env.Error(err.Error())))
		return
	}
	response.Set("data", data)

	valid := true
	if vs, ok := goja.AssertFunction(config.Get("validateStatus")); ok && resp.Status != 0 {
		v, err := vs(goja.Undefined(), rt.ToValue(resp.Status))
		if err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				jshttp.Must(p.reject(ex.Value()))
				return
			}
			panic(err)
		}
		valid = v.ToBoolean()
	}
	if valid {
		jshttp.Must(p.resolve(response))
		return
	}
	code := ""
	if m.atLeast("0.27.0") {
		code = "ERR_BAD_RESPONSE"
		if resp.Status < 500 {
			code = "ERR_BAD_REQUEST"
		}
	}
	jshttp.Must(p.reject(m.axiosError(fmt.Sprintf("Request failed with status code %d", resp.Status), code, config, reqInfo, response)))
}

// transformData runs the transform function(s) fns over data with this = config.
func (m *module) transformData(config *goja.Object, data goja.Value, headers *goja.Object, fns goja.Value) (goja.Value, error) {
	var list []goja.Value
	if _, ok := goja.AssertFunction(fns); ok {
		list = []goja.Value{fns}
	} else if arr, ok := fns.(*goja.Object); ok && arr.ClassName() == "Array" {
		for _, k := range arr.Keys() {
			list = append(list, arr.Get(k))
		}
	}
	for _, f := range list {
		fn, ok := goja.AssertFunction(f)
		if !ok {
			continue
		}
		v, err := fn(config, undefinedIfNil(data), headers)
		if err != nil {
			return nil, err
		}
		data = v
	}
	return data, nil
}

// flattenHeaders is dispatchRequest's merge(headers.common, headers[method], headers) without the
// per-method groups.
func (m *module) flattenHeaders(h *goja.Object, method string) *goja.Object {
	var parts []*goja.Object
	if c, ok := m.plain(h.Get("common")); ok {
		parts = append(parts, c)
	}
	if c, ok := m.plain(h.Get(method)); ok {
		parts = append(parts, c)
	}
	parts = append(parts, h)
	flat := m.merge(parts...)
	for _, k := range methodHeaderKeys {
		flat.Delete(k)
	}
	return flat
}

// normalizeHeaderName renames a header whose name differs from name only in case.
func normalizeHeaderName(h *goja.Object, name string) {
	for _, k := range h.Keys() {
		if k != name && strings.EqualFold(k, name) {
			h.Set(name, h.Get(k))
			h.Delete(k)
		}
	}
}

// defaultTransformRequest is axios's default transformRequest(data, headers).
func (m *module) defaultTransformRequest(call goja.FunctionCall) goja.Value {
	data := call.Argument(0)
	headers, _ := call.Argument(1).(*goja.Object)
	if headers != nil {
		normalizeHeaderName(headers, "Accept")
		normalizeHeaderName(headers, "Content-Type")
	}
	setIfUnset := func(v string) {
		if headers != nil && !defined(headers.Get("Content-Type")) {
			headers.Set("Content-Type", v)
		}
	}
	if _, isObj := data.(*goja.Object); !isObj {
		return data
	}
	if _, ok := jshttp.Bytes(data); ok {
		return data // Buffers, Uint8Arrays and ArrayBuffers go out as they are
	}
	if jshttp.IsURLSearchParams(data) {
		setIfUnset("application/x-www-form-urlencoded;charset=utf-8")
		return m.env.RT.ToValue(data.String())
	}
	if _, isFn := goja.AssertFunction(data); isFn {
		return data
	}
	setIfUnset(m.jsonContentType())
	return m.env.RT.ToValue(m.env.StringifyJSON(data))
}

// defaultTransformResponse is axios's default transformResponse(data): strings that are JSON are
// parsed; anything else is returned as it is.
func (m *module) defaultTransformResponse(call goja.FunctionCall) goja.Value {
	data := call.Argument(0)
	s, ok := data.Export().(string)
	if !ok || s == "" {
		return data
	}
	if v, err := m.env.ParseJSON(s); err == nil {
		return v
	}
	return data
}

// buildURL appends the serialized params (params, paramsSerializer) to url, dropping any fragment.
func (m *module) buildURL(urlV goja.Value, config *goja.Object) string {
	u := stringOr(urlV, "")
	params := config.Get("params")
	if !defined(params) || goja.IsNull(params) {
		return u
	}
	var serialized string
	if ser, ok := goja.AssertFunction(config.Get("paramsSerializer")); ok {
		v, err := ser(goja.Undefined(), params)
		if err != nil {
			panic(err)
		}
		serialized = v.String()
	} else if jshttp.IsURLSearchParams(params) {
		serialized = params.String()
	} else {
		serialized = m.env.AxiosParams(params)
	}
	if serialized == "" {
		return u
	}
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	if strings.Contains(u, "?") {
		return u + "&" + serialized
	}
	return u + "?" + serialized
}

// combineURLs is axios's combineURLs(baseURL, relativeURL).
func combineURLs(base, rel string) string {
	if rel == "" {
		return base
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(rel, "/")
}

func stringOr(v goja.Value, def string) string {
	if !defined(v) || goja.IsNull(v) {
		return def
	}
	return v.String()
}
