package tenant

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// queryParams checks that the query string has only allowed parameters and returns it.
func queryParams(r *http.Request, allowed ...string) (url.Values, *Error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("invalid_query_string", "Query validation error: the query string is malformed: %v.", err)
	}
	var unknown []string
	for k := range v {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		allowedText := "none"
		if len(allowed) > 0 {
			allowedText = strings.Join(allowed, ", ")
		}
		return nil, badRequest("invalid_query_string", "Query validation error: Additional properties not allowed: %s (allowed: %s).", strings.Join(unknown, ","), allowedText)
	}
	return v, nil
}

// intParam parses an integer parameter in [min, max]; absent gives def.
func intParam(v url.Values, name string, min, max, def int) (int, *Error) {
	s, ok := v[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s[0])
	if err != nil {
		return 0, queryError(name, "Expected type integer but found type string: %q", s[0])
	}
	if n < min {
		return 0, queryError(name, "Value %d is less than minimum %d", n, min)
	}
	if n > max {
		return 0, queryError(name, "Value %d is greater than maximum %d", n, max)
	}
	return n, nil
}

// boolParam parses "true"/"false"; absent gives def.
func boolParam(v url.Values, name string, def bool) (bool, *Error) {
	s, ok := v[name]
	if !ok {
		return def, nil
	}
	switch s[0] {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, queryError(name, "Expected type boolean but found type string: %q (use true or false)", s[0])
}

// fieldsParam parses fields and include_fields. With allowed non-nil, every field must be in it.
func fieldsParam(v url.Values, allowed []string) (fields []string, exclude bool, e *Error) {
	include, e := boolParam(v, "include_fields", true)
	if e != nil {
		return nil, false, e
	}
	s := v.Get("fields")
	if s == "" {
		return nil, false, nil
	}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if allowed != nil && !slices.Contains(allowed, f) {
			return nil, false, queryError("fields", "%q is not a field you can select (allowed: %s)", f, strings.Join(allowed, ","))
		}
		if allowed == nil && strings.Trim(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != "" {
			return nil, false, queryError("fields", "%q is not a field name", f)
		}
		fields = append(fields, f)
	}
	return fields, !include, nil
}

// pageParams parses page, per_page (1..100) and include_totals.
func pageParams(v url.Values) (page, perPage int, totals bool, e *Error) {
	if page, e = intParam(v, "page", 0, 1<<30, 0); e != nil {
		return
	}
	if perPage, e = intParam(v, "per_page", 0, 100, 0); e != nil {
		return
	}
	if perPage == 0 {
		perPage = DefaultPerPage
	}
	totals, e = boolParam(v, "include_totals", false)
	return
}

// maxBody bounds request bodies (user metadata may total 16 MB in the service).
const maxBody = 16 << 20

// readBody decodes a JSON object body, or a form-encoded one (values as strings, converted to the
// schema's types by the caller).
func readBody(r *http.Request, form payloadSchema) (map[string]any, *Error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, apiError(http.StatusRequestEntityTooLarge, "payload_too_large", "The request body is larger than %d MB.", maxBody>>20)
			}
			return nil, invalidBody("Invalid request payload: unreadable form body: %v", err)
		}
		body := map[string]any{}
		for k := range r.PostForm {
			body[k] = r.PostForm.Get(k)
		}
		if form != nil {
			form.coerceForm(body)
		}
		return body, nil
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, apiError(http.StatusRequestEntityTooLarge, "payload_too_large", "The request body is larger than %d MB.", maxBody>>20)
		}
		if errors.Is(err, io.EOF) {
			return nil, invalidBody("Payload validation error: 'Expected type object but found type null'.")
		}
		return nil, invalidBody("Invalid request payload JSON format: %v", err)
	}
	if dec.More() {
		return nil, invalidBody("Invalid request payload JSON format: unexpected data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidBody("Payload validation error: 'Expected type object but found type %s'.", jsonType(v))
	}
	return m, nil
}

// writeJSON writes v as the response body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"statusCode":500,"error":"Internal Server Error","message":"response encoding failed","errorCode":"internal_error"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}

var jsonContentType = []string{"application/json; charset=utf-8"}

// writeError writes the Management API error body for err.
func writeError(w http.ResponseWriter, err error) {
	e := toAPIError(err)
	writeJSON(w, e.StatusCode, e)
}
