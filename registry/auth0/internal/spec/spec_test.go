package spec

import (
	"testing"

	"github.com/Masterminds/semver/v3"
)

func TestDescribing(t *testing.T) {
	tests := map[string]string{
		"2.9.1":         "2.9.1",
		"2.9.0":         "2.9.1",
		"2.2.0":         "2.1.0",
		"2.30.5":        "2.30.0",
		"2.0.0-alpha.5": "2.0.0",
		"3.0.0":         "3.7.2",
		"3.9.1":         "3.7.2",
		"2.99.0":        "2.44.1",
	}
	for in, want := range tests {
		if got, ok := Describing(in); !ok || got != want {
			t.Errorf("Describing(%s) = %s %v, want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"1.0.0", "4.0.0", "0.8.5", "x"} {
		if got, ok := Describing(bad); ok {
			t.Errorf("Describing(%s) = %s, want false", bad, got)
		}
	}
}

func TestSurfaceOf_EveryProbedVersion(t *testing.T) {
	vs := Probed()
	if len(vs) != 45 {
		t.Fatalf("Probed() has %d versions", len(vs))
	}
	for _, v := range vs {
		s, err := SurfaceOf(v)
		if err != nil {
			t.Fatalf("SurfaceOf(%s): %v", v, err)
		}
		if s.Probed != v || len(s.Flat) == 0 || len(s.Managers) == 0 {
			t.Errorf("SurfaceOf(%s) = %+v", v, s)
		}
		for _, f := range s.Flat {
			if f.Access == AccessMethod && f.Endpoint == nil {
				t.Errorf("%s %s has no endpoint", v, f.Name)
			}
		}
	}
	a, _ := SurfaceOf("2.9.1")
	b, _ := SurfaceOf("2.9.0")
	if a != b {
		t.Error("surfaces of the same probed version should be shared")
	}
}

func TestFeaturesOf(t *testing.T) {
	tests := []struct {
		v     string
		check func(Features) bool
	}{
		{"2.0.0", func(f Features) bool {
			return !f.Bluebird && f.CallbackHeaders && f.ErrorJSONMessage && f.ArgumentErrorName == "Error" && f.Retry == RetryNone && f.LegacyConstructor
		}},
		{"2.7.1", func(f Features) bool {
			return !f.ErrorJSONMessage && f.ArgumentErrorName == "ArgumentError" && f.LegacyConstructor
		}},
		{"2.9.1", func(f Features) bool {
			return f.Bluebird && f.IsOperational && !f.CallbackHeaders && f.Retry == RetryRateLimitHeaders && f.DefaultMaxRetries == 10 && !f.TelemetryEnv
		}},
		{"2.18.1", func(f Features) bool {
			return f.Bluebird && !f.IsOperational && f.EncodeIDOnGet && !f.EncodeIDOnWrite && f.TokenProviderKey
		}},
		{"2.27.1", func(f Features) bool { return f.Bluebird && f.ErrorClass == "SanitizedError" }},
		{"2.28.0", func(f Features) bool { return !f.Bluebird }},
		{"2.30.0", func(f Features) bool { return f.Retry == RetryAlways && f.DefaultMaxRetries == 3 && !f.ByEmailOptions }},
		{"2.34.2", func(f Features) bool { return f.EncodeIDOnWrite && f.ByEmailOptions && !f.ES6Class }},
		{"2.38.1", func(f Features) bool { return f.ES6Class && !f.UserAgentOption && !f.IncludeResponseHeaders }},
		{"2.44.1", func(f Features) bool {
			return f.IncludeResponseHeaders && f.ClientSecretMessage == "Must provide a clientSecret"
		}},
		{"3.7.2", func(f Features) bool {
			return f.ClientSecretMessage == "Must provide a clientSecret or a clientAssertionSigningKey"
		}},
	}
	for _, tt := range tests {
		if f := FeaturesOf(semver.MustParse(tt.v)); !tt.check(f) {
			t.Errorf("FeaturesOf(%s) = %+v", tt.v, f)
		}
	}
}
