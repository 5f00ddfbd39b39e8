package request

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

// spec is a request call's options, validated and converted to Go.
type spec struct {
	method   string
	url      *url.URL
	header   http.Header
	body     []byte
	hasBody  bool
	json     bool
	encoding goja.Value // undefined: utf8 string; null: Buffer; string: that encoding
	timeout  time.Duration
	redirect egress.RedirectMode
	maxHops  int
	time     bool
	callback goja.Callable
}

// rfc3986 is request's querystring rfc3986(): the characters encodeURIComponent leaves alone but
// RFC 3986 reserves.
var rfc3986 = strings.NewReplacer("!", "%21", "'", "%27", "(", "%28", ")", "%29", "*", "%2A")

var formType = regexp.MustCompile(`(?i)^application/x-www-form-urlencoded\b`)

// parse converts merged options into a spec. Errors are those request reports through the
// callback ("Invalid URI …", "options.uri is a required argument", …).
func (m *module) parse(p *goja.Object) (*spec, error) {
	rt := m.env.RT
	s := &spec{header: http.Header{}, encoding: p.Get("encoding"), redirect: egress.RedirectFollow, maxHops: 10}
	if s.encoding == nil {
		s.encoding = goja.Undefined()
	}
	if cb, ok := goja.AssertFunction(p.Get("callback")); ok {
		s.callback = cb
	}
	s.method = "GET"
	if v := p.Get("method"); truthy(v) {
		s.method = strings.ToUpper(v.String())
	}
	jshttp.AddHeaders(rt, s.header, p.Get("headers"))

	u, err := m.uri(p)
	if err != nil {
		return s, err
	}
	s.url = u
	if u.User != nil {
		if s.header.Get("Authorization") == "" {
			user := u.User.Username()
			pass, _ := u.User.Password()
			s.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
		}
		u.User = nil
	}
	useQuerystring := truthy(p.Get("useQuerystring"))
	stringify := func(v goja.Value) string {
		if useQuerystring {
			return jshttp.QuerystringStringify(v)
		}
		return jshttp.QSStringify(rt, v)
	}
	if qs := p.Get("qs"); truthy(qs) {
		mergeQuery(rt, u, qs, stringify(qs))
	}

	// The body goes through the same stages as in request's init: form replaces body, json then
	// serializes whatever body is set (or its own value), and what is left must be a string or
	// binary data.
	body := p.Get("body")
	if form := p.Get("form"); truthy(form) {
		if !formType.MatchString(s.header.Get("Content-Type")) {
			s.header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if _, ok := form.Export().(string); ok {
			body = form
		} else {
			body = rt.ToValue(stringify(form))
		}
	}
	if v := p.Get("formData"); truthy(v) {
		return s, errors.New("formData (multipart/form-data) is not supported by this request implementation; send the fields with form")
	}
	if v := p.Get("multipart"); truthy(v) {
		return s, errors.New("multipart is not supported by this request implementation; send the fields with form or body")
	}
	if j := p.Get("json"); truthy(j) {
		s.json = true
		if s.header.Get("Accept") == "" {
			s.header.Set("Accept", "application/json")
		}
		_, isBool := j.Export().(bool)
		switch {
		case isBool && (body == nil || goja.IsUndefined(body)):
		case isBool && formType.MatchString(s.header.Get("Content-Type")):
			body = rt.ToValue(rfc3986.Replace(body.String()))
		case isBool:
			body = rt.ToValue(m.env.StringifyJSON(body))
		default:
			body = rt.ToValue(m.env.StringifyJSON(j))
		}
		if body != nil && !goja.IsUndefined(body) && s.header.Get("Content-Type") == "" {
			s.header.Set("Content-Type", "application/json")
		}
	}
	if truthy(body) {
		if err := s.setBody(body); err != nil {
			return s, err
		}
	}
	if auth := p.Get("auth"); truthy(auth) {
		if err := s.setAuth(rt, auth.ToObject(rt)); err != nil {
			return s, err
		}
	}
	if t := p.Get("timeout"); truthy(t) {
		if ms := t.ToFloat(); ms > 0 {
			s.timeout = time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := p.Get("maxRedirects"); v != nil && !goja.IsUndefined(v) {
		s.maxHops = int(v.ToInteger())
	}
	follow := p.Get("followRedirect")
	switch {
	case follow != nil && !goja.IsUndefined(follow) && !follow.ToBoolean():
		s.redirect = egress.RedirectManual
	case truthy(p.Get("followAllRedirects")):
	case s.method == "PATCH" || s.method == "PUT" || s.method == "POST" || s.method == "DELETE":
		s.redirect = egress.RedirectManual
	}
	s.time = truthy(p.Get("time"))
	return s, nil
}

// uri resolves uri/url and baseUrl into an absolute http(s) URL, with request's checks in
// request's order.
func (m *module) uri(p *goja.Object) (*url.URL, error) {
	v := p.Get("uri")
	if !truthy(v) && truthy(p.Get("url")) {
		v = p.Get("url")
	}
	if base := p.Get("baseUrl"); truthy(base) {
		b, ok := base.Export().(string)
		if !ok {
			return nil, errors.New("options.baseUrl must be a string")
		}
		raw, ok := v.Export().(string)
		if !ok {
			return nil, errors.New("options.uri must be a string when using options.baseUrl")
		}
		if strings.HasPrefix(raw, "//") || strings.Contains(raw, "://") {
			return nil, errors.New("options.uri must be a path when using options.baseUrl")
		}
		baseSlash, uriSlash := strings.HasSuffix(b, "/"), strings.HasPrefix(raw, "/")
		switch {
		case baseSlash && uriSlash:
			raw = b + raw[1:]
		case baseSlash || uriSlash:
			raw = b + raw
		case raw == "":
			raw = b
		default:
			raw = b + "/" + raw
		}
		v = m.env.RT.ToValue(raw)
	}
	if !truthy(v) {
		return nil, errors.New("options.uri is a required argument")
	}
	var raw string
	if o, ok := v.(*goja.Object); ok {
		href := o.Get("href")
		if !truthy(href) {
			return nil, errors.New("options.uri must be a string or an object with href")
		}
		raw = href.String()
	} else {
		raw = v.String()
	}
	u, err := jshttp.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("Invalid URI %q", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("Invalid protocol: %s:", u.Scheme)
	}
	return u, nil
}

// mergeQuery adds the serialized qs option to u; keys of qs replace same-named keys of the URL's
// own query, as request's qs() does.
func mergeQuery(rt *goja.Runtime, u *url.URL, qs goja.Value, serialized string) {
	if u.RawQuery != "" {
		keys := map[string]bool{}
		for _, k := range qs.ToObject(rt).Keys() {
			keys[k] = true
		}
		var kept []string
		for _, part := range strings.Split(u.RawQuery, "&") {
			k, _, _ := strings.Cut(part, "=")
			if dk, err := url.QueryUnescape(k); err == nil {
				if i := strings.IndexByte(dk, '['); i > 0 {
					dk = dk[:i]
				}
				if keys[dk] {
					continue
				}
			}
			kept = append(kept, part)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	jshttp.AppendQuery(u, serialized)
}

// setBody takes the body option: a string, a Buffer/typed array, or an array of them.
func (s *spec) setBody(v goja.Value) error {
	if str, ok := v.Export().(string); ok {
		s.body, s.hasBody = []byte(str), true
		return nil
	}
	if b, ok := jshttp.Bytes(v); ok {
		s.body, s.hasBody = b, true
		return nil
	}
	if o, ok := v.(*goja.Object); ok && o.ClassName() == "Array" {
		var buf bytes.Buffer
		for _, k := range o.Keys() {
			b, ok := jshttp.Bytes(o.Get(k))
			if !ok {
				return errors.New("Argument error, options.body.")
			}
			buf.Write(b)
		}
		s.body, s.hasBody = buf.Bytes(), true
		return nil
	}
	if _, isObj := v.(*goja.Object); isObj {
		return errors.New("Argument error, options.body.")
	}
	s.body, s.hasBody = []byte(v.String()), true
	return nil
}

// setAuth applies the auth option: {bearer} or {user|username, pass|password}.
func (s *spec) setAuth(rt *goja.Runtime, a *goja.Object) error {
	if b := a.Get("bearer"); b != nil && !goja.IsUndefined(b) {
		if fn, ok := goja.AssertFunction(b); ok {
			v, err := fn(goja.Undefined())
			if err != nil {
				return err
			}
			b = v
		}
		s.header.Set("Authorization", "Bearer "+b.String())
		return nil
	}
	user, pass := a.Get("user"), a.Get("pass")
	if user == nil || goja.IsUndefined(user) {
		user = a.Get("username")
	}
	if pass == nil || goja.IsUndefined(pass) {
		pass = a.Get("password")
	}
	if (user == nil || goja.IsUndefined(user)) && (pass == nil || goja.IsUndefined(pass)) {
		return errors.New("auth() received invalid user or password")
	}
	str := func(v goja.Value) string {
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return ""
		}
		return v.String()
	}
	cred := str(user) + ":" + str(pass)
	s.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	return nil
}

// httpRequest builds the outgoing request.
func (s *spec) httpRequest() (*http.Request, error) {
	var body io.Reader
	if s.hasBody {
		body = bytes.NewReader(s.body)
	}
	req, err := http.NewRequest(s.method, s.url.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header = s.header
	if _, ok := s.header["User-Agent"]; !ok {
		s.header["User-Agent"] = []string{""} // request sends none; an empty value stops Go's default
	}
	if h := s.header.Get("Host"); h != "" {
		req.Host = h
		s.header.Del("Host")
	}
	return req, nil
}

func truthy(v goja.Value) bool {
	return v != nil && v.ToBoolean()
}
