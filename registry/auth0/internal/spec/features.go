package spec

import "github.com/Masterminds/semver/v3"

// Retry policies on HTTP 429.
const (
	// RetryNone never retries (2.0–2.8).
	RetryNone = "none"
	// RetryRateLimitHeaders retries only 429s carrying X-RateLimit-Limit, waiting until
	// X-RateLimit-Reset; 10 retries by default (2.9–2.29).
	RetryRateLimitHeaders = "headers"
	// RetryAlways retries every 429 with randomized exponential backoff (about 1 s, 2 s, 4 s);
	// 3 retries by default (2.30+).
	RetryAlways = "always"
)

// Features are the library-wide behaviours of one version: what changed for every method at once
// when the SDK changed its HTTP layer, promise library or error class.
type Features struct {
	// Bluebird: calls return a bluebird promise (spread, tap, nodeify, asCallback, done, timeout)
	// instead of a native Promise (2.9–2.27).
	Bluebird bool
	// IsOperational: rejected errors carry an own isOperational:true (bluebird 2, 2.9–2.17).
	IsOperational bool
	// CallbackHeaders: success callbacks get (null, body, headers) instead of (null, body) (2.0–2.8).
	CallbackHeaders bool
	// CallbackRecalled: a success callback that throws is called again with the thrown error
	// (2.9+); before, the throw is uncaught.
	CallbackRecalled bool
	// SyncDataErrors: invalid request data throws synchronously (2.0–2.8); later it rejects.
	SyncDataErrors bool
	// ErrorClass is the HTTP error class: "APIError" (≤2.26) or "SanitizedError" (2.27+).
	ErrorClass string
	// ErrorJSONMessage: HTTP errors are named APIError with the whole JSON body as message (2.0–2.6).
	ErrorJSONMessage bool
	// ArgumentErrorName is the name of ArgumentError instances: "Error" in 2.0–2.6.
	ArgumentErrorName string
	// LegacyConstructor: the 2.0–2.7 constructor (token required: "An access token must be provided").
	LegacyConstructor bool
	// ClientCredentials: clientId/clientSecret mode against /oauth/token (2.8+).
	ClientCredentials bool
	// RetryOption: the retry option is read and validated (2.9+).
	RetryOption bool
	// Retry is the default 429 policy (Retry* constants) and DefaultMaxRetries its retry count.
	Retry             string
	DefaultMaxRetries int
	// ClientInfoOption: the clientInfo option replaces the telemetry content (2.3+).
	ClientInfoOption bool
	// HeadersOption: the headers option adds request headers (2.23+).
	HeadersOption bool
	// UserAgentOption: the userAgent option replaces User-Agent (2.23–2.37).
	UserAgentOption bool
	// IncludeResponseHeaders: the includeResponseHeaders option resolves {data, headers} (2.43+).
	IncludeResponseHeaders bool
	// TelemetryEnv: Auth0-Client is {name, version, env:{node}} (2.17+) instead of the
	// dependencies/environment form.
	TelemetryEnv bool
	// EncodeIDOnGet / EncodeIDOnWrite: params.id is encodeURIComponent-ed (and written back) on GET
	// (2.18+) and on PATCH/PUT/DELETE (2.34+) when it holds unsafe characters.
	EncodeIDOnGet, EncodeIDOnWrite bool
	// ES6Class: flat members are plain class methods (2.38+) instead of getters returning bound
	// functions, and the constructor must be called with new.
	ES6Class bool
	// TokenProviderKey: instances have an own tokenProvider property first (2.18+).
	TokenProviderKey bool
	// ByEmailOptions: getUsersByEmail(email, options) sends options as query (2.32+); before, a
	// second object argument is called as the callback.
	ByEmailOptions bool
	// ImportUsersJSON: importUsers accepts inline users_json (2.25+).
	ImportUsersJSON bool
	// ClientSecretMessage is the constructor message for a clientId without secret.
	ClientSecretMessage string
}

type era struct {
	constraint string
	apply      func(*Features)
}

// eras are the version boundaries observed in the reference (SUMMARY.md §1, §4–§6).
var eras = []era{
	{">=2.0.0", func(f *Features) {
		f.ErrorClass, f.ArgumentErrorName, f.Retry = "APIError", "ArgumentError", RetryNone
		f.ClientSecretMessage = "Must provide a clientSecret"
	}},
	{"<2.9.0", func(f *Features) { f.CallbackHeaders, f.SyncDataErrors = true, true }},
	{"<2.7.0", func(f *Features) { f.ErrorJSONMessage, f.ArgumentErrorName = true, "Error" }},
	{"<2.8.0", func(f *Features) { f.LegacyConstructor = true }},
	{">=2.3.0", func(f *Features) { f.ClientInfoOption = true }},
	{">=2.8.0", func(f *Features) { f.ClientCredentials = true }},
	{">=2.9.0", func(f *Features) {
		f.CallbackRecalled, f.RetryOption = true, true
		f.Retry, f.DefaultMaxRetries = RetryRateLimitHeaders, 10
	}},
	{">=2.9.0 <2.28.0", func(f *Features) { f.Bluebird = true }},
	{">=2.9.0 <2.18.0", func(f *Features) { f.IsOperational = true }},
	{">=2.17.0", func(f *Features) { f.TelemetryEnv = true }},
	{">=2.18.0", func(f *Features) { f.EncodeIDOnGet, f.TokenProviderKey = true, true }},
	{">=2.23.0", func(f *Features) { f.HeadersOption = true }},
	{">=2.23.0 <2.38.0", func(f *Features) { f.UserAgentOption = true }},
	{">=2.25.0", func(f *Features) { f.ImportUsersJSON = true }},
	{">=2.27.0", func(f *Features) { f.ErrorClass = "SanitizedError" }},
	{">=2.30.0", func(f *Features) { f.Retry, f.DefaultMaxRetries = RetryAlways, 3 }},
	{">=2.32.0", func(f *Features) { f.ByEmailOptions = true }},
	{">=2.34.0", func(f *Features) { f.EncodeIDOnWrite = true }},
	{">=2.38.0", func(f *Features) { f.ES6Class = true }},
	{">=2.43.0", func(f *Features) { f.IncludeResponseHeaders = true }},
	{">=3.0.0", func(f *Features) {
		f.ClientSecretMessage = "Must provide a clientSecret or a clientAssertionSigningKey"
	}},
}

var compiledEras = func() []struct {
	c     *semver.Constraints
	apply func(*Features)
} {
	out := make([]struct {
		c     *semver.Constraints
		apply func(*Features)
	}, len(eras))
	for i, e := range eras {
		c, err := semver.NewConstraint(e.constraint)
		if err != nil {
			panic("auth0 spec: bad era constraint " + e.constraint)
		}
		out[i].c, out[i].apply = c, e.apply
	}
	return out
}()

// FeaturesOf returns the library-wide behaviours of version v.
func FeaturesOf(v *semver.Version) Features {
	var f Features
	for _, e := range compiledEras {
		if e.c.Check(v) {
			e.apply(&f)
		}
	}
	return f
}
