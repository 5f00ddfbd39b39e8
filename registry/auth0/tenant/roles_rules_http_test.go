package tenant

import (
	"net/http"
	"strings"
	"testing"
)

func TestRoles(t *testing.T) {
	tn := openTest(t, Options{})
	all := token(t, tn, everyScope...)
	r := do(t, tn, "POST", "/api/v2/roles", all, map[string]any{"name": "support", "description": "Helpdesk"})
	expect(t, r, 200, "", "")
	role := r.object(t)
	id := role["id"].(string)
	if !strings.HasPrefix(id, "rol_") || len(id) != 20 || role["name"] != "support" || role["description"] != "Helpdesk" {
		t.Fatalf("created %v", role)
	}
	expect(t, do(t, tn, "POST", "/api/v2/roles", all, map[string]any{"name": "SUPPORT"}), 409, "conflict", "The role already exists.")
	expect(t, do(t, tn, "POST", "/api/v2/roles", all, map[string]any{"description": "x"}), 400, "invalid_body", "Missing required property: name")
	expect(t, do(t, tn, "POST", "/api/v2/roles", all, map[string]any{"name": ""}), 400, "invalid_body", "too short")
	expect(t, do(t, tn, "POST", "/api/v2/roles", all, map[string]any{"name": "x", "perms": 1}), 400, "invalid_body", "Additional properties not allowed: perms")

	if got := do(t, tn, "GET", "/api/v2/roles/"+id, all, nil).object(t); got["name"] != "support" {
		t.Fatalf("get %v", got)
	}
	expect(t, do(t, tn, "GET", "/api/v2/roles/rol_missing", all, nil), 404, "inexistent_role", "The role does not exist")

	list := do(t, tn, "GET", "/api/v2/roles", all, nil).array(t)
	if len(list) != 3 || list[0].(map[string]any)["name"] != "admin" {
		t.Fatalf("list %v", list)
	}
	if list := do(t, tn, "GET", "/api/v2/roles?name_filter=SUPP", all, nil).array(t); len(list) != 1 {
		t.Fatalf("name_filter %v", list)
	}
	env := do(t, tn, "GET", "/api/v2/roles?include_totals=true&per_page=2&page=1", all, nil).object(t)
	if env["total"].(jsonNumber).String() != "3" || len(env["roles"].([]any)) != 1 || env["start"].(jsonNumber).String() != "2" {
		t.Fatalf("envelope %v", env)
	}

	r = do(t, tn, "PATCH", "/api/v2/roles/"+id, all, map[string]any{"description": "Support desk"})
	if got := r.object(t); got["description"] != "Support desk" || got["name"] != "support" {
		t.Fatalf("patch %v", got)
	}
	expect(t, do(t, tn, "PATCH", "/api/v2/roles/"+id, all, map[string]any{"name": "Admin"}), 409, "conflict", "The role already exists.")
	expect(t, do(t, tn, "PATCH", "/api/v2/roles/"+id, all, map[string]any{}), 400, "invalid_body", "Too few properties")
	expect(t, do(t, tn, "PATCH", "/api/v2/roles/rol_missing", all, map[string]any{"name": "n"}), 404, "inexistent_role", "")

	// Deleting a role takes it away from its users.
	expect(t, do(t, tn, "POST", userPath(jane)+"/roles", all, map[string]any{"roles": []string{id}}), 204, "", "")
	if r := do(t, tn, "DELETE", "/api/v2/roles/"+id, all, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if roles := do(t, tn, "GET", userPath(jane)+"/roles", all, nil).array(t); len(roles) != 1 {
		t.Fatalf("deleted role still assigned: %v", roles)
	}
	expect(t, do(t, tn, "DELETE", "/api/v2/roles/"+id, all, nil), 404, "inexistent_role", "")

	for _, c := range []struct{ method, path, scope string }{
		{"GET", "/api/v2/roles", "read:roles"}, {"POST", "/api/v2/roles", "create:roles"},
		{"PATCH", "/api/v2/roles/x", "update:roles"}, {"DELETE", "/api/v2/roles/x", "delete:roles"},
	} {
		expect(t, do(t, tn, c.method, c.path, token(t, tn, "read:users"), map[string]any{"name": "n"}), 403, "insufficient_scope", c.scope)
	}
}

const script = "function (user, context, callback) {\n  callback(null, user, context);\n}"

func TestRules(t *testing.T) {
	tn := openTest(t, Options{})
	all := token(t, tn, everyScope...)
	create := func(body map[string]any) response { return do(t, tn, "POST", "/api/v2/rules", all, body) }

	r := create(map[string]any{"name": "add-roles", "script": script})
	expect(t, r, 201, "", "")
	first := r.object(t)
	if !strings.HasPrefix(first["id"].(string), "rul_") || len(first["id"].(string)) != 20 || first["order"].(jsonNumber).String() != "1" ||
		first["enabled"] != true || first["stage"] != "login_success" || first["script"] != script {
		t.Fatalf("created %v", first)
	}
	r = create(map[string]any{"name": "Enrich Token 2", "script": script, "order": 5, "enabled": false})
	expect(t, r, 201, "", "")
	second := r.object(t)
	if got := create(map[string]any{"name": "third", "script": script}).object(t); got["order"].(jsonNumber).String() != "6" {
		t.Fatalf("default order should be max+1: %v", got)
	}

	t.Run("validation", func(t *testing.T) {
		cases := []struct {
			body     map[string]any
			status   int
			code     string
			fragment string
		}{
			{map[string]any{"name": "add-roles", "script": script}, 409, "conflict", "A rule with the same name already exists."},
			{map[string]any{"name": "new", "script": script, "order": 5}, 409, "conflict", "A rule with the same order already exists."},
			{map[string]any{"name": "-dash", "script": script}, 400, "invalid_body", "does not match pattern"},
			{map[string]any{"name": "trailing ", "script": script}, 400, "invalid_body", "does not match pattern"},
			{map[string]any{"name": "under_score", "script": script}, 400, "invalid_body", "does not match pattern"},
			{map[string]any{"script": script}, 400, "invalid_body", "Missing required property: name"},
			{map[string]any{"name": "x"}, 400, "invalid_body", "Missing required property: script"},
			{map[string]any{"name": "x", "script": ""}, 400, "invalid_body", "too short"},
			{map[string]any{"name": "x", "script": script, "order": -1}, 400, "invalid_body", "minimum 0"},
			{map[string]any{"name": "x", "script": script, "order": "1"}, 400, "invalid_body", "Expected type number but found type string"},
			{map[string]any{"name": "x", "script": script, "stage": "login_success"}, 400, "invalid_body", "Additional properties not allowed: stage"},
		}
		for _, c := range cases {
			t.Run(c.fragment, func(t *testing.T) { expect(t, create(c.body), c.status, c.code, c.fragment) })
		}
	})
	t.Run("list and get", func(t *testing.T) {
		list := do(t, tn, "GET", "/api/v2/rules", all, nil).array(t)
		if len(list) != 3 || list[0].(map[string]any)["name"] != "add-roles" || list[1].(map[string]any)["name"] != "Enrich Token 2" {
			t.Fatalf("list not in order: %v", list)
		}
		if list := do(t, tn, "GET", "/api/v2/rules?enabled=false", all, nil).array(t); len(list) != 1 {
			t.Fatalf("enabled=false: %v", list)
		}
		env := do(t, tn, "GET", "/api/v2/rules?include_totals=true&per_page=1&fields=name,order", all, nil).object(t)
		if env["total"].(jsonNumber).String() != "3" || len(env["rules"].([]any)) != 1 || len(env["rules"].([]any)[0].(map[string]any)) != 2 {
			t.Fatalf("envelope %v", env)
		}
		got := do(t, tn, "GET", "/api/v2/rules/"+second["id"].(string)+"?fields=script&include_fields=false", all, nil).object(t)
		if _, ok := got["script"]; ok || got["name"] != "Enrich Token 2" {
			t.Fatalf("get %v", got)
		}
		expect(t, do(t, tn, "GET", "/api/v2/rules/rul_missing", all, nil), 404, "inexistent_rule", "The rule does not exist.")
		expect(t, do(t, tn, "GET", "/api/v2/rules?fields=secret", all, nil), 400, "invalid_query_string", "secret")
	})
	t.Run("patch", func(t *testing.T) {
		id := second["id"].(string)
		got := do(t, tn, "PATCH", "/api/v2/rules/"+id, all, map[string]any{"enabled": true, "order": 2}).object(t)
		if got["enabled"] != true || got["order"].(jsonNumber).String() != "2" || got["name"] != "Enrich Token 2" {
			t.Fatalf("patch %v", got)
		}
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/"+id, all, map[string]any{"name": "add-roles"}), 409, "conflict", "same name")
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/"+id, all, map[string]any{"order": 1}), 409, "conflict", "same order")
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/"+id, all, map[string]any{"order": 2}), 200, "", "") // its own order
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/"+id, all, map[string]any{"stage": "pre_authorize"}), 400, "invalid_body", "stage")
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/"+id, all, map[string]any{}), 400, "invalid_body", "Too few properties")
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/rul_missing", all, map[string]any{"enabled": false}), 404, "inexistent_rule", "")
	})
	t.Run("Go API", func(t *testing.T) {
		enabled, _ := tn.EnabledRules()
		var names []string
		for _, r := range enabled {
			names = append(names, r.Name)
		}
		if strings.Join(names, ",") != "add-roles,Enrich Token 2,third" {
			t.Fatalf("enabled rules in order: %v", names)
		}
	})
	t.Run("delete", func(t *testing.T) {
		id := first["id"].(string)
		if r := do(t, tn, "DELETE", "/api/v2/rules/"+id, all, nil); r.status != http.StatusNoContent {
			t.Fatalf("delete %d", r.status)
		}
		expect(t, do(t, tn, "GET", "/api/v2/rules/"+id, all, nil), 404, "inexistent_rule", "")
		if r := do(t, tn, "DELETE", "/api/v2/rules/"+id, all, nil); r.status != http.StatusNoContent {
			t.Fatalf("second delete %d", r.status)
		}
	})
	t.Run("scopes", func(t *testing.T) {
		ro := token(t, tn, "read:rules")
		expect(t, do(t, tn, "POST", "/api/v2/rules", ro, map[string]any{"name": "x", "script": script}), 403, "insufficient_scope", "create:rules")
		expect(t, do(t, tn, "PATCH", "/api/v2/rules/x", ro, map[string]any{"enabled": true}), 403, "insufficient_scope", "update:rules")
		expect(t, do(t, tn, "DELETE", "/api/v2/rules/x", ro, nil), 403, "insufficient_scope", "delete:rules")
		expect(t, do(t, tn, "GET", "/api/v2/rules", token(t, tn, "read:users"), nil), 403, "insufficient_scope", "read:rules")
	})
}

func TestRulesConfigs(t *testing.T) {
	tn := openTest(t, Options{})
	all := token(t, tn, everyScope...)
	r := do(t, tn, "PUT", "/api/v2/rules-configs/SLACK_HOOK_URL", all, map[string]any{"value": "https://hooks.slack.test/x"})
	expect(t, r, 200, "", "")
	if got := r.object(t); got["key"] != "SLACK_HOOK_URL" || got["value"] != "https://hooks.slack.test/x" {
		t.Fatalf("put %v", got)
	}
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/a:b@c+d*e-f_g", all, map[string]any{"value": ""}), 200, "", "")
	list := do(t, tn, "GET", "/api/v2/rules-configs", all, nil)
	if string(list.raw) != `[{"key":"SLACK_HOOK_URL"},{"key":"a:b@c+d*e-f_g"}]` {
		t.Fatalf("list must show keys only: %s", list.raw)
	}
	cfg, _ := tn.Configuration()
	if cfg["SLACK_HOOK_URL"] != "https://hooks.slack.test/x" || len(cfg) != 2 {
		t.Fatalf("Configuration %v", cfg)
	}
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/bad%20key", all, map[string]any{"value": "x"}), 400, "invalid_uri", "does not match pattern")
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/"+strings.Repeat("k", 128), all, map[string]any{"value": "x"}), 400, "invalid_uri", "maximum 127")
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/K", all, map[string]any{}), 400, "invalid_body", "Missing required property: value")
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/K", all, map[string]any{"value": 1}), 400, "invalid_body", "Expected type string")
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/K", all, map[string]any{"value": "v", "other": 1}), 400, "invalid_body", "Additional properties")
	if r := do(t, tn, "DELETE", "/api/v2/rules-configs/SLACK_HOOK_URL", all, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete %d", r.status)
	}
	if cfg, _ := tn.Configuration(); len(cfg) != 1 {
		t.Fatalf("after delete %v", cfg)
	}
	expect(t, do(t, tn, "GET", "/api/v2/rules-configs/SLACK_HOOK_URL", all, nil), 501, "not_implemented", "not implemented")
	expect(t, do(t, tn, "GET", "/api/v2/rules-configs", token(t, tn, "read:rules"), nil), 403, "insufficient_scope", "read:rules_configs")
	expect(t, do(t, tn, "PUT", "/api/v2/rules-configs/K", token(t, tn, "read:rules_configs"), map[string]any{"value": "v"}), 403, "insufficient_scope", "update:rules_configs")
	expect(t, do(t, tn, "DELETE", "/api/v2/rules-configs/K", token(t, tn, "update:rules_configs"), nil), 403, "insufficient_scope", "delete:rules_configs")
}

func TestNotImplemented(t *testing.T) {
	tn := openTest(t, Options{})
	all := token(t, tn, everyScope...)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v2/clients"}, {"GET", "/api/v2/users/" + jane + "/permissions"}, {"POST", "/api/v2/jobs/users-imports"},
		{"PUT", userPath(jane)}, {"GET", "/api/v2/users/a/b/c"}, {"GET", "/api/v2/"}, {"HEAD", "/api/v2/users"},
	} {
		r := do(t, tn, c.method, c.path, all, nil)
		if c.method == "HEAD" {
			if r.status != 501 {
				t.Fatalf("%s %s: %d", c.method, c.path, r.status)
			}
			continue
		}
		expect(t, r, 501, "not_implemented", "not implemented by the verq local tenant")
	}
	expect(t, do(t, tn, "GET", "/api/v2/clients", "", nil), 401, "missing_authentication", "")
	expect(t, do(t, tn, "GET", "/other", all, nil), 404, "not_found", "/api/v2/")
}
