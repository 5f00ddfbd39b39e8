package tenant

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const jane = "auth0|5f7c8ec7c33c6c004bbafe82"

func userPath(id string) string { return "/api/v2/users/" + url.PathEscape(id) }

func TestGetUser(t *testing.T) {
	tn := openTest(t, Options{})
	read := token(t, tn, "read:users")
	t.Run("escaped id", func(t *testing.T) {
		r := do(t, tn, "GET", userPath(jane), read, nil)
		expect(t, r, 200, "", "")
		if u := r.object(t); u["user_id"] != jane || u["email"] != "jane.smith@example.com" {
			t.Fatalf("got %v", u)
		}
		if r.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("content type %q", r.header.Get("Content-Type"))
		}
	})
	t.Run("unescaped pipe as the alpha client sends it", func(t *testing.T) {
		expect(t, do(t, tn, "GET", "/api/v2/users/"+jane, read, nil), 200, "", "")
	})
	t.Run("unknown user", func(t *testing.T) {
		expect(t, do(t, tn, "GET", userPath("auth0|nope"), read, nil), 404, "inexistent_user", "The user does not exist.")
	})
	t.Run("fields", func(t *testing.T) {
		u := do(t, tn, "GET", userPath(jane)+"?fields=email,user_id", read, nil).object(t)
		if len(u) != 2 || u["email"] == nil || u["user_id"] == nil {
			t.Fatalf("fields=email,user_id gave %v", u)
		}
		u = do(t, tn, "GET", userPath(jane)+"?fields=app_metadata,identities&include_fields=false", read, nil).object(t)
		if _, ok := u["app_metadata"]; ok || u["email"] == nil {
			t.Fatalf("include_fields=false gave %v", u)
		}
	})
	t.Run("bad fields", func(t *testing.T) {
		expect(t, do(t, tn, "GET", userPath(jane)+"?fields=password", read, nil), 400, "invalid_query_string", "password")
		expect(t, do(t, tn, "GET", userPath(jane)+"?include_fields=maybe", read, nil), 400, "invalid_query_string", "include_fields")
		expect(t, do(t, tn, "GET", userPath(jane)+"?foo=1", read, nil), 400, "invalid_query_string", "Additional properties not allowed: foo")
	})
	t.Run("empty id", func(t *testing.T) {
		expect(t, do(t, tn, "GET", "/api/v2/users/", read, nil), 400, "invalid_uri", "too short")
	})
	t.Run("idp tokens need read:user_idp_tokens", func(t *testing.T) {
		const john = "google-oauth2|108091299999329986433"
		u := do(t, tn, "GET", userPath(john), read, nil).object(t)
		id := u["identities"].([]any)[0].(map[string]any)
		if _, ok := id["access_token"]; ok {
			t.Fatal("access_token shown without read:user_idp_tokens")
		}
		u = do(t, tn, "GET", userPath(john), token(t, tn, "read:users", "read:user_idp_tokens"), nil).object(t)
		if id := u["identities"].([]any)[0].(map[string]any); id["access_token"] == nil {
			t.Fatal("access_token hidden with read:user_idp_tokens")
		}
	})
	t.Run("read:current_user reads only its own user", func(t *testing.T) {
		own, err := tn.issue(jane, "app", []string{"read:current_user"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, do(t, tn, "GET", userPath(jane), own, nil), 200, "", "")
		expect(t, do(t, tn, "GET", userPath("github|4213567"), own, nil), 403, "insufficient_scope", "does not match subject")
	})
}

func TestCreateUser(t *testing.T) {
	tn := openTest(t, Options{})
	create := token(t, tn, "create:users")
	read := token(t, tn, "read:users")
	t.Run("database user", func(t *testing.T) {
		r := do(t, tn, "POST", "/api/v2/users", create, map[string]any{
			"connection": "Username-Password-Authentication", "email": "New.User@Example.com", "password": "Sup3rSecret",
			"given_name": "New", "app_metadata": map[string]any{"plan": "free"}, "user_metadata": map[string]any{"lang": "fr"},
		})
		expect(t, r, 201, "", "")
		u := r.object(t)
		id, _ := u["user_id"].(string)
		if !strings.HasPrefix(id, "auth0|") || len(id) != len("auth0|")+24 {
			t.Fatalf("user_id %q", id)
		}
		for k, want := range map[string]any{"email": "new.user@example.com", "email_verified": false, "name": "new.user@example.com", "nickname": "new.user", "given_name": "New"} {
			if u[k] != want {
				t.Errorf("%s = %v, want %v", k, u[k], want)
			}
		}
		if _, ok := u["password"]; ok {
			t.Fatal("password echoed")
		}
		if _, ok := u["logins_count"]; ok {
			t.Fatal("a new user has not logged in")
		}
		ident := u["identities"].([]any)[0].(map[string]any)
		if ident["connection"] != "Username-Password-Authentication" || ident["provider"] != "auth0" || ident["isSocial"] != false || "auth0|"+ident["user_id"].(string) != id {
			t.Fatalf("identity %v", ident)
		}
		if !strings.HasPrefix(u["picture"].(string), "https://s.gravatar.com/avatar/") {
			t.Fatalf("picture %v", u["picture"])
		}
		got := do(t, tn, "GET", userPath(id), read, nil).object(t)
		if got["created_at"] != u["created_at"] || got["app_metadata"].(map[string]any)["plan"] != "free" {
			t.Fatalf("stored user differs: %v", got)
		}
		var hash []byte
		tn.db.View(func(tx *boltTx) error { hash = tx.Bucket(bucketPasswords).Get([]byte(id)); return nil })
		if !strings.HasPrefix(string(hash), "pbkdf2-sha256$") {
			t.Fatalf("password not stored hashed: %q", hash)
		}
	})
	t.Run("custom user_id and duplicates", func(t *testing.T) {
		body := map[string]any{"connection": "Username-Password-Authentication", "email": "dup@example.com", "password": "Sup3rSecret", "user_id": "custom-1"}
		r := do(t, tn, "POST", "/api/v2/users", create, body)
		expect(t, r, 201, "", "")
		if r.object(t)["user_id"] != "auth0|custom-1" {
			t.Fatalf("custom id: %s", r.raw)
		}
		expect(t, do(t, tn, "POST", "/api/v2/users", create, body), 409, "auth0_idp_error", "The user already exists.")
		body["user_id"] = "custom-2"
		expect(t, do(t, tn, "POST", "/api/v2/users", create, body), 409, "auth0_idp_error", "The user already exists.")
		body["email"] = "DUP@example.com" // emails are compared case-insensitively
		expect(t, do(t, tn, "POST", "/api/v2/users", create, body), 409, "", "already exists")
	})
	t.Run("passwordless", func(t *testing.T) {
		r := do(t, tn, "POST", "/api/v2/users", create, map[string]any{"connection": "email", "email": "pl@example.com", "email_verified": true})
		expect(t, r, 201, "", "")
		if u := r.object(t); !strings.HasPrefix(u["user_id"].(string), "email|") || u["email_verified"] != true {
			t.Fatalf("passwordless email user %v", u)
		}
		r = do(t, tn, "POST", "/api/v2/users", create, map[string]any{"connection": "sms", "phone_number": "+15555550100"})
		expect(t, r, 201, "", "")
		if u := r.object(t); u["phone_number"] != "+15555550100" || u["name"] != "+15555550100" {
			t.Fatalf("sms user %v", u)
		}
		expect(t, do(t, tn, "POST", "/api/v2/users", create, map[string]any{"connection": "sms", "phone_number": "+15555550100"}), 409, "", "already exists")
	})
	t.Run("validation", func(t *testing.T) {
		cases := []struct {
			body     string
			code     string
			fragment string
		}{
			{`{"email":"a@example.com","password":"Sup3rSecret"}`, "invalid_body", "Missing required property: connection"},
			{`{"connection":"nope","email":"a@example.com"}`, "invalid_body", "Connection does not exist."},
			{`{"connection":"google-oauth2","email":"a@example.com"}`, "invalid_body", "Connection does not support user creation through the API"},
			{`{"connection":"Username-Password-Authentication","password":"Sup3rSecret"}`, "invalid_body", "Missing required property: email"},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com"}`, "invalid_body", "Missing required property: password"},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com","password":"short"}`, "invalid_body", "PasswordStrengthError: Password is too weak"},
			{`{"connection":"Username-Password-Authentication","email":"not-an-email","password":"Sup3rSecret"}`, "invalid_body", "format email"},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com","password":"Sup3rSecret","username":"ann"}`, "invalid_body", "Cannot set username for connection without requires_username."},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com","password":"Sup3rSecret","phone_verified":"yes"}`, "invalid_body", "'Expected type boolean but found type string' on property phone_verified"},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com","password":"Sup3rSecret","favorite":"x"}`, "invalid_body", "Additional properties not allowed: favorite"},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com","password":"Sup3rSecret","user_metadata":{"a.b":1}}`, "invalid_body", "may not contain"},
			{`{"connection":"Username-Password-Authentication","email":"a@example.com","password":"Sup3rSecret","app_metadata":{"blocked":true}}`, "invalid_body", "reserved name \"blocked\""},
			{`{"connection":"email","email":"a@example.com","password":"Sup3rSecret"}`, "invalid_body", "passwordless"},
			{`{"connection":"sms","phone_number":"555-0100"}`, "invalid_body", "phone_number"},
			{`{"connection":"sms"}`, "invalid_body", "Missing required property: phone_number"},
			{`[1,2]`, "invalid_body", "Expected type object but found type array"},
			{`{"connection":`, "invalid_body", "Invalid request payload JSON format"},
			{``, "invalid_body", "found type null"},
		}
		for _, c := range cases {
			t.Run(c.fragment, func(t *testing.T) {
				expect(t, do(t, tn, "POST", "/api/v2/users", create, c.body), 400, c.code, c.fragment)
			})
		}
	})
	t.Run("form encoded", func(t *testing.T) {
		form := url.Values{"connection": {"Username-Password-Authentication"}, "email": {"form@example.com"}, "password": {"Sup3rSecret"}, "email_verified": {"true"}}
		req := httptest.NewRequest("POST", "https://local.verq/api/v2/users", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+create)
		w := httptest.NewRecorder()
		tn.Handler().ServeHTTP(w, req)
		r := response{status: w.Code, raw: w.Body.Bytes()}
		expect(t, r, 201, "", "")
		if r.object(t)["email_verified"] != true {
			t.Fatalf("form booleans not converted: %s", r.raw)
		}
	})
	t.Run("needs create:users", func(t *testing.T) {
		expect(t, do(t, tn, "POST", "/api/v2/users", read, map[string]any{"connection": "email", "email": "x@example.com"}), 403, "insufficient_scope", "Insufficient scope, expected any of: create:users")
	})
}

func TestPatchUser(t *testing.T) {
	tn := openTest(t, Options{})
	upd := token(t, tn, "update:users", "read:users")
	t.Run("root attributes and null unsets", func(t *testing.T) {
		r := do(t, tn, "PATCH", userPath(jane), upd, map[string]any{"given_name": "Janet", "family_name": nil, "blocked": true})
		expect(t, r, 200, "", "")
		u := r.object(t)
		if u["given_name"] != "Janet" || u["blocked"] != true {
			t.Fatalf("got %v", u)
		}
		if _, ok := u["family_name"]; ok {
			t.Fatal("family_name: null did not unset it")
		}
		if u["updated_at"] == "2024-05-14T08:31:55.120Z" {
			t.Fatal("updated_at not bumped")
		}
	})
	t.Run("email change resets verification", func(t *testing.T) {
		u := do(t, tn, "PATCH", userPath(jane), upd, map[string]any{"email": "Jane.New@Example.com"}).object(t)
		if u["email"] != "jane.new@example.com" || u["email_verified"] != false {
			t.Fatalf("got %v", u)
		}
		u = do(t, tn, "PATCH", userPath(jane), upd, map[string]any{"email": "jane.smith@example.com", "email_verified": true}).object(t)
		if u["email_verified"] != true {
			t.Fatalf("got %v", u)
		}
		expect(t, do(t, tn, "PATCH", userPath(jane), upd, map[string]any{"email": "ana.garcia@acme.example"}), 409, "", "The specified new email already exists")
	})
	t.Run("password", func(t *testing.T) {
		expect(t, do(t, tn, "PATCH", userPath(jane), upd, map[string]any{"password": "An0therSecret"}), 200, "", "")
		expect(t, do(t, tn, "PATCH", userPath("github|4213567"), upd, map[string]any{"password": "An0therSecret"}), 400, "invalid_body", "non-database user")
	})
	t.Run("validation", func(t *testing.T) {
		cases := []struct{ body, fragment string }{
			{`{}`, "Too few properties defined (0), minimum 1"},
			{`{"password":"An0therSecret","email":"x@example.com"}`, "Cannot update password and email simultaneously."},
			{`{"password":"An0therSecret","email_verified":true}`, "Cannot update password and email_verified simultaneously."},
			{`{"username":"jane","email":"x@example.com"}`, "Cannot update username and email simultaneously."},
			{`{"username":"jane","email_verified":true}`, "Cannot update username and email_verified simultaneously."},
			{`{"username":"jane","password":"An0therSecret"}`, "Cannot update username and password simultaneously."},
			{`{"email":"nope"}`, "format email"},
			{`{"email_verified":null}`, "found type null"},
			{`{"app_metadata":[1]}`, "Expected type object but found type array"},
			{`{"user_id":"x"}`, "Additional properties not allowed: user_id"},
			{`{"app_metadata":{"$set":1}}`, "may not contain"},
			{`{"username":"jdoe"}`, "requires_username"},
			{`{"connection":"github","name":"x"}`, "no identity in connection"},
		}
		for _, c := range cases {
			t.Run(c.fragment, func(t *testing.T) {
				expect(t, do(t, tn, "PATCH", userPath(jane), upd, c.body), 400, "invalid_body", c.fragment)
			})
		}
		expect(t, do(t, tn, "PATCH", userPath("github|4213567"), upd, map[string]any{"email": "x@example.com"}), 400, "invalid_body", "Cannot update email for non-database user.")
	})
	t.Run("unknown user", func(t *testing.T) {
		expect(t, do(t, tn, "PATCH", userPath("auth0|missing"), upd, map[string]any{"name": "x"}), 404, "inexistent_user", "The user does not exist.")
	})
	t.Run("scopes", func(t *testing.T) {
		appOnly := token(t, tn, "update:users_app_metadata")
		expect(t, do(t, tn, "PATCH", userPath(jane), appOnly, map[string]any{"app_metadata": map[string]any{"x": 1}}), 200, "", "")
		expect(t, do(t, tn, "PATCH", userPath(jane), appOnly, map[string]any{"user_metadata": map[string]any{"x": 1}}), 403, "insufficient_scope", "update:users")
		expect(t, do(t, tn, "PATCH", userPath(jane), appOnly, map[string]any{"app_metadata": map[string]any{"x": 1}, "name": "n"}), 403, "insufficient_scope", "update:users")
		own, _ := tn.issue(jane, "app", []string{"update:current_user_metadata"}, 0)
		expect(t, do(t, tn, "PATCH", userPath(jane), own, map[string]any{"user_metadata": map[string]any{"x": 1}}), 200, "", "")
		expect(t, do(t, tn, "PATCH", userPath("github|4213567"), own, map[string]any{"user_metadata": map[string]any{"x": 1}}), 403, "insufficient_scope", "does not match subject")
		expect(t, do(t, tn, "PATCH", userPath(jane), token(t, tn, "read:users"), map[string]any{"name": "x"}), 403, "insufficient_scope", "expected any of: update:users,update:users_app_metadata,update:current_user_metadata")
	})
}

func TestDeleteUser(t *testing.T) {
	tn := openTest(t, Options{})
	all := token(t, tn, everyScope...)
	const wei = "auth0|60a7b2c3d4e5f6007a8b9c0d"
	r := do(t, tn, "DELETE", userPath(wei), all, nil)
	if r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("delete: %d %q", r.status, r.raw)
	}
	expect(t, do(t, tn, "GET", userPath(wei), all, nil), 404, "inexistent_user", "")
	if _, ok := tn.st.userRoles[wei]; ok {
		t.Fatal("role assignments survived the user")
	}
	if r := do(t, tn, "DELETE", userPath(wei), all, nil); r.status != http.StatusNoContent {
		t.Fatalf("deleting a deleted user: %d", r.status)
	}
	if len(tn.usersByEmail("wei.chen@example.org")) != 0 {
		t.Fatal("email index kept a deleted user")
	}
	expect(t, do(t, tn, "DELETE", userPath(jane), token(t, tn, "read:users"), nil), 403, "insufficient_scope", "delete:users")
	own, _ := tn.issue(jane, "app", []string{"delete:current_user"}, 0)
	expect(t, do(t, tn, "DELETE", userPath("github|4213567"), own, nil), 403, "insufficient_scope", "does not match subject")
	if r := do(t, tn, "DELETE", userPath(jane), own, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete:current_user on itself: %d %s", r.status, r.raw)
	}
}

func TestUsersByEmail(t *testing.T) {
	tn := openTest(t, Options{})
	read := token(t, tn, "read:users")
	a := do(t, tn, "GET", "/api/v2/users-by-email?email=jane.smith@example.com", read, nil).array(t)
	if len(a) != 1 || a[0].(map[string]any)["user_id"] != jane {
		t.Fatalf("got %v", a)
	}
	if a := do(t, tn, "GET", "/api/v2/users-by-email?email=Jane.Smith@example.com", read, nil).array(t); len(a) != 0 {
		t.Fatalf("users-by-email is case-sensitive; got %v", a)
	}
	if a := do(t, tn, "GET", "/api/v2/users-by-email?email=nobody@example.com", read, nil).array(t); len(a) != 0 {
		t.Fatalf("got %v", a)
	}
	a = do(t, tn, "GET", "/api/v2/users-by-email?email=jane.smith@example.com&fields=email", read, nil).array(t)
	if u := a[0].(map[string]any); len(u) != 1 {
		t.Fatalf("fields ignored: %v", u)
	}
	// Same email in two connections: both come back.
	create := token(t, tn, "create:users")
	expect(t, do(t, tn, "POST", "/api/v2/users", create, map[string]any{"connection": "email", "email": "jane.smith@example.com"}), 201, "", "")
	if a := do(t, tn, "GET", "/api/v2/users-by-email?email=jane.smith@example.com", read, nil).array(t); len(a) != 2 {
		t.Fatalf("want 2 users across connections, got %d", len(a))
	}
	expect(t, do(t, tn, "GET", "/api/v2/users-by-email", read, nil), 400, "invalid_query_string", "Missing required property: email")
	expect(t, do(t, tn, "GET", "/api/v2/users-by-email?email=a@b.c&connection=x", read, nil), 400, "invalid_query_string", "Additional properties not allowed")
	expect(t, do(t, tn, "GET", "/api/v2/users-by-email?email=a@b.c", token(t, tn, "read:roles"), nil), 403, "insufficient_scope", "read:users")
}

func TestUserRoles(t *testing.T) {
	tn := openTest(t, Options{})
	all := token(t, tn, everyScope...)
	roles := do(t, tn, "GET", userPath(jane)+"/roles", all, nil).array(t)
	if len(roles) != 1 || roles[0].(map[string]any)["name"] != "admin" {
		t.Fatalf("jane's roles: %v", roles)
	}
	editor := tn.listRoles("editor")[0].ID
	r := do(t, tn, "POST", userPath(jane)+"/roles", all, map[string]any{"roles": []string{editor}})
	if r.status != http.StatusNoContent {
		t.Fatalf("assign: %d %s", r.status, r.raw)
	}
	env := do(t, tn, "GET", userPath(jane)+"/roles?include_totals=true&per_page=1", all, nil).object(t)
	if env["total"].(jsonNumber).String() != "2" || len(env["roles"].([]any)) != 1 || env["limit"].(jsonNumber).String() != "1" {
		t.Fatalf("envelope %v", env)
	}
	expect(t, do(t, tn, "POST", userPath(jane)+"/roles", all, map[string]any{"roles": []string{"rol_doesnotexist00"}}), 404, "inexistent_role", "rol_doesnotexist00")
	expect(t, do(t, tn, "POST", userPath(jane)+"/roles", all, map[string]any{"roles": []string{}}), 400, "invalid_body", "minimum 1")
	expect(t, do(t, tn, "POST", userPath(jane)+"/roles", all, map[string]any{}), 400, "invalid_body", "Missing required property: roles")
	expect(t, do(t, tn, "POST", userPath(jane)+"/roles", all, map[string]any{"roles": []int{1}}), 400, "invalid_body", "Expected type string")
	expect(t, do(t, tn, "POST", userPath("auth0|missing")+"/roles", all, map[string]any{"roles": []string{editor}}), 404, "inexistent_user", "")
	if r := do(t, tn, "DELETE", userPath(jane)+"/roles", all, map[string]any{"roles": []string{editor, "rol_notassigned00"}}); r.status != http.StatusNoContent {
		t.Fatalf("remove: %d %s", r.status, r.raw)
	}
	if roles := do(t, tn, "GET", userPath(jane)+"/roles", all, nil).array(t); len(roles) != 1 {
		t.Fatalf("after remove: %v", roles)
	}
	expect(t, do(t, tn, "GET", userPath("auth0|missing")+"/roles", all, nil), 404, "inexistent_user", "")
	expect(t, do(t, tn, "GET", userPath(jane)+"/roles", token(t, tn, "read:users"), nil), 403, "insufficient_scope", "expected all of: read:users,read:roles")
	expect(t, do(t, tn, "POST", userPath(jane)+"/roles", token(t, tn, "read:users"), map[string]any{"roles": []string{editor}}), 403, "insufficient_scope", "update:users")
}

func TestBodyTooLarge(t *testing.T) {
	tn := openTest(t, Options{})
	big := `{"app_metadata":{"blob":"` + strings.Repeat("x", maxBody) + `"}}`
	expect(t, do(t, tn, "PATCH", userPath(jane), token(t, tn, "update:users"), big), 413, "payload_too_large", "larger than 16 MB")
}
