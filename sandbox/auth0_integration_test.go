package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0"
)

func TestIntegration_Auth0Global(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"statusCode":404,"error":"Not Found","message":"The user does not exist."}`))
			return
		}
		var patch map[string]any
		_ = json.Unmarshal(body, &patch)
		patch["user_id"] = strings.TrimPrefix(r.URL.Path, "/api/v2/users/")
		_ = json.NewEncoder(w).Encode(patch)
	}))
	defer srv.Close()

	e := mustExecutor(t, Config{Globals: []registry.GlobalInstaller{auth0.Global(auth0.GlobalOptions{
		Domain: "tenant.example", AccessToken: "tok", MgmtURL: srv.URL + "/api/v2",
	})}}, `function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.roles = ['admin'];
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function (updated) {
      user.updated = updated.app_metadata.roles[0];
      auth0.users.updateUserMetadata('missing', {a: 1}, function (err) {
        user.err = err.statusCode + ' ' + err.error + ': ' + err.message;
        callback(null, user, context);
      });
    })
    .catch(function (err) { callback(err); });
}`)
	r := mustRun(t, e, map[string]any{"user_id": "auth0|1"}, nil)
	if r.Outcome != OutcomeOK || r.User["updated"] != "admin" || r.User["err"] != "404 Not Found: The user does not exist." {
		t.Fatalf("%s %q %+v user %v", r.Outcome, r.Error, r.Failure, r.User)
	}
	if len(calls) != 2 || !strings.HasPrefix(calls[0], `PATCH /api/v2/users/auth0|1 Bearer tok {"app_metadata":{"roles":["admin"]}}`) {
		t.Fatalf("calls %q", calls)
	}
}
