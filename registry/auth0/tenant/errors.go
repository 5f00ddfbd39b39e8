package tenant

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors; match them with errors.Is. API-level failures are *Error values that also match
// the sentinel for their status (ErrNotFound for 404, ErrConflict for 409, ErrInvalid for 400).
var (
	// ErrLocked means another process holds the tenant database and the lock timeout expired.
	ErrLocked = errors.New("tenant database is locked")
	// ErrNotTenant means the file exists but is not a verq tenant database, or is corrupt.
	ErrNotTenant = errors.New("not a verq tenant database")
	// ErrReadOnly means a write was attempted on a tenant opened read-only.
	ErrReadOnly = errors.New("tenant is open read-only")
	// ErrClosed means the tenant was closed.
	ErrClosed = errors.New("tenant is closed")
	// ErrNotFound means the user, role or rule does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique name, order, email or id is already taken.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means a request, a query or an import file is malformed.
	ErrInvalid = errors.New("invalid input")
)

// Error is a Management API error. Its JSON form is the API's error body:
// {"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int `json:"statusCode"`
	// Reason is the HTTP reason phrase ("Not Found").
	Reason string `json:"error"`
	// Message is the human explanation.
	Message string `json:"message"`
	// Code is the machine-readable error code ("inexistent_user"); empty when the API has none.
	Code string `json:"errorCode,omitempty"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is matches the sentinel that corresponds to the status code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrInvalid:
		return e.StatusCode == http.StatusBadRequest
	case ErrReadOnly:
		return e.Code == "read_only"
	}
	return false
}

// apiError builds an *Error with the reason phrase for status.
func apiError(status int, code, format string, args ...any) *Error {
	return &Error{StatusCode: status, Reason: http.StatusText(status), Message: fmt.Sprintf(format, args...), Code: code}
}

func badRequest(code, format string, args ...any) *Error {
	return apiError(http.StatusBadRequest, code, format, args...)
}

// invalidBody is the 400 the API gives for a payload that fails validation.
func invalidBody(format string, args ...any) *Error {
	return badRequest("invalid_body", format, args...)
}

// payloadError formats schema failures the way the API does:
// Payload validation error: 'Expected type string but found type integer' on property name.
func payloadError(property, format string, args ...any) *Error {
	return invalidBody("Payload validation error: '%s' on property %s.", fmt.Sprintf(format, args...), property)
}

// queryError formats query-string failures the way the API does.
func queryError(property, format string, args ...any) *Error {
	return badRequest("invalid_query_string", "Query validation error: '%s' on property %s.", fmt.Sprintf(format, args...), property)
}

var (
	errUserNotFound = func() *Error { return apiError(http.StatusNotFound, "inexistent_user", "The user does not exist.") }
	errRoleNotFound = func(id string) *Error {
		return apiError(http.StatusNotFound, "inexistent_role", "The role does not exist: %s.", id)
	}
	errRuleNotFound = func() *Error { return apiError(http.StatusNotFound, "inexistent_rule", "The rule does not exist.") }
	errUserExists   = func() *Error { return apiError(http.StatusConflict, "auth0_idp_error", "The user already exists.") }
	errReadOnly     = func() *Error {
		return apiError(http.StatusServiceUnavailable, "read_only", "The tenant is open read-only; writes are refused. Reopen it without --read-only to change data.")
	}
)

// toAPIError converts any error into the API error body: *Error values pass through, read-only and
// closed tenants become 503, everything else is a 500 that does not leak internals beyond the text.
func toAPIError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, ErrReadOnly):
		return errReadOnly()
	case errors.Is(err, ErrClosed):
		return apiError(http.StatusServiceUnavailable, "tenant_closed", "The tenant is shutting down.")
	}
	return apiError(http.StatusInternalServerError, "internal_error", "Internal error: %v", err)
}
