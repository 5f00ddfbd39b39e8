package auth0

import (
	"github.com/dop251/goja"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

// dataError is rest-facade's message for a missing or non-object body.
const dataError = "The data must be an object or a serialized json"

// invoke runs one manager method: it reproduces the version's argument handling, builds the request
// on the loop goroutine, sends it on another goroutine and settles on the loop. It returns what the
// SDK returns: a promise, or undefined when a callback is given.
func (m *module) invoke(c *clientObj, ep *spec.EndpointRange, args []goja.Value) goja.Value {
	var cb goja.Callable
	if n := len(args); n > 0 {
		cb, _ = goja.AssertFunction(args[n-1])
	}
	switch {
	case len(args) == 0 && ep.NoArgs != nil:
		return m.outcome(c, ep, ep.NoArgs, nil)
	case len(args) == 1 && cb != nil && ep.CallbackOnly != nil:
		return m.outcome(c, ep, ep.CallbackOnly, cb)
	}
	if cb != nil {
		args = args[:len(args)-1]
	}
	arg := func(i int) goja.Value {
		if i < len(args) {
			return args[i]
		}
		return goja.Undefined()
	}
	if ep.Kind == spec.KindDeleteAll && cb == nil {
		panic(m.argumentError("The deleteAll method only accepts a callback as argument"))
	}
	if ep.TokenModeThrows != "" && c.cfg.cc == nil {
		panic(m.typeError(ep.TokenModeThrows))
	}
	m.runChecks(ep, arg)
	if ep.Kind == spec.KindImport {
		return m.importUsers(c, ep, arg(0), cb)
	}
	req, derr := m.buildRequest(c, ep, arg, cb)
	if derr != "" {
		return m.failData(derr, cb)
	}
	return m.dispatch(c, req, cb)
}

// outcome reproduces the observed result of a degenerate call (no argument, or only a callback).
func (m *module) outcome(c *clientObj, ep *spec.EndpointRange, o *spec.Outcome, cb goja.Callable) goja.Value {
	switch o.Kind {
	case spec.OutcomeSends:
		req := &apiRequest{method: o.Verb, path: o.Path, rawResponse: ep.Result == "response"}
		if o.Verb != "GET" {
			req.body, req.contentType = []byte("{}"), "application/json"
		}
		return m.dispatch(c, req, cb)
	case spec.OutcomeThrows:
		panic(m.outcomeError(o))
	case spec.OutcomeRejects, spec.OutcomeCallbackErr:
		return m.settleLater(m.outcomeError(o), cb)
	case spec.OutcomeNever:
		return goja.Undefined()
	}
	panic(m.typeError("auth0 shim: unknown outcome " + o.Kind))
}

func (m *module) outcomeError(o *spec.Outcome) *goja.Object {
	if o.Class == "TypeError" {
		return m.typeError(o.Message)
	}
	return m.argumentErrorNamed(o.Message, o.Name)
}

// runChecks applies the manager's argument validations; a failure throws synchronously.
func (m *module) runChecks(ep *spec.EndpointRange, arg func(int) goja.Value) {
	rt := m.rt
	for _, ck := range ep.Checks {
		v := arg(ck.Arg)
		val := v
		if ck.Key != "" && ck.Rule != spec.CheckDeref && ck.Rule != spec.CheckObjectString {
			val = get(rt, v, ck.Key)
		}
		fail := false
		switch ck.Rule {
		case spec.CheckDeref:
			if isNullish(v) {
				panic(m.typeError("Cannot read properties of " + nullishName(v) + " (reading '" + ck.Key + "')"))
			}
		case spec.CheckPresent:
			fail = !truthy(val)
		case spec.CheckString:
			fail = !isString(val)
		case spec.CheckPresentString:
			fail = !truthy(val) || !isString(val)
		case spec.CheckObjectString:
			if v != nil && goja.IsNull(v) {
				panic(m.typeError("Cannot read properties of null (reading '" + ck.Key + "')"))
			}
			fail = !isObject(v) || !isString(get(rt, v, ck.Key))
		}
		if fail {
			panic(m.argumentError(ck.Message))
		}
	}
}

// argIndex returns the position of the argument with the given role, or -1.
func argIndex(ep *spec.EndpointRange, role string) int {
	for i, a := range ep.Args {
		if a == role {
			return i
		}
	}
	return -1
}

// buildRequest turns the arguments into the request the version sends. A non-empty second result
// is a data error (invalid body), raised synchronously or asynchronously by the caller.
func (m *module) buildRequest(c *clientObj, ep *spec.EndpointRange, arg func(int) goja.Value, cb goja.Callable) (*apiRequest, string) {
	rt, f := m.rt, m.f
	req := &apiRequest{method: ep.Verb, rawResponse: ep.Result == "response"}
	var params *goja.Object
	if i := argIndex(ep, spec.ArgParams); i >= 0 && ep.BodyArg != spec.ArgParams {
		if pv := arg(i); isObject(pv) {
			params = pv.(*goja.Object)
		}
	}
	if params != nil {
		for k, v := range ep.Fixed {
			_ = params.Set(k, v) // the SDK completes the caller's params object
		}
	}
	userID, hasUserID := "", false
	if i := argIndex(ep, spec.ArgUserID); i >= 0 && !isNullish(arg(i)) {
		userID, hasUserID = arg(i).String(), true
	}
	encodeID := (ep.Verb == "GET" && f.EncodeIDOnGet) || ((ep.Verb == "PATCH" || ep.Verb == "PUT" || ep.Verb == "DELETE") && f.EncodeIDOnWrite)
	path, used := fillPath(ep.Path, func(key string) (string, bool) {
		if key == "userId" {
			return userID, hasUserID
		}
		if v, ok := ep.Fixed[key]; ok && params == nil {
			return v, true
		}
		if params == nil {
			return "", false
		}
		v := params.Get(key)
		if isNullish(v) {
			return "", false
		}
		s := v.String()
		if key == "id" && encodeID && idNeedsEncoding(s) {
			s = encodeURIComponent(s)
			_ = params.Set("id", s) // the SDK writes the encoded id back into the caller's params
		}
		return s, true
	})
	req.path = path
	switch ep.Kind {
	case spec.KindByEmail:
		email := arg(0)
		if !isNullish(email) {
			req.query = append(req.query, queryPair{"email", email.String()})
		}
		if opts := arg(1); !goja.IsUndefined(opts) {
			if f.ByEmailOptions {
				if isObject(opts) {
					req.query = m.appendQuery(req.query, opts.(*goja.Object), nil, nil)
				}
			} else if cb == nil {
				// Before 2.32 the second argument is the callback: calling an object throws later.
				req.uncaughtAfter = "callback is not a function"
			}
		}
	default:
		if params != nil {
			req.query = m.appendQuery(req.query, params, used, ep)
		}
	}
	switch ep.Body {
	case spec.BodyNone:
	case spec.BodyEmpty:
		req.body = []byte("{}")
	case spec.BodyAppMetadata, spec.BodyUserMetadata:
		md := goja.Undefined()
		if i := argIndex(ep, spec.ArgMetadata); i >= 0 {
			md = arg(i)
		}
		o := rt.NewObject()
		_ = o.Set(ep.Body, md)
		req.body = m.jsonBody(o)
	case spec.BodyParamsBody:
		var b goja.Value = goja.Undefined()
		if params != nil {
			b = get(rt, params, "body")
		}
		if !isObject(b) && !isString(b) {
			return nil, dataError
		}
		req.body = m.jsonBody(b)
	case spec.BodyData:
		i := argIndex(ep, ep.BodyArg)
		d := arg(i)
		if ep.BodyArg == spec.ArgParams && isNullish(d) {
			d = rt.NewObject() // link(userId, params): params = params || {}
		}
		if !isObject(d) && !isString(d) {
			return nil, dataError
		}
		req.body = m.jsonBody(d)
	}
	if req.body != nil {
		req.contentType = "application/json"
	}
	return req, ""
}

// appendQuery adds the own enumerable keys of params not used in the path, in the caller's order.
func (m *module) appendQuery(q []queryPair, params *goja.Object, used []string, ep *spec.EndpointRange) []queryPair {
	skip := func(k string) bool {
		for _, u := range used {
			if u == k {
				return true
			}
		}
		if ep != nil {
			if _, ok := ep.Fixed[k]; ok {
				return true
			}
			for _, x := range ep.QueryExclude {
				if x == k {
					return true
				}
			}
		}
		return false
	}
	for _, k := range params.Keys() {
		if skip(k) {
			continue
		}
		q = m.queryValue(q, k, params.Get(k), 0)
	}
	return q
}

// queryValue serializes one value the way rest-facade (repeatParams:false) and qs do: arrays are
// joined with commas, objects use bracket keys, null is a bare key, undefined is skipped.
func (m *module) queryValue(q []queryPair, key string, v goja.Value, depth int) []queryPair {
	switch {
	case v == nil || goja.IsUndefined(v):
		return q
	case goja.IsNull(v):
		return append(q, queryPair{key, nullMarker})
	case isFunction(v):
		return q
	}
	if o, ok := v.(*goja.Object); ok {
		if o.ClassName() == "Array" {
			if depth == 0 {
				return append(q, queryPair{key, m.join(o)})
			}
			for _, k := range o.Keys() {
				q = m.queryValue(q, key, o.Get(k), depth+1)
			}
			return q
		}
		if o.ClassName() == "Date" {
			if iso, ok := goja.AssertFunction(o.Get("toISOString")); ok {
				if s, err := iso(o); err == nil {
					return append(q, queryPair{key, s.String()})
				}
			}
		}
		if depth > 16 {
			return q
		}
		for _, k := range o.Keys() {
			q = m.queryValue(q, key+"["+k+"]", o.Get(k), depth+1)
		}
		return q
	}
	return append(q, queryPair{key, v.String()})
}

// join is Array.prototype.join(",").
func (m *module) join(o *goja.Object) string {
	if j, ok := goja.AssertFunction(o.Get("join")); ok {
		if s, err := j(o, m.rt.ToValue(",")); err == nil {
			return s.String()
		}
	}
	return o.String()
}

// jsonBody is JSON.stringify(v), or the string itself for a serialized JSON string.
func (m *module) jsonBody(v goja.Value) []byte {
	if isString(v) {
		return []byte(v.String())
	}
	s, err := m.g.stringify(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	if goja.IsUndefined(s) {
		return nil
	}
	return []byte(s.String())
}

// failData raises rest-facade's data error: thrown in 2.0–2.8, a rejection or callback(err) later.
func (m *module) failData(msg string, cb goja.Callable) goja.Value {
	e := m.argumentErrorNamed(msg, "ArgumentError")
	if m.f.SyncDataErrors {
		panic(e)
	}
	return m.settleLater(e, cb)
}
