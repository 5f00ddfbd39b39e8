package tenant

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func ids(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	for _, u := range r.array(t) {
		out = append(out, u.(map[string]any)["user_id"].(string))
	}
	return out
}

func searchPath(q string, extra ...string) string {
	p := "/api/v2/users?search_engine=v3&q=" + url.QueryEscape(q)
	for _, e := range extra {
		p += "&" + e
	}
	return p
}

func TestListUsers_SearchV3(t *testing.T) {
	tn := openTest(t, Options{})
	read := token(t, tn, "read:users")
	tests := []struct {
		q    string
		want []string // user ids in default order (created_at)
	}{
		{`app_metadata.plan:"gold"`, []string{jane}},
		{`app_metadata.plan:pro`, []string{"auth0|60a7b2c3d4e5f6007a8b9c0d", "github|4213567"}},
		{`app_metadata.roles:"admin"`, []string{jane}},
		{`app_metadata.seats:25`, []string{jane}},
		{`app_metadata.billing.currency:EUR`, []string{jane}},
		{`user_metadata.addresses.home.city:"Paris"`, []string{jane}},
		{`_exists_:user_metadata.addresses`, []string{jane}},
		{`email:"JANE.SMITH@example.com"`, []string{jane}},
		{`email.domain:"example.com"`, []string{jane}},
		{`name:"jane smith"`, []string{jane}},
		{`name:j*`, []string{jane, "google-oauth2|108091299999329986433"}},
		{`name:*doe`, []string{"google-oauth2|108091299999329986433"}},
		{`user_id:auth0*`, []string{jane, "auth0|60a7b2c3d4e5f6007a8b9c0d", "auth0|6023e8a1f2b3c4006a1d2e3f"}},
		{`user_id:auth0`, nil},
		{`identities.connection:"google-oauth2"`, []string{"google-oauth2|108091299999329986433"}},
		{`identities.user_id:4213567`, []string{"github|4213567"}},
		{`identities.isSocial:true`, []string{"google-oauth2|108091299999329986433", "github|4213567"}},
		{`email_verified:false OR NOT _exists_:email_verified`, []string{"sms|62c3d4e5f6a7b8009c0d1e2f", "auth0|6023e8a1f2b3c4006a1d2e3f"}},
		{`(NOT _exists_:logins_count OR logins_count:0)`, []string{"auth0|6023e8a1f2b3c4006a1d2e3f"}},
		{`logins_count:[10 TO 50]`, []string{jane, "email|61b2c3d4e5f6a7008b9c0d1e"}},
		{`logins_count:{12 TO 58}`, []string{jane}},
		{`logins_count:{42 TO *]`, []string{"github|4213567"}},
		{`last_login:[2024-04 TO 2024-05]`, []string{jane, "google-oauth2|108091299999329986433", "github|4213567"}},
		{`last_login:{2024-04 TO 2024-05]`, []string{jane, "github|4213567"}},
		{`created_at:[* TO 2021]`, []string{jane, "google-oauth2|108091299999329986433", "auth0|60a7b2c3d4e5f6007a8b9c0d"}},
		{`blocked:true`, []string{"auth0|60a7b2c3d4e5f6007a8b9c0d"}},
		{`phone_number:"+14155550123"`, []string{"sms|62c3d4e5f6a7b8009c0d1e2f"}},
		{`app_metadata.plan:pro AND NOT blocked:true`, []string{"github|4213567"}},
		{`app_metadata.plan:gold app_metadata.plan:free`, []string{jane, "google-oauth2|108091299999329986433", "email|61b2c3d4e5f6a7008b9c0d1e"}},
		{`app_metadata.plan:(gold OR trial)`, []string{jane, "auth0|6023e8a1f2b3c4006a1d2e3f"}},
		{`wchen`, []string{"auth0|60a7b2c3d4e5f6007a8b9c0d"}},
		{`pro`, nil}, // a bare term does not search metadata
		{`last_ip:"2001:db8::2a"`, []string{"github|4213567"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := do(t, tn, "GET", searchPath(tt.q), read, nil)
			expect(t, r, 200, "", "")
			if got := ids(t, r); !slices.Equal(got, tt.want) {
				t.Fatalf("q=%s\n got %v\nwant %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestListUsers_Errors(t *testing.T) {
	tn := openTest(t, Options{})
	read := token(t, tn, "read:users")
	tests := []struct{ path, code, fragment string }{
		{"/api/v2/users?q=" + url.QueryEscape("email:x"), "invalid_query_string", "The 'q' parameter is available only if you specify 'search_engine=v2|v3'."},
		{"/api/v2/users?search_engine=v1", "invalid_query_string", "You are not allowed to use search_engine=v1."},
		{"/api/v2/users?connection=Username-Password-Authentication", "invalid_query_string", "You are not allowed to use search_engine=v1."},
		{"/api/v2/users?search_engine=v2&q=x", "invalid_query_string", "You are not allowed to use search_engine=v2. Use search_engine=v3 instead."},
		{"/api/v2/users?search_engine=v4", "invalid_query_string", "search_engine"},
		{searchPath(`name:"jane`), "invalid_query_string", "at position 6"},
		{searchPath(`(a OR b`), "invalid_query_string", "at position 1: '(' is never closed"},
		{searchPath(`a AND`), "invalid_query_string", "at position 3"},
		{searchPath(`name:*sa`), "invalid_query_string", "at least 3 literal characters"},
		{searchPath(`app_metadata.plan:go*`), "invalid_query_string", "wildcards are not supported on app_metadata.plan"},
		{searchPath(`user_metadata.age:[1 TO 2]`), "invalid_query_string", "range queries are not supported"},
		{searchPath(`logins_count:lots`), "invalid_query_string", "logins_count is a number"},
		{searchPath(`name:jhn~`), "invalid_query_string", "fuzzy"},
		{searchPath("x", "per_page=101"), "invalid_query_string", "per_page"},
		{searchPath("x", "page=-1"), "invalid_query_string", "page"},
		{searchPath("x", "page=10&per_page=100"), "invalid_query_string", "You can only page through the first 1000 records."},
		{searchPath("x", "sort=created_at"), "invalid_query_string", "sort"},
		{searchPath("x", "sort=created_at:2"), "invalid_query_string", "sort"},
		{searchPath("x", "include_totals=yes"), "invalid_query_string", "include_totals"},
		{searchPath("x", "fields=a-b"), "invalid_query_string", "fields"},
		{searchPath("x", "limit=5"), "invalid_query_string", "Additional properties not allowed: limit"},
	}
	for _, tt := range tests {
		t.Run(tt.fragment, func(t *testing.T) {
			expect(t, do(t, tn, "GET", tt.path, read, nil), 400, tt.code, tt.fragment)
		})
	}
	expect(t, do(t, tn, "GET", "/api/v2/users", token(t, tn, "read:rules"), nil), 403, "insufficient_scope", "Insufficient scope, expected any of: read:users")
}

func TestListUsers_PagingSortFields(t *testing.T) {
	tn := openTest(t, Options{})
	read := token(t, tn, "read:users")
	all := ids(t, do(t, tn, "GET", "/api/v2/users", read, nil))
	if len(all) != 7 || all[0] != jane {
		t.Fatalf("default order: %v", all)
	}
	t.Run("no search_engine lists everything", func(t *testing.T) {
		if got := ids(t, do(t, tn, "GET", "/api/v2/users?search_engine=v3", read, nil)); !slices.Equal(got, all) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("pages", func(t *testing.T) {
		var got []string
		for p := 0; p < 4; p++ {
			got = append(got, ids(t, do(t, tn, "GET", fmt.Sprintf("/api/v2/users?per_page=2&page=%d", p), read, nil))...)
		}
		if !slices.Equal(got, all) {
			t.Fatalf("paging lost or repeated users: %v", got)
		}
	})
	t.Run("include_totals", func(t *testing.T) {
		env := do(t, tn, "GET", searchPath(`user_id:auth0*`, "include_totals=true", "per_page=2", "page=1"), read, nil).object(t)
		for k, want := range map[string]string{"start": "2", "limit": "2", "length": "1", "total": "3"} {
			if got := env[k].(jsonNumber).String(); got != want {
				t.Errorf("%s = %s, want %s", k, got, want)
			}
		}
		if len(env["users"].([]any)) != 1 || len(env) != 5 {
			t.Fatalf("envelope %v", env)
		}
	})
	t.Run("sort", func(t *testing.T) {
		got := ids(t, do(t, tn, "GET", "/api/v2/users?sort=logins_count:-1", read, nil))
		want := []string{"github|4213567", jane, "email|61b2c3d4e5f6a7008b9c0d1e", "google-oauth2|108091299999329986433", "auth0|60a7b2c3d4e5f6007a8b9c0d", "sms|62c3d4e5f6a7b8009c0d1e2f", "auth0|6023e8a1f2b3c4006a1d2e3f"}
		if !slices.Equal(got, want) {
			t.Fatalf("logins_count:-1 = %v", got)
		}
		got = ids(t, do(t, tn, "GET", "/api/v2/users?sort=logins_count:1", read, nil))
		if got[0] != "sms|62c3d4e5f6a7b8009c0d1e2f" || got[len(got)-1] != "auth0|6023e8a1f2b3c4006a1d2e3f" {
			t.Fatalf("ascending, missing last: %v", got)
		}
		got = ids(t, do(t, tn, "GET", "/api/v2/users?sort=email:1", read, nil))
		if got[0] != "auth0|6023e8a1f2b3c4006a1d2e3f" || got[len(got)-1] != "sms|62c3d4e5f6a7b8009c0d1e2f" {
			t.Fatalf("email:1 = %v", got)
		}
		got = ids(t, do(t, tn, "GET", "/api/v2/users?sort=last_login:-1&per_page=1", read, nil))
		if !slices.Equal(got, []string{jane}) {
			t.Fatalf("last_login:-1 = %v", got)
		}
	})
	t.Run("fields", func(t *testing.T) {
		for _, u := range do(t, tn, "GET", "/api/v2/users?fields=user_id,email", read, nil).array(t) {
			m := u.(map[string]any)
			for k := range m {
				if k != "user_id" && k != "email" {
					t.Fatalf("unexpected field %s", k)
				}
			}
		}
		for _, u := range do(t, tn, "GET", "/api/v2/users?fields=identities&include_fields=false", read, nil).array(t) {
			if _, ok := u.(map[string]any)["identities"]; ok {
				t.Fatal("excluded field present")
			}
		}
	})
	t.Run("idp tokens", func(t *testing.T) {
		r := do(t, tn, "GET", "/api/v2/users", read, nil)
		if strings.Contains(string(r.raw), "access_token") {
			t.Fatal("list shows idp tokens without read:user_idp_tokens")
		}
		r = do(t, tn, "GET", "/api/v2/users", token(t, tn, "read:users", "read:user_idp_tokens"), nil)
		if !strings.Contains(string(r.raw), "access_token") {
			t.Fatal("list hides idp tokens with read:user_idp_tokens")
		}
	})
	t.Run("Go API", func(t *testing.T) {
		page, err := tn.ListUsers(bg, ListQuery{Q: "app_metadata.plan:pro", Sort: "created_at:-1", Fields: []string{"user_id"}})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || page.Users[0].ID() != "github|4213567" || len(page.Users[0]) != 1 {
			t.Fatalf("%+v", page)
		}
		if _, err := tn.ListUsers(bg, ListQuery{Q: "a AND"}); !isStatus(err, 400) {
			t.Fatalf("bad query via Go API: %v", err)
		}
	})
}

func isStatus(err error, status int) bool {
	e, ok := err.(*Error)
	return ok && e.StatusCode == status
}
