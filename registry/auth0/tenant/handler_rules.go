package tenant

import (
	"encoding/json"
	"net/http"
)

// ruleFields are the fields /rules may select (the API's pattern).
var ruleFields = []string{"name", "enabled", "script", "order", "id", "stage"}

var (
	createRuleSchema = payloadSchema{"name": tString, "script": tString, "order": tNumber, "enabled": tBool}
	updateRuleSchema = payloadSchema{"name": tString, "script": tString, "order": tNumber, "enabled": tBool}
)

func ruleInputFrom(body map[string]any) ruleInput {
	var in ruleInput
	if s, ok := body["name"].(string); ok {
		in.Name = &s
	}
	if s, ok := body["script"].(string); ok {
		in.Script = &s
	}
	if n, ok := body["order"].(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			in.Order = &f
		}
	}
	if b, ok := body["enabled"].(bool); ok {
		in.Enabled = &b
	}
	return in
}

// ruleView projects a rule for output.
func ruleView(r Rule, fields []string, exclude bool) any {
	if len(fields) == 0 {
		return r
	}
	m := map[string]any{"id": r.ID, "name": r.Name, "script": r.Script, "order": r.Order, "enabled": r.Enabled, "stage": r.Stage}
	return project(m, fields, exclude)
}

func (t *Tenant) handleListRules(w http.ResponseWriter, r *http.Request, _ *principal, _ []string) {
	v, e := queryParams(r, "page", "per_page", "include_totals", "enabled", "fields", "include_fields")
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	page, perPage, totals, e := pageParams(v)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	fields, exclude, e := fieldsParam(v, ruleFields)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	enabled, e := boolParam(v, "enabled", false)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rules, _ := t.Rules()
	out := make([]any, 0, len(rules))
	for _, rule := range rules {
		if v.Has("enabled") && rule.Enabled != enabled {
			continue
		}
		out = append(out, ruleView(rule, fields, exclude))
	}
	envelope(w, out, page, perPage, totals, "rules")
}

func (t *Tenant) handleCreateRule(w http.ResponseWriter, r *http.Request, _ *principal, _ []string) {
	body, e := readBody(r, createRuleSchema)
	if e == nil {
		e = createRuleSchema.check(body, nil)
	}
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rule, err := t.createRule(r.Context(), ruleInputFrom(body))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, rule)
}

func (t *Tenant) handleGetRule(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "rule")
	if !ok {
		return
	}
	v, e := queryParams(r, "fields", "include_fields")
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	fields, exclude, e := fieldsParam(v, ruleFields)
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rule, found := t.getRule(id)
	if !found {
		writeError(w, errRuleNotFound())
		return
	}
	writeJSON(w, http.StatusOK, ruleView(rule, fields, exclude))
}

func (t *Tenant) handlePatchRule(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "rule")
	if !ok {
		return
	}
	body, e := readBody(r, updateRuleSchema)
	if e == nil {
		if _, has := body["stage"]; has {
			e = invalidBody("Payload validation error: 'Additional properties not allowed: stage' (a rule's stage cannot change; create a new rule instead).")
		}
	}
	if e == nil {
		e = updateRuleSchema.check(body, nil)
	}
	if e == nil && len(body) == 0 {
		e = invalidBody("Payload validation error: 'Too few properties defined (0), minimum 1'.")
	}
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	rule, err := t.updateRule(r.Context(), id, ruleInputFrom(body))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (t *Tenant) handleDeleteRule(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	id, ok := pathID(w, segs, 1, "rule")
	if !ok {
		return
	}
	if err := t.deleteRule(r.Context(), id); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (t *Tenant) handleListConfigs(w http.ResponseWriter, r *http.Request, _ *principal, _ []string) {
	if _, e := queryParams(r); e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	keys := t.configKeys()
	out := make([]map[string]string, len(keys))
	for i, k := range keys {
		out[i] = map[string]string{"key": k}
	}
	writeJSON(w, http.StatusOK, out)
}

var configSchema = payloadSchema{"value": tString}

func (t *Tenant) handleSetConfig(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	key := segs[1]
	if e := validateConfigKey(key); e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	body, e := readBody(r, configSchema)
	if e == nil {
		e = configSchema.check(body, nil)
	}
	if e == nil {
		if _, ok := body["value"]; !ok {
			e = invalidBody("Payload validation error: 'Missing required property: value'.")
		}
	}
	if e != nil {
		writeJSON(w, e.StatusCode, e)
		return
	}
	value := body["value"].(string)
	if err := t.setConfig(r.Context(), key, value); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"key": key, "value": value})
}

func (t *Tenant) handleDeleteConfig(w http.ResponseWriter, r *http.Request, _ *principal, segs []string) {
	if err := t.deleteConfig(r.Context(), segs[1]); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
