package request_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0/tenant"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/harness"
	"github.com/verq/verq/registry/http/request"
)

// A rule that calls the Management API through request, with auth0.baseUrl and auth0.accessToken,
// works against the local tenant reached through an egress map.
func TestRequest_ManagementAPIAgainstLocalTenant(t *testing.T) {
	tn, err := tenant.Open(filepath.Join(t.TempDir(), "tenant.db"), tenant.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	srv := httptest.NewServer(tn.Handler())
	defer srv.Close()
	token, err := tn.IssueToken(tenant.KnownScopes(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	h, err := harness.New(harness.Options{
		Egress:   &egress.Options{Policy: egress.Policy{Map: map[string]string{tn.Domain(): srv.URL}}},
		Modules:  map[string]registry.Provider{"request": request.New()},
		Versions: map[string]string{"request": "2.88.2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	auth0 := h.RT.NewObject()
	auth0.Set("baseUrl", tn.BaseURL())
	auth0.Set("accessToken", token)
	h.RT.Set("auth0", auth0)

	_, err = h.Run(`
		var rule = function (user, context, callback) {
			var request = require('request');
			request.get({
				url: auth0.baseUrl + '/users/' + encodeURIComponent(user.user_id),
				headers: {Authorization: 'Bearer ' + auth0.accessToken},
				json: true
			}, function (err, response, body) {
				if (err) return callback(err);
				if (response.statusCode !== 200) return callback(new Error('GET user: ' + response.statusCode));
				var visits = ((body.app_metadata || {}).visits || 0) + 1;
				request.patch({
					url: auth0.baseUrl + '/users/' + encodeURIComponent(user.user_id),
					headers: {Authorization: 'Bearer ' + auth0.accessToken},
					json: {app_metadata: {visits: visits}}
				}, function (err, response, updated) {
					if (err) return callback(err);
					if (response.statusCode !== 200) return callback(new Error('PATCH user: ' + response.statusCode + ' ' + JSON.stringify(updated)));
					user.app_metadata = updated.app_metadata;
					callback(null, user, context);
				});
			});
		};
		var require = function (name) { return globalThis[name]; };
		rule({user_id: 'auth0|5f7c8ec7c33c6c004bbafe82'}, {}, function (err, user) {
			done(err ? 'error: ' + err.message : [user.app_metadata.visits, user.app_metadata.plan]);
		});
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Result(); got != `[1,"gold"]` {
		t.Fatalf("rule result %s", got)
	}
	u, err := tn.GetUser(context.Background(), "auth0|5f7c8ec7c33c6c004bbafe82")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := u["app_metadata"].(map[string]any)
	if fmt.Sprint(md["visits"]) != "1" {
		t.Fatalf("tenant app_metadata = %v, want visits 1", md)
	}
	calls := h.Calls()
	if len(calls) != 2 || calls[0].Method != "GET" || calls[1].Method != "PATCH" || calls[0].Host != tn.Domain() || calls[1].Status != 200 {
		t.Fatalf("recorded %+v", calls)
	}
}
