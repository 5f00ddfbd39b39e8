package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServer_Execute(t *testing.T) {
	var got *ExecuteRequest
	var deadline time.Duration
	exec := func(ctx context.Context, req *ExecuteRequest) (*ExecuteResult, error) {
		got = req
		if d, ok := ctx.Deadline(); ok {
			deadline = time.Until(d)
		}
		switch req.Rules[0].Name {
		case "bad":
			return nil, Unprocessable("rules do not compile", []string{"bad: line 1"})
		case "boom":
			return nil, errors.New("runtime exploded")
		}
		return &ExecuteResult{Outcome: "ok", Body: map[string]any{"outcome": "ok", "user": req.User, "rules": len(req.Rules)}}, nil
	}
	f := newFixture(t, func(c *Config) { c.Execute = exec; c.MaxExecuteTimeout = 5 * time.Second })

	body := map[string]any{
		"rules": []map[string]any{{"name": "r1", "script": "function (u, c, cb) { cb(null, u, c); }"}, {"name": "r2", "script": "function (u, c, cb) { cb(null, u, c); }", "enabled": false, "order": 2}},
		"user":  map[string]any{"email": "a@b.c"},
	}
	r := f.admin("POST", "/api/v1/execute", body)
	wantStatus(t, r, http.StatusOK)
	var res map[string]any
	r.json(t, &res)
	if res["outcome"] != "ok" || res["rules"] != float64(2) {
		t.Fatalf("result %v", res)
	}
	if got.Runtime != testRuntime || got.Context == nil || got.Configuration == nil || !got.Rules[0].IsEnabled() || got.Rules[1].IsEnabled() || got.Rules[1].Order != 2 {
		t.Fatalf("request %+v", got)
	}
	if deadline <= 4*time.Second || deadline > 5*time.Second {
		t.Errorf("deadline %v, want the 5s maximum", deadline)
	}
	if f.metrics.Executions("ok") != 1 {
		t.Errorf("executions{ok} = %d", f.metrics.Executions("ok"))
	}

	body["timeout_ms"] = 250
	r = f.admin("POST", "/api/v1/execute", body)
	wantStatus(t, r, http.StatusOK)
	if deadline > 250*time.Millisecond {
		t.Errorf("deadline %v, want 250ms", deadline)
	}

	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no rules", map[string]any{}, 400, CodeBadRequest},
		{"both sources", map[string]any{"tenant_rules": true, "rules": []map[string]any{{"name": "a", "script": "x"}}}, 400, CodeBadRequest},
		{"missing name and script", map[string]any{"rules": []map[string]any{{"order": 1}}}, 422, CodeInvalid},
		{"user not an object", map[string]any{"rules": []map[string]any{{"name": "a", "script": "x"}}, "user": "me"}, 400, CodeBadRequest},
		{"configuration not strings", map[string]any{"rules": []map[string]any{{"name": "a", "script": "x"}}, "configuration": map[string]any{"k": 1}}, 400, CodeBadRequest},
		{"unknown field", map[string]any{"rule": []map[string]any{{"name": "a", "script": "x"}}}, 400, CodeBadRequest},
		{"negative timeout", map[string]any{"rules": []map[string]any{{"name": "a", "script": "x"}}, "timeout_ms": -1}, 400, CodeBadRequest},
		{"bad runtime", map[string]any{"rules": []map[string]any{{"name": "a", "script": "x"}}, "runtime": "No Such"}, 400, CodeBadRequest},
		{"too many rules", map[string]any{"rules": manyRules(MaxRules + 1)}, 400, CodeBadRequest},
		{"compile error", map[string]any{"rules": []map[string]any{{"name": "bad", "script": "function ("}}}, 422, CodeInvalid},
		{"internal failure", map[string]any{"rules": []map[string]any{{"name": "boom", "script": "x"}}}, 500, CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.admin("POST", "/api/v1/execute", tt.body)
			wantStatus(t, r, tt.status)
			e := r.errorBody(t)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q", e.Code, tt.code)
			}
			if tt.status == 500 && strings.Contains(e.Error, "exploded") {
				t.Errorf("internal error text leaked: %q", e.Error)
			}
			if tt.name == "compile error" && e.Details == nil {
				t.Error("compile error without details")
			}
		})
	}
	if f.metrics.Executions(OutcomeRejected) != 1 || f.metrics.Executions(OutcomeFailed) != 1 {
		t.Errorf("rejected %d, failed %d", f.metrics.Executions(OutcomeRejected), f.metrics.Executions(OutcomeFailed))
	}

	t.Run("disabled", func(t *testing.T) {
		f := newFixture(t)
		r := f.admin("POST", "/api/v1/execute", map[string]any{"tenant_rules": true})
		wantStatus(t, r, http.StatusNotImplemented)
		r.errorBody(t)
	})
}

func manyRules(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"name": "r", "script": "x"}
	}
	return out
}
