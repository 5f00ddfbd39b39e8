package tenant

import (
	"net/http"
)

var roleSchema = payloadSchema{"name": tString, "description": tString}

func (t *Tenant) handleListRoles(w http.ResponseWriter, r *http.Request, _ *principal, _ []string) {
	v, e := queryParams(r, "page", "per_page", "include_totals", "name_filter")
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	page, perPage, totals, e := pageParams(v)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	envelope(w, t.listRoles(v.Get("name_filter")), page, perPage, totals, "roles")
}

func (t *Tenant) handleCreateRole(w http.ResponseWriter, r *http.Request, _ *principal, _ []string) {
	body, e := readBody(r, roleSchema)
	if e == nil {
		e = roleSchema.check(body, nil)
	}
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	name, ok := body["name"].(string)
	if !ok {
		e := invalidBody("Payload validation error: 'Missing required property: name'.")
		writeJSON(w, e.StatusCode, e)
		return
	}
	desc, _ := body["description"].(string)
	role, err := t.createRole(r.Context(), name, desc)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, role)
}

func (t *Tenant) handleGetRole(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "role")
	if !ok {
		return
	}
	role, found := t.getRole(id)
	if !found {
		writeError(w, errRoleNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, role)
}

func (t *Tenant) handlePatchRole(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "role")
	if !ok {
		return
	}
	body, e := readBody(r, roleSchema)
	if e == nil {
		e = roleSchema.check(body, nil)
	}
	if e == nil && len(body) == 0 {
		e = invalidBody("Payload validation error: 'Too few properties defined (0), minimum 1'.")
	}
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	var name, desc *string
	if s, ok := body["name"].(string); ok {
		name = &s
	}
	if s, ok := body["description"].(string); ok {
		desc = &s
	}
	role, err := t.updateRole(r.Context(), id, name, desc)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, role)
}

func (t *Tenant) handleDeleteRole(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "role")
	if !ok {
		return
	}
	if err := t.deleteRole(r.Context(), id); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
