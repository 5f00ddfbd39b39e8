package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// conformanceCase is the JSON header of a case file in testdata/conformance. A case file is
//
//	/*--- { …conformanceCase… } ---*/
//	// --- rule: NAME [order=N] [disabled]
//	function (user, context, callback) { … }
//	// --- rule: …
//
// The rules run with the header's user, context and configuration; every field of expect that is set
// is checked.
type conformanceCase struct {
	Description   string            `json:"description"`
	User          map[string]any    `json:"user"`
	Context       map[string]any    `json:"context"`
	Configuration map[string]string `json:"configuration"`
	Timeout       string            `json:"timeout"`
	Expect        struct {
		Outcome       Outcome          `json:"outcome"`
		Error         *string          `json:"error"`
		ErrorContains string           `json:"error_contains"`
		Failure       *expectedFailure `json:"failure"`
		User          any              `json:"user"`
		Context       any              `json:"context"`
		Logs          *[]LogEntry      `json:"logs"`
		LogsTruncated bool             `json:"logs_truncated"`
		Warnings      []string         `json:"warnings_contain"`
		NoWarnings    bool             `json:"no_warnings"`
		Requires      []expectedReq    `json:"requires"`
		RulesRan      []string         `json:"rules_ran"`
	} `json:"expect"`
}

type expectedFailure struct {
	Rule          string `json:"rule"`
	Name          string `json:"name"`
	Code          string `json:"code"`
	Description   string `json:"description"`
	StatusCode    int    `json:"status_code"`
	MessageHas    string `json:"message_contains"`
	StackContains string `json:"stack_contains"`
}

type expectedReq struct {
	Rule          string `json:"rule"`
	Spec          string `json:"spec"`
	Resolved      string `json:"resolved"`
	Cached        *bool  `json:"cached"`
	ErrorContains string `json:"error_contains"`
}

// parseCase reads a case file into its header and rules.
func parseCase(t *testing.T, path string) (conformanceCase, []Rule) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	start, end := strings.Index(src, "/*---"), strings.Index(src, "---*/")
	if start != 0 || end < 0 {
		t.Fatalf("%s: a case starts with a /*--- {json} ---*/ header", path)
	}
	var c conformanceCase
	dec := json.NewDecoder(strings.NewReader(src[5:end]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	var (
		rules []Rule
		cur   *Rule
		body  strings.Builder
	)
	flush := func() {
		if cur != nil {
			cur.Script = strings.TrimSpace(body.String())
			rules = append(rules, *cur)
		}
		body.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(src[end+5:]))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "// --- rule: "); ok {
			flush()
			fields := strings.Fields(rest)
			cur = &Rule{Name: fields[0], Order: len(rules) + 1, Enabled: true}
			for _, f := range fields[1:] {
				switch {
				case f == "disabled":
					cur.Enabled = false
				case strings.HasPrefix(f, "order="):
					cur.Order, err = strconv.Atoi(strings.TrimPrefix(f, "order="))
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
				default:
					t.Fatalf("%s: unknown rule attribute %q", path, f)
				}
			}
			continue
		}
		if cur != nil {
			body.WriteString(line + "\n")
		}
	}
	flush()
	if len(rules) == 0 {
		t.Fatalf("%s: no rules", path)
	}
	return c, rules
}

// jsonEqual compares two values after a JSON round trip.
func jsonEqual(t *testing.T, got, want any) bool {
	t.Helper()
	norm := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		_ = json.Unmarshal(b, &out)
		return out
	}
	return reflect.DeepEqual(norm(got), norm(want))
}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob("testdata/conformance/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance cases: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".js")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, rules := parseCase(t, path)
			rs, err := Compile(rules)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			cfg := Config{Tenant: name, Resolver: testResolver(), Configuration: c.Configuration}
			if c.Timeout != "" {
				cfg.Limits.Timeout, err = time.ParseDuration(c.Timeout)
				if err != nil {
					t.Fatal(err)
				}
			}
			e, err := NewExecutor(rs, cfg)
			if err != nil {
				t.Fatalf("NewExecutor: %v", err)
			}
			res, err := e.Execute(context.Background(), c.User, c.Context)
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			dump, _ := json.MarshalIndent(res, "", "  ")
			fail := func(format string, args ...any) {
				t.Helper()
				t.Errorf(format, args...)
				t.Logf("%s: %s\nresult: %s", name, c.Description, dump)
			}
			x := c.Expect
			if x.Outcome == "" {
				x.Outcome = OutcomeOK
			}
			if res.Outcome != x.Outcome {
				fail("outcome = %q, want %q (error %q)", res.Outcome, x.Outcome, res.Error)
			}
			if x.Error != nil && res.Error != *x.Error {
				fail("error = %q, want %q", res.Error, *x.Error)
			}
			if x.ErrorContains != "" && !strings.Contains(res.Error, x.ErrorContains) {
				fail("error = %q, want it to contain %q", res.Error, x.ErrorContains)
			}
			if f := x.Failure; f != nil {
				g := res.Failure
				switch {
				case g == nil:
					fail("failure = nil")
				case f.Rule != "" && g.Rule != f.Rule, f.Name != "" && g.Name != f.Name, f.Code != "" && g.Code != f.Code,
					f.Description != "" && g.Description != f.Description, f.StatusCode != 0 && g.StatusCode != f.StatusCode,
					!strings.Contains(g.Message, f.MessageHas), !strings.Contains(g.Stack, f.StackContains):
					fail("failure = %+v, want %+v", *g, *f)
				}
			}
			if x.User != nil && !jsonEqual(t, res.User, x.User) {
				fail("user mismatch")
			}
			if x.Context != nil && !jsonEqual(t, res.Context, x.Context) {
				fail("context mismatch")
			}
			if x.Logs != nil && !jsonEqual(t, res.Logs, *x.Logs) {
				fail("logs mismatch")
			}
			if res.LogsTruncated != x.LogsTruncated {
				fail("logs_truncated = %v", res.LogsTruncated)
			}
			for _, w := range x.Warnings {
				found := false
				for _, g := range res.Warnings {
					found = found || strings.Contains(g, w)
				}
				if !found {
					fail("no warning contains %q", w)
				}
			}
			if x.NoWarnings && len(res.Warnings) > 0 {
				fail("unexpected warnings %q", res.Warnings)
			}
			if x.Requires != nil {
				if len(res.Requires) != len(x.Requires) {
					fail("%d requires, want %d", len(res.Requires), len(x.Requires))
				} else {
					for i, w := range x.Requires {
						g := res.Requires[i]
						if g.Spec != w.Spec || (w.Rule != "" && g.Rule != w.Rule) || g.Resolved != w.Resolved ||
							(w.Cached != nil && g.Cached != *w.Cached) || !strings.Contains(g.Error, w.ErrorContains) ||
							(w.ErrorContains == "" && g.Error != "") {
							fail("require %d = %+v, want %+v", i, g, w)
						}
					}
				}
			}
			if x.RulesRan != nil {
				var ran []string
				for _, r := range res.Rules {
					if r.Ran {
						ran = append(ran, r.Name)
					}
				}
				if !reflect.DeepEqual(ran, x.RulesRan) && !(len(ran) == 0 && len(x.RulesRan) == 0) {
					fail("rules ran = %q, want %q", ran, x.RulesRan)
				}
			}
		})
	}
}
