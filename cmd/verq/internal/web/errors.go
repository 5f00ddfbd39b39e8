package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/verq/verq/catalog"
)

// Error codes of the JSON error shape. Every error response of the API is
//
//	{"error": "<message>", "code": "<code>", "status": <HTTP status>[, "details": …]}
const (
	CodeBadRequest       = "bad_request"
	CodeUnauthorized     = "unauthorized"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeTooLarge         = "request_too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeInvalid          = "invalid"
	CodeReadOnly         = "read_only"
	CodeNotImplemented   = "not_implemented"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
)

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	// Error is a human sentence saying what was wrong and what to do.
	Error string `json:"error"`
	// Code is a stable machine-readable classification (the Code… constants).
	Code string `json:"code"`
	// Status repeats the HTTP status.
	Status int `json:"status"`
	// Details carries structured detail where there is some, e.g. the compile errors of a ruleset.
	Details any `json:"details,omitempty"`
}

// RequestError is an error with an HTTP status, a code and optional details. An ExecuteFunc returns one
// to reject a request (for example a ruleset that does not compile); any other error is a 500.
type RequestError struct {
	Status  int
	Code    string
	Message string
	Details any
}

// Error returns the message.
func (e *RequestError) Error() string { return e.Message }

// BadRequest returns a 400 RequestError with the formatted message.
func BadRequest(format string, args ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: fmt.Sprintf(format, args...)}
}

// Unprocessable returns a 422 RequestError: the request was well-formed but its content is invalid.
func Unprocessable(message string, details any) *RequestError {
	return &RequestError{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Message: message, Details: details}
}

// writeError writes err as the JSON error shape. Catalog sentinel errors map to 404 (not found), 400
// (invalid input) and 503 (read-only, locked); a *RequestError keeps its status; anything else is a
// 500 whose detail goes to the log, not to the client.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var re *RequestError
	switch {
	case errors.As(err, &re):
	case errors.Is(err, catalog.ErrRuntimeNotFound), errors.Is(err, catalog.ErrModuleNotFound), errors.Is(err, catalog.ErrVersionNotFound):
		re = &RequestError{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	case errors.Is(err, catalog.ErrInvalid):
		re = &RequestError{Status: http.StatusBadRequest, Code: CodeInvalid, Message: err.Error()}
	case errors.Is(err, catalog.ErrReadOnly):
		re = &RequestError{Status: http.StatusServiceUnavailable, Code: CodeReadOnly,
			Message: "this server opened the catalog read-only (verq serve --read-only): restart it without --read-only to make changes"}
	case errors.Is(err, catalog.ErrLocked):
		re = &RequestError{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: err.Error()}
	default:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		re = &RequestError{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal server error (see the server log)"}
	}
	if re.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="verq"`)
	}
	writeJSON(w, re.Status, ErrorBody{Error: re.Message, Code: re.Code, Status: re.Status, Details: re.Details})
}

// writeJSON encodes v (HTML characters not escaped: the content type is JSON, never HTML).
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshalJSON(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = marshalJSON(ErrorBody{Error: "cannot encode the response", Code: CodeInternal, Status: status})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// marshalJSON renders v as indented JSON with a trailing newline, without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b, nil
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }
