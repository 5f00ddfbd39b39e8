package tenant

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestImportUsers(t *testing.T) {
	tn := openTest(t, Options{})
	f, err := os.Open("testdata/import_users.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := tn.ImportUsers(bg, f)
	if err != nil || n != 3 {
		t.Fatalf("ImportUsers = %d, %v", n, err)
	}
	page, _ := tn.ListUsers(bg, ListQuery{Q: `email:"imported.one@example.com"`})
	if page.Total != 1 {
		t.Fatalf("imported user not searchable: %+v", page)
	}
	one := page.Users[0]
	if !strings.HasPrefix(one.ID(), "auth0|") || one.Email() != "imported.one@example.com" || one["created_at"] != "2019-01-01T00:00:00.000Z" {
		t.Fatalf("imported %v", one)
	}
	if _, ok := one["password"]; ok {
		t.Fatal("password stored in the profile")
	}
	two, err := tn.GetUser(bg, "auth0|import-two")
	if err != nil || two["custom_idp_attribute"] != "kept as is" {
		t.Fatalf("two: %v %v", two, err)
	}
	if saml, err := tn.GetUser(bg, "samlp|acme|jdoe"); err != nil || saml["identities"].([]any)[0].(map[string]any)["connection"] != "acme-saml" {
		t.Fatalf("saml user: %v %v", saml, err)
	}
	// Importing the same ids again replaces them.
	n, err = tn.ImportUsers(bg, strings.NewReader(`[{"user_id":"auth0|import-two","email":"two@example.com","name":"Two Again"}]`))
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if two, _ := tn.GetUser(bg, "auth0|import-two"); two["name"] != "Two Again" || two["custom_idp_attribute"] != nil {
		t.Fatalf("replace: %v", two)
	}
	if got := tn.usersByEmail("two@example.com"); len(got) != 1 {
		t.Fatalf("email index after replace: %d users", len(got))
	}
}

func TestImportUsers_AtomicAndNamesTheEntry(t *testing.T) {
	tn := openTest(t, Options{})
	before := len(tn.st.users)
	tests := []struct{ in, fragment string }{
		{`{"user_id":"x"}`, "JSON array"},
		{`[{"user_id":"auth0|ok1","email":"ok1@example.com"}, 42]`, "users[1]: expected an object"},
		{`[{"user_id":"auth0|ok1","email":"ok1@example.com"}, {"email":"nope"}]`, "users[1]: email nope is not a valid email address"},
		{`[{"user_id":"auth0|a"}, {"user_id":"auth0|a"}]`, "users[1]: user_id auth0|a repeats users[0]"},
		{`[{"user_id":"auth0|a","email":"s@example.com"}, {"user_id":"auth0|b","email":"S@example.com"}]`, "users[1]: email s@example.com is already used by users[0]"},
		{`[{"user_id":"auth0|ok1"}, {"user_id":"auth0|new","email":"jane.smith@example.com"}]`, "users[1]: email jane.smith@example.com is already used by auth0|5f7c8ec7c33c6c004bbafe82"},
		{`[{"user_id":"auth0|a","logins_count":-1}]`, "users[0]: logins_count must be a non-negative integer"},
		{`[{"user_id":"auth0|a","last_login":"yesterday"}]`, "users[0]: last_login must be an RFC 3339 timestamp"},
		{`[{"user_id":"auth0|a","blocked":"no"}]`, "users[0]: blocked must be true or false"},
		{`[{"user_id":"auth0|a","app_metadata":{"x.y":1}}]`, "users[0]: "},
		{`[{"user_id":"auth0|a","identities":[{"provider":"auth0"}]}]`, "users[0]: identities[0].connection"},
		{`[{"user_id":""}]`, "users[0]: user_id must be a non-empty string"},
		{`[{"user_id":"auth0|a","phone_number":"12"}]`, "users[0]: phone_number"},
		{`[] []`, "unexpected data"},
	}
	for _, tt := range tests {
		t.Run(tt.fragment, func(t *testing.T) {
			n, err := tn.ImportUsers(bg, strings.NewReader(tt.in))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.fragment) || n != 0 {
				t.Fatalf("ImportUsers = %d, %v; want ErrInvalid containing %q", n, err, tt.fragment)
			}
			if len(tn.st.users) != before {
				t.Fatal("a failed import stored users")
			}
			if _, err := tn.GetUser(bg, "auth0|ok1"); !errors.Is(err, ErrNotFound) {
				t.Fatal("the valid entry of a failed import was stored")
			}
		})
	}
}

func TestExportImport_RoundTrip(t *testing.T) {
	src := openTest(t, Options{})
	var buf bytes.Buffer
	if err := src.ExportUsers(bg, &buf); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(src.st.users)+2 {
		t.Fatalf("one user per line expected, got %d lines", lines)
	}
	if !strings.Contains(buf.String(), "access_token") {
		t.Fatal("export should keep identity-provider tokens")
	}
	dst := openTest(t, Options{})
	// Empty the destination, then import the export.
	for id := range dst.st.users {
		if err := dst.deleteUser(bg, id); err != nil {
			t.Fatal(err)
		}
	}
	n, err := dst.ImportUsers(bg, bytes.NewReader(buf.Bytes()))
	if err != nil || n != len(src.st.users) {
		t.Fatalf("import of export: %d, %v", n, err)
	}
	var again bytes.Buffer
	dst.ExportUsers(bg, &again)
	if again.String() != buf.String() {
		t.Fatalf("round trip changed the users:\n%s\n---\n%s", buf.String(), again.String())
	}
	empty := openTest(t, Options{})
	for id := range empty.st.users {
		empty.deleteUser(bg, id)
	}
	var out bytes.Buffer
	empty.ExportUsers(bg, &out)
	if out.String() != "[]\n" {
		t.Fatalf("empty export %q", out.String())
	}
}
