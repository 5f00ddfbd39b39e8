package sandbox

// Outcome is how an execution of the rule pipeline ended.
type Outcome string

const (
	// OutcomeOK: every enabled rule called back without an error.
	OutcomeOK Outcome = "ok"
	// OutcomeUnauthorized: a rule called back with an UnauthorizedError; Result.Error is its description.
	OutcomeUnauthorized Outcome = "unauthorized"
	// OutcomeError: a rule called back with another error, threw, left a promise rejection unhandled,
	// exceeded a limit (call stack, memory) or a native function failed.
	OutcomeError Outcome = "error"
	// OutcomeTimeout: the pipeline did not finish before its deadline or the context was cancelled.
	OutcomeTimeout Outcome = "timeout"
)

// TimeoutMessage is the Rules platform's message for a pipeline that missed its deadline.
const TimeoutMessage = "Request to Webtask exceeded allowed execution time"

// Result is what one execution produced. It is plain data, safe to JSON-encode; User and Context hold
// only map[string]any, []any, string, float64, int64, bool and nil.
type Result struct {
	// Outcome classifies the end of the pipeline.
	Outcome Outcome `json:"outcome"`
	// Error is the failure message (the UnauthorizedError description, the error message, the timeout
	// message); empty when Outcome is ok.
	Error string `json:"error,omitempty"`
	// Failure details the error a rule failed with; nil when Outcome is ok.
	Failure *Failure `json:"failure,omitempty"`
	// User and Context are what the last rule to call back passed on (on failure: the last values
	// handed from one rule to the next). They share untouched values with the maps passed to Execute
	// (see the package caveats).
	User    map[string]any `json:"user"`
	Context map[string]any `json:"context"`
	// Logs is the console output, per rule, in order.
	Logs []LogEntry `json:"logs"`
	// LogsTruncated is set when console output exceeded Limits.MaxConsoleBytes.
	LogsTruncated bool `json:"logs_truncated,omitempty"`
	// Requires lists every require() call with what it resolved to.
	Requires []Require `json:"requires"`
	// HTTP lists the outbound HTTP exchanges modules made through Config.HTTPClient during the
	// execution, in the order they ended (see HTTPCall).
	HTTP []HTTPCall `json:"http,omitempty"`
	// Rules lists every enabled rule in order with its time and whether it ran.
	Rules []RuleRun `json:"rules"`
	// Warnings are contract violations that did not stop the pipeline (a second callback, a deprecated
	// module, a rejection left unhandled after the pipeline finished).
	Warnings []string `json:"warnings,omitempty"`
	// DurationUS is the wall time of the execution in microseconds.
	DurationUS int64 `json:"duration_us"`
}

// Failure is the error a rule failed with, shaped like the Rules sandbox's serialised callback error
// (name, message, code, description, stack, status_code) plus the rule that failed.
type Failure struct {
	// Rule is the name of the rule that failed ("" when no rule can be blamed).
	Rule string `json:"rule,omitempty"`
	// Name is the error's name, e.g. "UnauthorizedError", "TypeError", "RangeError".
	Name string `json:"name,omitempty"`
	// Message is the error's message.
	Message string `json:"message"`
	// Code is the error's code property, e.g. "unauthorized", "MODULE_NOT_FOUND".
	Code string `json:"code,omitempty"`
	// Description is the error's description property (UnauthorizedError sets it to the message).
	Description string `json:"description,omitempty"`
	// Stack is the JS stack; frames name the rule and the line, e.g. "at add-roles:3:11".
	Stack string `json:"stack,omitempty"`
	// StatusCode is the error's statusCode (or status_code) property, e.g. 401; 0 when absent.
	StatusCode int `json:"status_code,omitempty"`
}

// LogEntry is one console call.
type LogEntry struct {
	// Rule is the rule the output is attributed to: the rule running, or the rule that scheduled the
	// timer or asynchronous operation that produced it.
	Rule string `json:"rule"`
	// Level is "log", "info", "warn", "error" or "debug".
	Level string `json:"level"`
	// Message is the formatted output (util.format semantics).
	Message string `json:"message"`
}

// Require is one require() call.
type Require struct {
	// Rule is the rule that called require ("" for requires made while installing globals).
	Rule string `json:"rule"`
	// Spec is the specifier as written (for a legacy global, the module name it is backed by).
	Spec string `json:"spec"`
	// Global names the legacy global (Config.LegacyGlobals) whose first read made this require, e.g.
	// "_" for lodash; empty for require() calls.
	Global string `json:"global,omitempty"`
	// Resolved is name@version (or the core module name, with a /subpath if any); empty on failure.
	Resolved string `json:"resolved,omitempty"`
	// How says how the version was chosen (exact, range, default, core).
	How string `json:"how,omitempty"`
	// Status is the catalog status (allowed, deprecated).
	Status string `json:"status,omitempty"`
	// Reason is the deprecation reason, if any.
	Reason string `json:"reason,omitempty"`
	// Kind is the implementation kind (go, core, package).
	Kind string `json:"kind,omitempty"`
	// Error is the failure message; empty on success.
	Error string `json:"error,omitempty"`
	// Cached is true when the module was already loaded in this runtime.
	Cached bool `json:"cached"`
}

// HTTPCall is one outbound HTTP exchange (a request and its response; each redirect hop is its own
// call). It never holds bodies, headers, query strings or credentials.
type HTTPCall struct {
	// Rule is the rule the call is attributed to: the rule running when the module started the call,
	// or the rule that scheduled the timer or asynchronous operation that started it.
	Rule string `json:"rule"`
	// Method is the request method, e.g. "GET".
	Method string `json:"method"`
	// Host is the host (and port, when the URL names one) the call addressed, e.g. "api.example.com".
	Host string `json:"host"`
	// Status is the response status code; 0 when no response arrived.
	Status int `json:"status,omitempty"`
	// DurationUS is the time from sending the request to the end of the response body.
	DurationUS int64 `json:"duration_us"`
	// Error is why the exchange failed (egress denial, timeout, size limit, network error); empty on
	// success.
	Error string `json:"error,omitempty"`
}

// RuleRun is one enabled rule's part of an execution.
type RuleRun struct {
	// Name is the rule's name.
	Name string `json:"name"`
	// DurationUS is the time from the rule's start to its callback (or to the end of the pipeline).
	DurationUS int64 `json:"duration_us"`
	// Ran is false for rules after the one that ended the pipeline.
	Ran bool `json:"ran"`
}
