package auth0_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/internal/testloop"
)

func runJS(t *testing.T, h *harness, src string) string {
	t.Helper()
	if _, err := h.l.Run(`var out = '';` + src); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return h.l.RT.Get("out").String()
}

func TestBluebirdHelpers(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"spread", `m.getUsers().then(function (u) { return [u.length, 'x']; }).spread(function (a, b) { out = a + b; })`, "1x"},
		{"tap", `m.getUsers().tap(function () { out += 't'; }).then(function (u) { out += u.length; })`, "t1"},
		{"nodeify", `m.getUsers().nodeify(function (err, u) { out = err + ' ' + u.length; })`, "null 1"},
		{"asCallback error", `m.getUser({id: 'missing'}).asCallback(function (err) { out = err.name; })`, "Not Found"},
		{"catch predicate", `m.getUser({id: 'missing'}).catch({statusCode: 404}, function (e) { out = 'pred ' + e.statusCode; })`, "pred 404"},
		{"finally", `m.getUsers().finally(function () { out = 'fin'; })`, "fin"},
		{"timeout not hit", `m.getUsers().timeout(5000).then(function (u) { out = 'ok ' + u.length; })`, "ok 1"},
		{"not a native promise", `out = String(m.getUsers() instanceof Promise) + ' ' + typeof m.getUsers().done`, "false function"},
		{"await", `(async function () { var u = await m.getUsers(); out = 'awaited ' + u.length; })()`, "awaited 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.handle = func(w http.ResponseWriter, r *http.Request, _ int) bool {
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "/missing") {
					w.WriteHeader(404)
					_, _ = w.Write([]byte(`{"statusCode":404,"error":"Not Found","message":"no"}`))
					return true
				}
				_, _ = w.Write([]byte(`[{"id":"u1"}]`))
				return true
			}
			h := newHarness(t, rec, "2.9.1", tokenOpts)
			if got := runJS(t, h, tt.src); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlatMethods_FollowManagers(t *testing.T) {
	for _, v := range []string{"2.9.1", "2.44.1"} {
		h := newHarness(t, newRecorder(t), v, tokenOpts)
		got := runJS(t, h, `m.users.get = function (p) { return 'patched ' + p.id; }; out = m.getUser({id: 'a'});`)
		if got != "patched a" {
			t.Errorf("%s: %q", v, got)
		}
		got = runJS(t, h, `delete m.users; try { m.getUser({id: 'a'}); } catch (e) { out = e.constructor.name + ': ' + e.message; }`)
		if !strings.HasPrefix(got, "TypeError: Cannot read properties of undefined") {
			t.Errorf("%s: after deleting users: %q", v, got)
		}
		got = runJS(t, h, `m.extra = 1; out = Object.keys(m).indexOf('users') + ' ' + Object.keys(m).slice(-1)[0] + ' ' + ('users' in m) + ' ' + (m instanceof MC);`)
		if got != "-1 extra false true" {
			t.Errorf("%s: own keys after edits: %q", v, got)
		}
	}
}

func TestIncludeResponseHeaders(t *testing.T) {
	rec := newRecorder(t)
	rec.respond(200, `{"id":"u1"}`, map[string]string{"X-RateLimit-Remaining": "9"})
	h := newHarness(t, rec, "2.44.1", `{domain: 'd', token: 'T', includeResponseHeaders: true}`)
	got := runJS(t, h, `m.getUser({id: 'u1'}).then(function (r) { out = r.data.id + ' ' + r.headers['x-ratelimit-remaining']; })`)
	if got != "u1 9" {
		t.Errorf("got %q", got)
	}
}

func TestGetAccessToken(t *testing.T) {
	rec := newRecorder(t)
	tokens := 0
	rec.handle = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if r.URL.Path == "/oauth/token" {
			tokens++
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"CC1","expires_in":3600}`))
			return true
		}
		return false
	}
	h := newHarness(t, rec, "2.30.0", `{domain: 'd', clientId: 'unique-client', clientSecret: 's'}`)
	got := runJS(t, h, `m.getAccessToken().then(function (t) { out += t; return m.getAccessToken(); }).then(function (t) { out += ' ' + t; })`)
	if got != "CC1 CC1" || tokens != 1 {
		t.Errorf("got %q with %d token requests, want one cached token", got, tokens)
	}
	h2 := newHarness(t, rec, "2.30.0", `{domain: 'd', clientId: 'nocache-client', clientSecret: 's', tokenProvider: {enableCache: false}}`)
	runJS(t, h2, `m.getAccessToken().then(function () { return m.getAccessToken(); })`)
	if tokens != 3 {
		t.Errorf("enableCache:false made %d token requests in total, want 3", tokens)
	}
	rec.handle = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"error":"access_denied","error_description":"Unauthorized"}`))
		return true
	}
	h3 := newHarness(t, rec, "2.30.0", `{domain: 'd', clientId: 'denied-client', clientSecret: 's'}`)
	got = runJS(t, h3, `m.getUsers(function (err) { out = err.name + ': ' + err.message + ' ' + err.statusCode; })`)
	if got != "access_denied: Unauthorized 401" {
		t.Errorf("token failure: %q", got)
	}
}

