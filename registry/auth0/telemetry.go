package auth0

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

type telemetryLegacy struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies []spec.Dependency `json:"dependencies"`
	Environment  []spec.Dependency `json:"environment"`
}

type telemetryEnv struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Env     struct {
		Node string `json:"node"`
	} `json:"env"`
}

// defaultTelemetry is the JSON of the Auth0-Client header (and of getClientInfo()) of version:
// {name, version, dependencies[], environment[]} up to 2.16, {name, version, env:{node}} from 2.17.
func defaultTelemetry(version string, s *spec.Surface) string {
	var v any
	if s.Features.TelemetryEnv {
		t := telemetryEnv{Name: "node-auth0", Version: version}
		t.Env.Node = nodeVersion
		v = t
	} else {
		deps := s.TelemetryDeps
		if deps == nil {
			deps = []spec.Dependency{}
		}
		v = telemetryLegacy{Name: "node-auth0", Version: version, Dependencies: deps,
			Environment: []spec.Dependency{{Name: "node.js", Version: nodeVersion}}}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // fixed shapes of strings cannot fail
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// encodeTelemetry is the SDK's jsonToBase64: base64url without padding.
func encodeTelemetry(jsonText string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(jsonText))
}
