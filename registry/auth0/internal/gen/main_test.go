package main

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// TestTableIsFresh regenerates the table from the reference named by VERQ_AUTH0_REFERENCE and
// compares it with the embedded one (skipped without the reference).
func TestTableIsFresh(t *testing.T) {
	ref := os.Getenv("VERQ_AUTH0_REFERENCE")
	if ref == "" {
		t.Skip("VERQ_AUTH0_REFERENCE is not set")
	}
	out := t.TempDir() + "/table.json"
	if err := run(ref, "overlay.json", out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../spec/table.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/spec/table.json is stale: run go generate ./registry/auth0/internal/spec")
	}
}

func TestParseOutcome(t *testing.T) {
	tests := map[string]string{
		"sends GET /api/v2/users":                      `{"kind":"sends","verb":"GET","path":"/users"}`,
		`throws ArgumentError (name "Error"): x y`:     `{"kind":"throws","class":"ArgumentError","name":"Error","message":"x y"}`,
		"rejects TypeError: Cannot read (reading 'a')": `{"kind":"rejects","class":"TypeError","message":"Cannot read (reading 'a')"}`,
		"callback(err): The data":                      `{"kind":"callbackErr","class":"ArgumentError","message":"The data"}`,
		"callback never called":                        `{"kind":"never"}`,
		"resolves without request":                     `{"kind":"resolves"}`,
	}
	for in, want := range tests {
		o, err := parseOutcome(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		b, _ := json.Marshal(o)
		if string(b) != want {
			t.Errorf("parseOutcome(%q) = %s, want %s", in, b, want)
		}
	}
	for _, bad := range []string{"sends GET", "explodes", "throws: x"} {
		if _, err := parseOutcome(bad); err == nil {
			t.Errorf("parseOutcome(%q) should fail", bad)
		}
	}
}

func TestMergeOrder(t *testing.T) {
	got := mergeOrder([]string{"a", "c"}, []string{"a", "b", "c", "d"})
	if b, _ := json.Marshal(got); string(b) != `["a","b","c","d"]` {
		t.Errorf("mergeOrder = %s", b)
	}
}
