package tenant

import (
	"bytes"
	"net/http"
	"strconv"
)

// getUserFields are the fields GET /users/{id} may select (the API's pattern).
var getUserFields = []string{"phone_number", "email", "email_verified", "picture", "username", "user_id", "name",
	"nickname", "created_at", "identities", "app_metadata", "user_metadata", "last_ip", "last_login",
	"logins_count", "updated_at", "blocked", "family_name", "given_name"}

// writeUsers writes users as a JSON array (or inside the include_totals envelope), reusing each
// user's encoded form when no projection is asked for.
func writeUsers(w http.ResponseWriter, recs []*userRec, withTokens bool, fields []string, exclude bool, totals *UserPage) {
	var buf bytes.Buffer
	if totals != nil {
		buf.WriteString(`{"start":`)
		buf.WriteString(strconv.Itoa(totals.Start))
		buf.WriteString(`,"limit":`)
		buf.WriteString(strconv.Itoa(totals.Limit))
		buf.WriteString(`,"length":`)
		buf.WriteString(strconv.Itoa(totals.Length))
		buf.WriteString(`,"total":`)
		buf.WriteString(strconv.Itoa(totals.Total))
		buf.WriteString(`,"users":`)
	}
	buf.WriteByte('[')
	for i, r := range recs {
		if i > 0 {
			buf.WriteByte(',')
		}
		if len(fields) == 0 {
			buf.Write(r.json(withTokens))
			continue
		}
		b, err := encodeJSON(project(r.view(withTokens), fields, exclude))
		if err != nil {
			writeError(w, err)
			return
		}
		buf.Write(b)
	}
	buf.WriteByte(']')
	if totals != nil {
		buf.WriteByte('}')
	}
	writeRaw(w, http.StatusOK, buf.Bytes())
}

func (t *Tenant) handleListUsers(w http.ResponseWriter, r *http.Request, p *principal, _ []string) {
	v, e := queryParams(r, "page", "per_page", "include_totals", "sort", "connection", "fields", "include_fields", "q", "search_engine", "primary_order")
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	fail := func(e *Error) { writeJSON(w, e.StatusCode, e) }
	switch engine := v.Get("search_engine"); {
	case engine == "v1" || (engine == "" && v.Has("connection")):
		fail(badRequest("invalid_query_string", "You are not allowed to use search_engine=v1."))
		return
	case engine == "v2":
		fail(badRequest("invalid_query_string", "You are not allowed to use search_engine=v2. Use search_engine=v3 instead."))
		return
	case engine == "" && v.Has("q"):
		fail(badRequest("invalid_query_string", "The 'q' parameter is available only if you specify 'search_engine=v2|v3'."))
		return
	case engine != "" && engine != "v3":
		fail(queryError("search_engine", "No enum match for: %q (use v3)", engine))
		return
	case engine == "v3" && v.Has("connection"):
		fail(badRequest("invalid_query_string", "The 'connection' parameter is only available with search_engine=v1; with v3 use q=identities.connection:\"name\"."))
		return
	}
	if _, e := boolParam(v, "primary_order", true); e != nil {
		fail(e)
		return
	}
	page, perPage, totals, e := pageParams(v)
	if e != nil {
		fail(e)
		return
	}
	fields, exclude, e := fieldsParam(v, nil)
	if e != nil {
		fail(e)
		return
	}
	res, err := t.search(r.Context(), ListQuery{Q: v.Get("q"), Page: page, PerPage: perPage, Sort: v.Get("sort")})
	if err != nil {
		writeError(w, err)
		return
	}
	var env *UserPage
	if totals {
		env = &UserPage{Start: res.start, Limit: res.limit, Length: len(res.recs), Total: res.total}
	}
	writeUsers(w, res.recs, p.has("read:user_idp_tokens"), fields, exclude, env)
}

