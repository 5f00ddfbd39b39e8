package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/request"
	"github.com/verq/verq/resolver"
)

func TestResult_HTTPCalls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	client, err := egress.NewClient(egress.Options{Policy: egress.Policy{Allow: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	rs := testResolver()
	p := request.New()
	rs.modules["request"] = &resolver.Resolution{Name: "request", Version: "2.88.2", How: resolver.HowDefault,
		Status: catalog.StatusAllowed, Implementation: p.Info(), Provider: p}
	e := mustExecutor(t, Config{Resolver: rs, HTTPClient: client}, `function (user, context, callback) {
  const request = require('request');
  request.get({ url: context.base + '/first?api_key=query-secret', auth: { bearer: 'header-secret' }, json: true }, function (err, res, body) {
    if (err) return callback(err);
    user.first = body.ok;
    // a call started from a timer the rule scheduled is the rule's too
    setTimeout(function () {
      request.post({ url: context.base + '/missing', body: 'body-secret' }, function (err, res) {
        if (err) return callback(err);
        user.second = res.statusCode;
        callback(null, user, context);
      });
    }, 1);
  });
}`, `function (user, context, callback) {
  require('request').get('http://10.0.0.1/x', function (err) {
    user.denied = err && err.code;
    callback(null, user, context);
  });
}`)
	r := mustRun(t, e, nil, map[string]any{"base": srv.URL})
	if r.Outcome != OutcomeOK || r.User["first"] != true || r.User["second"] != int64(404) || r.User["denied"] != "ERR_EGRESS_DENIED" {
		t.Fatalf("%s %q %v", r.Outcome, r.Error, r.User)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []HTTPCall{
		{Rule: "rule-1", Method: "GET", Host: host, Status: 200},
		{Rule: "rule-1", Method: "POST", Host: host, Status: 404},
		{Rule: "rule-2", Method: "GET", Host: "10.0.0.1"},
	}
	if len(r.HTTP) != len(want) {
		t.Fatalf("http calls %+v, want %d", r.HTTP, len(want))
	}
	for i, c := range r.HTTP {
		if c.DurationUS < 0 || (i < 2 && c.Error != "") || (i == 2 && !strings.Contains(c.Error, "egress denied")) {
			t.Errorf("call %d: %+v", i, c)
		}
		c.DurationUS, c.Error = 0, ""
		if c != want[i] {
			t.Errorf("call %d: %+v, want %+v", i, c, want[i])
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"query-secret", "header-secret", "body-secret", "/first", "/missing"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the result exposes %q: %s", secret, b)
		}
	}
	if !strings.Contains(string(b), `"http":[{"rule":"rule-1","method":"GET","host":"`+host+`","status":200,"duration_us":`) {
		t.Errorf("JSON shape: %s", b)
	}

	// every execution lists only its own calls; an execution without calls has none
	r = mustRun(t, e, nil, map[string]any{"base": srv.URL})
	if len(r.HTTP) != 3 {
		t.Fatalf("second execution: %+v", r.HTTP)
	}
	quiet := mustExecutor(t, Config{HTTPClient: client}, trivialRule)
	if r := mustRun(t, quiet, nil, nil); r.HTTP != nil {
		t.Fatalf("no calls: %+v", r.HTTP)
	}
}
