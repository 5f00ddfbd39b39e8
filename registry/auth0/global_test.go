package auth0_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/internal/testloop"
)

// fakeTenant answers PATCH /api/v2/users/<id> by echoing the update, and 404 for unknown users.
type fakeTenant struct {
	got []recorded
}

func (f *fakeTenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.got = append(f.got, recorded{Method: r.Method, URI: r.RequestURI, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: b})
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path != "/api/v2/users/auth0|123" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}`))
		return
	}
	var patch map[string]any
	_ = json.Unmarshal(b, &patch)
	patch["user_id"] = "auth0|123"
	_ = json.NewEncoder(w).Encode(patch)
}

func globalLoop(t *testing.T, opts auth0.GlobalOptions) *testloop.Loop {
	t.Helper()
	p, err := auth0.NewProvider(auth0.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := testloop.New(p)
	if err := auth0.Global(opts)(l.RT, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestGlobal_Members(t *testing.T) {
	tests := []struct {
		name    string
		opts    auth0.GlobalOptions
		baseURL string
	}{
		{"domain", auth0.GlobalOptions{Domain: "tenant.auth0.com", AccessToken: "AT"}, "https://tenant.auth0.com/api/v2"},
		{"mgmt url", auth0.GlobalOptions{Domain: "tenant.auth0.com", AccessToken: "AT", MgmtURL: "http://127.0.0.1:8081/api/v2/"}, "http://127.0.0.1:8081/api/v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := globalLoop(t, tt.opts)
			v, err := l.RT.RunString(`[auth0.accessToken, auth0.domain, auth0.baseUrl, typeof auth0.users.updateAppMetadata, typeof auth0.users.updateUserMetadata].join(' ')`)
			if err != nil {
				t.Fatal(err)
			}
			want := "AT tenant.auth0.com " + tt.baseURL + " function function"
			if v.String() != want {
				t.Errorf("got %q, want %q", v, want)
			}
		})
	}
}

func TestGlobal_Installer_BadOptions(t *testing.T) {
	for _, opts := range []auth0.GlobalOptions{{}, {Domain: "d", MgmtURL: "http://example.com/api/v2"}, {Domain: "d", MgmtURL: "ftp://127.0.0.1/"}} {
		p, _ := auth0.NewProvider(auth0.Options{})
		l := testloop.New(p)
		if err := auth0.Global(opts)(l.RT, l); !errors.Is(err, auth0.ErrBadOptions) {
			t.Errorf("Global(%+v) installer error = %v, want ErrBadOptions", opts, err)
		}
	}
}

func TestGlobal_UpdateMetadata(t *testing.T) {
	tests := []struct {
		name, script, wantOut, wantURI, wantBody string
	}{
		{
			name:     "app metadata promise",
			script:   `auth0.users.updateAppMetadata('auth0|123', {plan: 'gold'}).then(function (u) { out = JSON.stringify(u); })`,
			wantOut:  `{"app_metadata":{"plan":"gold"},"user_id":"auth0|123"}`,
			wantURI:  "/api/v2/users/auth0%7C123",
			wantBody: `{"app_metadata":{"plan":"gold"}}`,
		},
		{
			name:     "user metadata callback leaves the promise pending",
			script:   `var p = auth0.users.updateUserMetadata('auth0|123', {theme: 'dark'}, function (err, u) { out = err + ' ' + u.user_metadata.theme; }); p.then(function () { out += ' settled'; });`,
			wantOut:  `null dark`,
			wantURI:  "/api/v2/users/auth0%7C123",
			wantBody: `{"user_metadata":{"theme":"dark"}}`,
		},
		{
			name:     "bluebird helpers",
			script:   `auth0.users.updateAppMetadata('auth0|123', {a: null}).nodeify(function (err, u) { out = typeof auth0.users.updateAppMetadata('x', {}).spread + ' ' + u.user_id; })`,
			wantOut:  `function auth0|123`,
			wantURI:  "/api/v2/users/auth0%7C123",
			wantBody: `{"app_metadata":{"a":null}}`,
		},
		{
			name:     "ApiError from the body",
			script:   `auth0.users.updateAppMetadata('nobody', {}).catch(function (e) { out = [e.constructor.name, e.name, e.statusCode, e.error, e.message, e.errorCode, e instanceof Error, Object.keys(e).join(',')].join('|'); })`,
			wantOut:  `ApiError|Error|404|Not Found|The user does not exist.||true|statusCode,error,message`,
			wantURI:  "/api/v2/users/nobody",
			wantBody: `{"app_metadata":{}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeTenant{}
			l := globalLoop(t, auth0.GlobalOptions{Domain: "tenant.auth0.com", AccessToken: "AT", Transport: testloop.HandlerTransport{Handler: ft}})
			if _, err := l.Run(`var out = '';` + tt.script); err != nil {
				t.Fatal(err)
			}
			if got := l.RT.Get("out").String(); got != tt.wantOut {
				t.Errorf("out = %q, want %q", got, tt.wantOut)
			}
			if len(ft.got) == 0 {
				t.Fatal("no request")
			}
			r := ft.got[0]
			if r.Method != http.MethodPatch || r.URI != tt.wantURI || string(r.Body) != tt.wantBody || r.Header.Get("Authorization") != "Bearer AT" {
				t.Errorf("request %s %s %s auth %q, want PATCH %s %s", r.Method, r.URI, r.Body, r.Header.Get("Authorization"), tt.wantURI, tt.wantBody)
			}
		})
	}
}

func TestGlobal_Deadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cancelled := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			cancelled <- struct{}{}
		case <-release:
		}
	})
	l := globalLoop(t, auth0.GlobalOptions{Domain: "tenant.auth0.com", AccessToken: "AT", Transport: testloop.HandlerTransport{Handler: h}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	l.SetContext(ctx)
	start := time.Now()
	if _, err := l.Run(`auth0.users.updateAppMetadata('auth0|123', {})`); !errors.Is(err, testloop.ErrTimeout) {
		t.Fatalf("Run = %v, want the loop to end at the deadline", err)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the request was not cancelled at the deadline")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}
