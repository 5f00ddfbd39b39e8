package jshttp

import (
	"net/http"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// singleValued are the response headers whose repeats Node.js discards (http.IncomingMessage
// keeps the first).
var singleValued = map[string]bool{
	"age": true, "authorization": true, "content-length": true, "content-type": true, "etag": true,
	"expires": true, "from": true, "host": true, "if-modified-since": true, "if-unmodified-since": true,
	"last-modified": true, "location": true, "max-forwards": true, "proxy-authorization": true,
	"referer": true, "retry-after": true, "server": true, "user-agent": true,
}

// HeaderNames returns h's names lower-cased and sorted.
func HeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	return names
}

// NodeHeaders returns h the way Node.js presents response.headers: lower-case names, set-cookie as
// an array, repeats of single-valued headers dropped, other repeats joined with ", " ("; " for
// cookie). Names are in sorted order.
func (e *Env) NodeHeaders(h http.Header) *goja.Object {
	o := e.RT.NewObject()
	for _, name := range HeaderNames(h) {
		vals := h.Values(name)
		var v goja.Value
		switch {
		case name == "set-cookie":
			arr := make([]any, len(vals))
			for i, s := range vals {
				arr[i] = s
			}
			v = e.RT.NewArray(arr...)
		case singleValued[name] || len(vals) == 1:
			v = e.RT.ToValue(vals[0])
		case name == "cookie":
			v = e.RT.ToValue(strings.Join(vals, "; "))
		default:
			v = e.RT.ToValue(strings.Join(vals, ", "))
		}
		o.Set(name, v)
	}
	return o
}

// AddHeaders adds the own enumerable properties of a JavaScript headers object to dst. Arrays add
// one header line per element; undefined and null values are skipped; other values are converted
// with String(). A later name replaces an earlier one that differs only in case, as Node.js
// setHeader does.
func AddHeaders(rt *goja.Runtime, dst http.Header, v goja.Value) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return
	}
	o := v.ToObject(rt)
	for _, k := range o.Keys() {
		val := o.Get(k)
		if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
			continue
		}
		dst.Del(k)
		if arr, ok := val.(*goja.Object); ok && arr.ClassName() == "Array" {
			for _, item := range arr.Keys() {
				dst.Add(k, arr.Get(item).String())
			}
			continue
		}
		dst.Add(k, val.String())
	}
}
