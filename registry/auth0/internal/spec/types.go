package spec

// Table is the declarative description of the npm auth0 2.x/3.x ManagementClient surface: every flat
// method, every manager method (an "endpoint") and every manager, each with the ranges of probed
// versions over which it behaves identically. It is generated from the observed reference by
// internal/gen and embedded; nothing else describes per-version request shapes.
type Table struct {
	// About says where the table comes from.
	About string `json:"about"`
	// Versions are the probed versions, ascending, with the facts that are data rather than ranges.
	Versions []VersionFacts `json:"versions"`
	// Flat are the ManagementClient.prototype members, in prototype order.
	Flat []Flat `json:"flat"`
	// Endpoints are the manager methods by "manager.method".
	Endpoints []Endpoint `json:"endpoints"`
	// Managers are the manager instances, in the instance's own-key order.
	Managers []Manager `json:"managers"`
}

// VersionFacts holds the per-version facts that do not compress into ranges.
type VersionFacts struct {
	// Version is a probed version, e.g. "2.9.1".
	Version string `json:"version"`
	// TelemetryDeps is the dependencies list of the Auth0-Client header (2.0–2.16), in order.
	TelemetryDeps []Dependency `json:"telemetryDeps,omitempty"`
}

// Dependency is one entry of the legacy telemetry dependencies list.
type Dependency struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Range is an inclusive range of probed versions.
type Range struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

// Access kinds of a flat member.
const (
	// AccessMethod delegates to an endpoint (a getter returning a bound function up to 2.37, a
	// plain method from 2.38).
	AccessMethod = "method"
	// AccessThrows is a getter whose target manager method does not exist: reading it throws
	// "TypeError: Cannot read properties of undefined (reading 'bind')".
	AccessThrows = "throws"
	// AccessClientInfo is the synchronous getClientInfo() returning the telemetry object.
	AccessClientInfo = "clientInfo"
	// AccessToken is getAccessToken(): a promise of the bearer token; a callback is ignored.
	AccessToken = "accessToken"
)

// Flat is one ManagementClient.prototype member.
type Flat struct {
	Name   string      `json:"name"`
	Ranges []FlatRange `json:"ranges"`
}

// FlatRange is a flat member's behaviour over a range.
type FlatRange struct {
	Range
	// Access is one of the Access* constants.
	Access string `json:"access"`
	// Endpoint is the "manager.method" the member delegates to (AccessMethod and AccessThrows).
	Endpoint string `json:"endpoint,omitempty"`
}

// Endpoint is one manager method.
type Endpoint struct {
	// ID is "manager.method", e.g. "users.get".
	ID     string          `json:"id"`
	Ranges []EndpointRange `json:"ranges"`
}

// Argument names understood by the engine. An endpoint's Args list says which positional argument
// plays which role; a trailing callback is always accepted.
const (
	// ArgParams fills the path; its remaining keys form the query.
	ArgParams = "params"
	// ArgData, ArgToken and ArgTemplate are sent as the JSON body.
	ArgData     = "data"
	ArgToken    = "token"
	ArgTemplate = "template"
	// ArgMetadata is sent as {app_metadata|user_metadata: metadata} (see Body).
	ArgMetadata = "metadata"
	// ArgUserID is a positional string filling :userId.
	ArgUserID = "userId"
	// ArgEmail is a positional string sent as the email query parameter.
	ArgEmail = "email"
)

// Body kinds.
const (
	BodyNone         = ""
	BodyData         = "data"          // the argument named by BodyArg, as JSON
	BodyEmpty        = "empty"         // {}
	BodyAppMetadata  = "app_metadata"  // {app_metadata: metadata}
	BodyUserMetadata = "user_metadata" // {user_metadata: metadata}
	BodyParamsBody   = "params.body"   // params.body
	BodyMultipart    = "multipart"     // users import form
)