func TestGetUsersByEmail_OptionsBefore232(t *testing.T) {
	rec := newRecorder(t)
	rec.respond(200, `[]`, nil)
	h := newHarness(t, rec, "2.9.1", tokenOpts)
	got := runJS(t, h, `var p = m.getUsersByEmail('a@b.c', {fields: 'email'}); out = typeof p;`)
	reqs := rec.take()
	if got != "undefined" || len(reqs) != 1 || reqs[0].RawQuery != "email=a%40b.c" {
		t.Errorf("returned %s, requests %+v", got, reqs)
	}
	if len(h.l.Uncaught) != 1 || !strings.Contains(h.l.Uncaught[0].Error(), "callback is not a function") {
		t.Errorf("uncaught = %v", h.l.Uncaught)
	}
}

func TestLoad_VersionsNotProbed(t *testing.T) {
	tests := []struct {
		version string
		has     string
		lacks   string
	}{
		{"2.9.0", "getUsersByEmail", "deleteUserMultifactor"},
		{"2.2.0", "getLogs", "getClientGrants"},
		{"2.17.0", "getUserRoles", "getAccessToken"},
		{"3.0.0", "getUserRoles", "getClientInfo"},
		{"2.0.0-alpha.5", "getUser", "getLogs"},
	}
	p, err := auth0.NewProvider(auth0.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			l := testloop.New(p)
			v, err := l.RT.RunString(`var m = new (require('auth0@` + tt.version + `').ManagementClient)({domain: 'd', token: 'T'}); typeof m.` + tt.has + ` + ' ' + typeof m.` + tt.lacks)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != "function undefined" {
				t.Errorf("got %s", v)
			}
		})
	}
	l := testloop.New(p)
	if _, err := p.Load(&registry.LoadRequest{Runtime: l.RT, Host: l, Name: "auth0", Version: "4.0.0"}); err == nil {
		t.Error("Load(4.0.0) should fail")
	}
	if _, err := p.Load(&registry.LoadRequest{Runtime: l.RT, Host: l, Name: "auth0", Version: "2.9.1", Subpath: "lib/x"}); err == nil {
		t.Error("Load with a subpath should fail")
	}
}

func TestProvider_Options(t *testing.T) {
	bad := []auth0.Options{
		{MgmtURL: "http://example.com/api/v2"},
		{MgmtURL: "ftp://127.0.0.1/api/v2"},
		{MgmtURL: "/api/v2"},
		{MgmtURL: "https://127.0.0.1/api/v2?x=1"},
		{CAFile: "testdata/does-not-exist.pem"},
	}
	for _, o := range bad {
		if _, err := auth0.NewProvider(o); err == nil {
			t.Errorf("NewProvider(%+v) should fail", o)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8081/api/v2", "http://localhost:1/api/v2/", "http://[::1]:2/api/v2", "https://tenant.example.com/api/v2"} {
		if _, err := auth0.NewProvider(auth0.Options{MgmtURL: u}); err != nil {
			t.Errorf("NewProvider(MgmtURL %s): %v", u, err)
		}
	}
	p, _ := auth0.NewProvider(auth0.Options{})
	if info := p.Info(); info.Name != "auth0" || info.Range != ">=2.0.0 <4" || info.Kind != registry.KindGo {
		t.Errorf("Info = %+v", info)
	}
	if vs := auth0.Versions(); len(vs) != 45 || vs[0] != "2.0.0" || vs[len(vs)-1] != "3.7.2" {
		t.Errorf("Versions = %v", vs)
	}
	if _, ok := auth0.MethodsOf("5.0.0"); ok {
		t.Error("MethodsOf(5.0.0) should be false")
	}
	if _, ok := auth0.FirstVersionWith("noSuchMethod"); ok {
		t.Error("FirstVersionWith(noSuchMethod) should be false")
	}
}

func TestManagers_DerivedEndpoints(t *testing.T) {
	rec := newRecorder(t)
	h := newHarness(t, rec, "2.44.1", tokenOpts)
	tests := []struct {
		call, method, uri, body string
	}{
		{`m.organizations.getMembers({id: 'org_1', per_page: 5})`, "GET", "/api/v2/organizations/org_1/members?per_page=5", ""},
		{`m.organizations.addMembers({id: 'org_1'}, {members: ['u1']})`, "POST", "/api/v2/organizations/org_1/members", `{"members":["u1"]}`},
		{`m.actions.deploy({id: 'act_1'})`, "POST", "/api/v2/actions/actions/act_1/deploy", `{}`},
		{`m.users.getAll({q: 'x'})`, "GET", "/api/v2/users?q=x", ""},
		{`m.connections.deleteUserByEmail({id: 'con_1', email: 'a@b.c'})`, "DELETE", "/api/v2/connections/con_1/users?email=a%40b.c", `{}`},
	}
	for _, tt := range tests {
		runJS(t, h, tt.call)
		reqs := rec.take()
		if len(reqs) != 1 || reqs[0].Method != tt.method || reqs[0].URI != tt.uri || string(reqs[0].Body) != tt.body {
			t.Errorf("%s sent %+v, want %s %s %s", tt.call, reqs, tt.method, tt.uri, tt.body)
		}
	}
}
