package tenant

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Handler returns the tenant's HTTP handler: the Management API under /api/v2/ and the
// client-credentials grant at POST /oauth/token. Every /api/v2 call needs a bearer token issued by
// this tenant (401 otherwise) carrying the endpoint's scopes (403 insufficient_scope); paths the
// tenant does not implement answer 501 in the API's error shape. The handler is safe for concurrent
// use and honours each request's context.
func (t *Tenant) Handler() http.Handler { return t.handler }

const apiPrefix = "/api/v2/"

// endpoint handles one matched route. args are the decoded path parameters.
type endpoint func(w http.ResponseWriter, r *http.Request, p *principal, args []string)

type route struct {
	scopes scopeReq
	handle endpoint
}

func (t *Tenant) newHandler() http.Handler {
	if t.log.Enabled(context.Background(), slog.LevelDebug) {
		return http.HandlerFunc(t.serveLogged)
	}
	return http.HandlerFunc(t.serve)
}

// serveLogged wraps serve with a debug log line per request.
func (t *Tenant) serveLogged(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	t.serve(sw, r)
	t.log.Debug("tenant request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (t *Tenant) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if path == "/oauth/token" || path == "/oauth/token/" {
		t.serveToken(w, r)
		return
	}
	if !strings.HasPrefix(path, apiPrefix) {
		writeJSON(w, http.StatusNotFound, apiError(http.StatusNotFound, "not_found",
			"Not Found: the local tenant serves the Management API under /api/v2/ and tokens at /oauth/token, not %s.", r.URL.Path))
		return
	}
	p, e := t.authenticate(r)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	if t.limiter != nil && !t.limiter.allow(p.token, w.Header()) {
		writeJSON(w, http.StatusTooManyRequests, apiError(http.StatusTooManyRequests, "too_many_requests", "Global limit has been reached"))
		return
	}
	segs, e := splitPath(path[len(apiPrefix):])
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rt, ok := t.match(r.Method, segs)
	if !ok {
		writeJSON(w, http.StatusNotImplemented, apiError(http.StatusNotImplemented, "not_implemented",
			"%s %s is not implemented by the verq local tenant (it serves users, users-by-email, user roles, roles, rules and rules-configs).", r.Method, r.URL.Path))
		return
	}
	if e := rt.scopes.check(p); e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rt.handle(w, r, p, segs)
}

// splitPath splits the escaped path after /api/v2/ into decoded segments. Ids may contain any
// escaped character (auth0%7C123, even %2F).
func splitPath(s string) ([]string, *Error) {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		d, err := url.PathUnescape(p)
		if err != nil {
			return nil, badRequest("invalid_uri", "Invalid request URI: bad escape in path segment %q.", p)
		}
		parts[i] = d
	}
	return parts, nil
}

// match finds the route for method and path segments.
func (t *Tenant) match(method string, segs []string) (route, bool) {
	n := len(segs)
	switch segs[0] {
	case "users":
		switch {
		case n == 1 && method == http.MethodGet:
			return route{anyScope("read:users"), t.handleListUsers}, true
		case n == 1 && method == http.MethodPost:
			return route{anyScope("create:users"), t.handleCreateUser}, true
		case n == 2 && method == http.MethodGet:
			return route{anyScope("read:users", "read:current_user", "read:user_idp_tokens"), t.handleGetUser}, true
		case n == 2 && method == http.MethodPatch:
			return route{anyScope("update:users", "update:users_app_metadata", "update:current_user_metadata"), t.handlePatchUser}, true
		case n == 2 && method == http.MethodDelete:
			return route{anyScope("delete:users", "delete:current_user"), t.handleDeleteUser}, true
		case n == 3 && segs[2] == "roles" && method == http.MethodGet:
			return route{allScopes("read:users", "read:roles"), t.handleGetUserRoles}, true
		case n == 3 && segs[2] == "roles" && method == http.MethodPost:
			return route{anyScope("update:users", "create:role_members"), t.handleChangeUserRoles(true)}, true
		case n == 3 && segs[2] == "roles" && method == http.MethodDelete:
			return route{anyScope("update:users", "delete:role_members"), t.handleChangeUserRoles(false)}, true
		}
	case "users-by-email":
		if n == 1 && method == http.MethodGet {
			return route{anyScope("read:users"), t.handleUsersByEmail}, true
		}
	case "roles":
		switch {
		case n == 1 && method == http.MethodGet:
			return route{anyScope("read:roles"), t.handleListRoles}, true
		case n == 1 && method == http.MethodPost:
			return route{anyScope("create:roles"), t.handleCreateRole}, true
		case n == 2 && method == http.MethodGet:
			return route{anyScope("read:roles"), t.handleGetRole}, true
		case n == 2 && method == http.MethodPatch:
			return route{anyScope("update:roles"), t.handlePatchRole}, true
		case n == 2 && method == http.MethodDelete:
			return route{anyScope("delete:roles"), t.handleDeleteRole}, true
		}
	case "rules":
		switch {
		case n == 1 && method == http.MethodGet:
			return route{anyScope("read:rules"), t.handleListRules}, true
		case n == 1 && method == http.MethodPost:
			return route{anyScope("create:rules"), t.handleCreateRule}, true
		case n == 2 && method == http.MethodGet:
			return route{anyScope("read:rules"), t.handleGetRule}, true
		case n == 2 && method == http.MethodPatch:
			return route{anyScope("update:rules"), t.handlePatchRule}, true
		case n == 2 && method == http.MethodDelete:
			return route{anyScope("delete:rules"), t.handleDeleteRule}, true
		}
	case "rules-configs":
		switch {
		case n == 1 && method == http.MethodGet:
			return route{anyScope("read:rules_configs"), t.handleListConfigs}, true
		case n == 2 && method == http.MethodPut:
			return route{anyScope("update:rules_configs"), t.handleSetConfig}, true
		case n == 2 && method == http.MethodDelete:
			return route{anyScope("delete:rules_configs"), t.handleDeleteConfig}, true
		}
	}
	return route{}, false
}

// pathID returns segment i, or writes the 400 for an empty id.
func pathID(w http.ResponseWriter, segs []string, i int, what string) (string, bool) {
	if segs[i] == "" {
		e := badRequest("invalid_uri", "Path validation error: 'String is too short (0 chars), minimum 1' on property id (ID of the %s).", what)
		writeJSON(w, e.StatusCode, e)
		return "", false
	}
	return segs[i], true
}

// envelope writes a paginated list: the bare array, or with include_totals the object with
// start, limit, total and the list under key.
func envelope[T any](w http.ResponseWriter, all []T, page, perPage int, totals bool, key string) {
	start := page * perPage
	items := []T{}
	if start < len(all) {
		items = all[start:min(start+perPage, len(all))]
	}
	if !totals {
		writeJSON(w, http.StatusOK, items)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"start": start, "limit": perPage, "total": len(all), key: items})
}