// Endpoint kinds with behaviour beyond a plain REST call.
const (
	KindREST      = ""
	KindDeleteAll = "deleteAll" // callback only; promise style throws
	KindByEmail   = "byEmail"   // (email[, options]) → query email=…
	KindImport    = "import"    // multipart users import
)

// EndpointRange is an endpoint's behaviour over a range.
type EndpointRange struct {
	Range
	// Kind is one of the Kind* constants.
	Kind string `json:"kind,omitempty"`
	// Args are the positional argument roles (Arg* constants), before the optional callback.
	Args []string `json:"args"`
	// Verb is the HTTP method.
	Verb string `json:"verb"`
	// Path is the template under /api/v2, e.g. "/users/:id"; :key is filled from params.
	Path string `json:"path"`
	// Fixed are params the manager sets itself (e.g. {"type":"daily"}); applied unless the params
	// argument is a function.
	Fixed map[string]string `json:"fixed,omitempty"`
	// Body is one of the Body* constants; BodyArg names the argument for BodyData.
	Body    string `json:"body,omitempty"`
	BodyArg string `json:"bodyArg,omitempty"`
	// QueryExclude are params keys never sent in the query.
	QueryExclude []string `json:"queryExclude,omitempty"`
	// Result is "" (the parsed body) or "response" (the raw response object).
	Result string `json:"result,omitempty"`
	// TokenModeThrows, when set, is the TypeError message thrown synchronously in token mode.
	TokenModeThrows string `json:"tokenModeThrows,omitempty"`
	// Checks are argument validations run before the request, in order.
	Checks []Check `json:"checks,omitempty"`
	// NoArgs and CallbackOnly are the observed outcomes of calling with no argument and with only a
	// callback; the engine reproduces them for those two call shapes.
	NoArgs       *Outcome `json:"noArgs,omitempty"`
	CallbackOnly *Outcome `json:"callbackOnly,omitempty"`
	// Derived marks definitions not observed by the probe (manager-only methods), written from the
	// manager's URL templates.
	Derived bool `json:"derived,omitempty"`
}

// Check rules.
const (
	// CheckPresent fails when the value (arg, or arg[key] with a nullish arg read as {}) is falsy.
	CheckPresent = "present"
	// CheckString fails when the value is not a string (after CheckPresent passed).
	CheckString = "string"
	// CheckPresentString fails when the value is falsy or not a string.
	CheckPresentString = "presentString"
	// CheckObjectString fails unless arg is an object and arg[key] a string.
	CheckObjectString = "objectString"
	// CheckDeref throws a TypeError when arg is nullish (reading key).
	CheckDeref = "deref"
)

// Check is one argument validation. A failure throws synchronously.
type Check struct {
	Arg     int    `json:"arg"`
	Key     string `json:"key,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message,omitempty"`
}

// Outcome kinds.
const (
	OutcomeSends       = "sends"       // the request goes out to Verb Path
	OutcomeThrows      = "throws"      // synchronous throw
	OutcomeRejects     = "rejects"     // rejected promise
	OutcomeCallbackErr = "callbackErr" // callback(err)
	OutcomeNever       = "never"       // nothing happens; callback never called
	OutcomeResolves    = "resolves"    // resolves without a request
)

// Outcome is an observed result of a degenerate call.
type Outcome struct {
	Kind string `json:"kind"`
	// Verb and Path (under /api/v2) for OutcomeSends.
	Verb string `json:"verb,omitempty"`
	Path string `json:"path,omitempty"`
	// Class ("ArgumentError", "TypeError"), Name (when it differs from Class) and Message of the error.
	Class   string `json:"class,omitempty"`
	Name    string `json:"name,omitempty"`
	Message string `json:"message,omitempty"`
}

// Manager is one manager instance property.
type Manager struct {
	Name   string         `json:"name"`
	Ranges []ManagerRange `json:"ranges"`
}

// ManagerRange is a manager's class and methods over a range.
type ManagerRange struct {
	Range
	Class   string   `json:"class"`
	Methods []string `json:"methods"`
}
