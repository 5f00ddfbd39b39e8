package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verq/verq/catalog"
)

// MaxRules bounds the rules of one execution request.
const MaxRules = 100

// ExecuteRule is one rule of an execution request, as the Management API describes rules.
type ExecuteRule struct {
	ID     string `json:"id,omitempty"`
	Name   string `json:"name"`
	Script string `json:"script"`
	// Order places the rule: enabled rules run in ascending order, ties in request order.
	Order int `json:"order,omitempty"`
	// Enabled defaults to true: a rule sent for execution is meant to run.
	Enabled *bool  `json:"enabled,omitempty"`
	Stage   string `json:"stage,omitempty"`
}

// IsEnabled reports whether the rule runs (Enabled absent means true).
func (r ExecuteRule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// ExecuteRequest is the body of POST /api/v1/execute. Exactly one of Rules and TenantRules is given.
type ExecuteRequest struct {
	// Rules is the ruleset to run.
	Rules []ExecuteRule `json:"rules,omitempty"`
	// TenantRules runs the local tenant's enabled rules (with its rules-configs under Configuration).
	TenantRules bool `json:"tenant_rules,omitempty"`
	// User and Context are the pipeline's input; absent means an empty object.
	User    map[string]any `json:"user,omitempty"`
	Context map[string]any `json:"context,omitempty"`
	// Configuration is the rules' `configuration` global; it wins over the tenant's rules-configs.
	Configuration map[string]string `json:"configuration,omitempty"`
	// Runtime is the catalog runtime requires resolve in; the server's default when empty.
	Runtime string `json:"runtime,omitempty"`
	// TimeoutMS is the pipeline deadline in milliseconds; 0 or more than the server's maximum means
	// the maximum (Config.MaxExecuteTimeout).
	TimeoutMS int `json:"timeout_ms,omitempty"`
}

// ExecuteResult is what an ExecuteFunc returns: the outcome for metrics and the body to send.
type ExecuteResult struct {
	// Outcome is the pipeline outcome: ok, unauthorized, error or timeout.
	Outcome string
	// Body is encoded as the JSON response, e.g. the sandbox result (what `verq run --json` prints).
	Body any
}

// ExecuteFunc runs the ruleset of a validated request. ctx carries the pipeline deadline and is done
// when the client goes away. A *RequestError rejects the request with its status (e.g. a ruleset that
// does not compile: 422 with the compile errors as details); any other error is a 500.
type ExecuteFunc func(ctx context.Context, req *ExecuteRequest) (*ExecuteResult, error)

// Execution outcomes recorded besides the pipeline's own.
const (
	// OutcomeRejected counts requests the ExecuteFunc refused (a ruleset that does not compile, …).
	OutcomeRejected = "rejected"
	// OutcomeFailed counts executions that failed inside the server.
	OutcomeFailed = "failed"
)

func (s *Server) handleExecute(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Execute == nil {
		writeError(w, r, s.log, &RequestError{Status: http.StatusNotImplemented, Code: CodeNotImplemented,
			Message: "this server does not execute rules (started with --no-execute)"})
		return
	}
	var req ExecuteRequest
	if err := s.decodeBody(w, r, &req, false); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if err := s.checkExecuteRequest(&req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	timeout := s.cfg.MaxExecuteTimeout
	if d := time.Duration(req.TimeoutMS) * time.Millisecond; d > 0 && d < timeout {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	start := time.Now()
	res, err := s.cfg.Execute(ctx, &req)
	d := time.Since(start)
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) {
			s.metrics.ObserveExecution(OutcomeRejected, d)
		} else {
			s.metrics.ObserveExecution(OutcomeFailed, d)
		}
		writeError(w, r, s.log, err)
		return
	}
	s.metrics.ObserveExecution(res.Outcome, d)
	writeJSON(w, http.StatusOK, res.Body)
}

// checkExecuteRequest validates and completes a request: one source of rules, named non-empty rules,
// object inputs, a valid runtime.
func (s *Server) checkExecuteRequest(req *ExecuteRequest) error {
	switch {
	case req.TenantRules && len(req.Rules) > 0:
		return BadRequest("give either rules or tenant_rules, not both")
	case !req.TenantRules && len(req.Rules) == 0:
		return BadRequest("no rules: send {\"rules\": [{\"name\": \"…\", \"script\": \"function (user, context, callback) {…}\"}]} or {\"tenant_rules\": true}")
	case len(req.Rules) > MaxRules:
		return BadRequest("%d rules: at most %d per execution", len(req.Rules), MaxRules)
	case req.TimeoutMS < 0:
		return BadRequest("timeout_ms must not be negative")
	}
	var problems []string
	for i, rl := range req.Rules {
		if strings.TrimSpace(rl.Name) == "" {
			problems = append(problems, "rules["+strconv.Itoa(i)+"]: missing name")
		}
		if strings.TrimSpace(rl.Script) == "" {
			problems = append(problems, "rules["+strconv.Itoa(i)+"]: missing script")
		}
	}
	if len(problems) > 0 {
		return Unprocessable("invalid rules: "+strings.Join(problems, "; "), problems)
	}
	if req.Runtime == "" {
		req.Runtime = s.cfg.DefaultRuntime
	} else if err := catalog.ValidateRuntimeName(req.Runtime); err != nil {
		return BadRequest("runtime: %v", err)
	}
	if req.User == nil {
		req.User = map[string]any{}
	}
	if req.Context == nil {
		req.Context = map[string]any{}
	}
	if req.Configuration == nil {
		req.Configuration = map[string]string{}
	}
	return nil
}