func (t *Tenant) handleGetUser(w http.ResponseWriter, r *http.Request, p *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "user to retrieve")
	if !ok {
		return
	}
	if !p.has("read:users") && !p.has("read:user_idp_tokens") && p.sub != id {
		e := notSubject()
		writeJSON(w, e.StatusCode, e)
		return
	}
	var fields []string
	var exclude bool
	if r.URL.RawQuery != "" {
		v, e := queryParams(r, "fields", "include_fields")
		if e == nil {
			fields, exclude, e = fieldsParam(v, getUserFields)
		}
		if e != nil {
			writeJSON(w, e.StatusCode, e)
			return
		}
	}
	rec := t.user(id)
	if rec == nil {
		e := errUserNotFound()
		writeJSON(w, e.StatusCode, e)
		return
	}
	withTokens := p.has("read:user_idp_tokens")
	if len(fields) == 0 {
		writeRaw(w, http.StatusOK, rec.json(withTokens))
		return
	}
	writeJSON(w, http.StatusOK, project(rec.view(withTokens), fields, exclude))
}

func (t *Tenant) handleCreateUser(w http.ResponseWriter, r *http.Request, _ *principal, _ []string) {
	if _, e := queryParams(r); e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	body, e := readBody(r, createUserSchema)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rec, err := t.createUser(r.Context(), body)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusCreated, rec.pub)
}

func (t *Tenant) handlePatchUser(w http.ResponseWriter, r *http.Request, p *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "user to update")
	if !ok {
		return
	}
	if _, e := queryParams(r); e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	body, e := readBody(r, patchUserSchema)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	if !p.has("update:users") {
		// update:users_app_metadata may change app_metadata only; update:current_user_metadata
		// user_metadata only, of the token's own user.
		only := func(k string) bool { _, has := body[k]; return has && len(body) == 1 }
		switch {
		case p.has("update:users_app_metadata") && only("app_metadata"):
		case p.has("update:current_user_metadata") && only("user_metadata"):
			if p.sub != id {
				e := notSubject()
				writeJSON(w, e.StatusCode, e)
				return
			}
		default:
			e := insufficientScope("any", []string{"update:users"})
			writeJSON(w, e.StatusCode, e)
			return
		}
	}
	rec, err := t.patchUser(r.Context(), id, body)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, rec.json(p.has("read:user_idp_tokens")))
}

func (t *Tenant) handleDeleteUser(w http.ResponseWriter, r *http.Request, p *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "user to delete")
	if !ok {
		return
	}
	if !p.has("delete:users") && p.sub != id {
		e := notSubject()
		writeJSON(w, e.StatusCode, e)
		return
	}
	if err := t.deleteUser(r.Context(), id); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (t *Tenant) handleUsersByEmail(w http.ResponseWriter, r *http.Request, p *principal, _ []string) {
	v, e := queryParams(r, "email", "fields", "include_fields")
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	email := v.Get("email")
	if !v.Has("email") {
		e := badRequest("invalid_query_string", "Query validation error: 'Missing required property: email'.")
		writeJSON(w, e.StatusCode, e)
		return
	}
	fields, exclude, e := fieldsParam(v, nil)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	writeUsers(w, t.usersByEmail(email), p.has("read:user_idp_tokens"), fields, exclude, nil)
}

func (t *Tenant) handleGetUserRoles(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "user")
	if !ok {
		return
	}
	v, e := queryParams(r, "page", "per_page", "include_totals")
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	page, perPage, totals, e := pageParams(v)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	roles, found := t.userRoles(id)
	if !found {
		e := errUserNotFound()
		writeJSON(w, e.StatusCode, e)
		return
	}
	envelope(w, roles, page, perPage, totals, "roles")
}

func (t *Tenant) handleChangeUserRoles(add bool) endpoint {
	return func(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
		id, ok := pathID(w, segs, 1, "user")
		if !ok {
			return
		}
		body, e := readBody(r, nil)
		if e == nil {
			e = payloadSchema{"roles": tArray}.check(body, nil)
		}
		if e != nil {
			writeJSON(w, e.StatusCode, e)
			return
		}
		list, _ := body["roles"].([]any)
		if len(list) == 0 {
			e := invalidBody("Payload validation error: 'Missing required property: roles' (send {\"roles\": [\"rol_...\"]}).")
			if _, has := body["roles"]; has {
				e = payloadError("roles", "Array is too short (0), minimum 1")
			}
			writeJSON(w, e.StatusCode, e)
			return
		}
		ids := make([]string, 0, len(list))
		for _, x := range list {
			s, ok := x.(string)
			if !ok || s == "" {
				e := payloadError("roles", "Expected type string but found type %s", jsonType(x))
				writeJSON(w, e.StatusCode, e)
				return
			}
			ids = append(ids, s)
		}
		if err := t.changeUserRoles(r.Context(), id, ids, add); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
