package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/verq/verq/resolver"
)

// auditScript audits one rule named "r" and returns the findings as "line:col kind" strings.
func auditScript(t *testing.T, script string, opts Options) (*Report, []string) {
	t.Helper()
	rep, err := Run(context.Background(), []Rule{{Name: "r", Source: "r.js", Script: script}}, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%d:%d %s", f.Line, f.Column, f.Kind))
	}
	return rep, got
}

func rule(body string) string {
	return "function (user, context, callback) {\n" + body + "\n}"
}

func TestRun_FindingKinds(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string // "line:col kind", line 2 is the first body line
		msg    string   // substring of the first finding's message
	}{
		{"ok", rule(`var a = require('auth0@2.9.1');`), []string{"2:17 ok"}, "auth0@2.9.1 is allowed (Go shim)"},
		{"unpinned", rule(`var l = require('lodash');`), []string{"2:17 unpinned"}, "resolves to the default lodash@4.17.21"},
		{"range", rule(`var l = require('lodash@^4.17.0');`), []string{"2:17 range"}, "resolves to lodash@4.17.21"},
		{"core", rule(`var u = require('url');`), []string{"2:17 core"}, "url is a core module"},
		{"deprecated", rule(`var a = require('auth0@2.1.0');`), []string{"2:17 deprecated"}, "old promise semantics"},
		{"not in catalog module", rule(`var m = require('left-pad@1.0.0');`), []string{"2:17 not_in_catalog"}, "Cannot find module 'left-pad@1.0.0'"},
		{"not in catalog version", rule(`var m = require('auth0@9.9.9');`), []string{"2:17 not_in_catalog"}, "version 9.9.9"},
		{"not in catalog range", rule(`var m = require('lodash@^9');`), []string{"2:17 not_in_catalog"}, "no version matching ^9"},
		{"blocked", rule(`var m = require('auth0@2.0.0');`), []string{"2:17 blocked"}, "known vulnerable"},
		{"no implementation", rule(`var m = require('ghost@1.0.0');`), []string{"2:17 no_implementation"}, "no implementation"},
		{"invalid spec", rule(`var m = require('auth0@2.9.1/../../x');`), []string{"2:17 invalid_spec"}, "invalid module specifier"},
		{"dynamic variable", rule(`var n = 'auth0'; var m = require(n);`), []string{"2:34 dynamic_require"}, "a variable"},
		{"dynamic concat", rule(`var m = require('auth0@' + v);`), []string{"2:17 dynamic_require"}, "concatenation"},
		{"dynamic template", rule("var m = require(`auth0@${v}`);"), []string{"2:17 dynamic_require"}, "template with substitutions"},
		{"no argument", rule(`require();`), []string{"2:1 dynamic_require"}, "without an argument"},
		{"template literal is literal", rule("var m = require(`auth0@2.9.1`);"), []string{"2:17 ok"}, ""},
		{"legacy global", rule(`_.each([], f); _.map([], f);`), []string{"2:1 legacy_global"}, "`_` is used without require (2 times)"},
		{"legacy globals sorted by position", rule("request.post({});\nvar t = jwt.sign({}, 's');"), []string{"2:1 legacy_global", "3:9 legacy_global"}, "require('request@VERSION')"},
		{"legacy global declared", rule(`var _ = require('lodash@4.17.21'); _.each([], f);`), []string{"2:17 ok"}, ""},
		{"legacy global parameter", rule(`[1].forEach(function (q) { q.all(); });`), nil, ""},
		{"legacy global shadowed in block", rule(`{ let async = {}; async.x(); }`), nil, ""},
		{"legacy global hoisted var", rule(`uuid.v4(); var uuid = make();`), nil, ""},
		{"legacy global assigned implicitly", rule(`_ = require('lodash@4.17.21'); _.each([], f);`), []string{"2:13 ok"}, ""},
		{"legacy global on global object", rule(`global.request = require('request@2.88.2'); request.get('x');`), []string{"2:26 ok"}, ""},
		{"legacy global used before implicit assignment", rule(`function f() { return xpath.select(); } xpath = require('x@1');`), []string{"2:57 not_in_catalog"}, ""},
		{"legacy global property key is not a use", rule(`var o = { request: 1, jwt: 2 }; o.q = 3;`), nil, ""},
		{"legacy shorthand property is a use", rule(`var o = { uuid };`), []string{"2:11 legacy_global"}, ""},
		{"Buffer and error classes are not legacy", rule(`Buffer.from('x'); new UnauthorizedError('no'); new ValidationError('a','b');`), nil, ""},
		{"crypto served as core", rule(`crypto.createHash('sha256'); querystring.stringify({});`), nil, ""},
		{"require shadowed", rule(`function g(require) { return require('anything'); }`), nil, ""},
		{"parse error", "function (user, context, callback) {\n  var = 1;\n}", []string{"2:7 parse_error"}, "SyntaxError"},
		{"trailing semicolon", "function (u, c, cb) { cb(); };", []string{"1:30 parse_error"}, "SyntaxError"},
		{"not a function", "42", []string{"1:1 parse_error"}, "not a function expression"},
		{"statements smuggled in", "1); require('auth0@9.9.9'); (2", []string{"1:1 parse_error", "1:13 not_in_catalog"}, "not a function expression"},
		{"arrow function", "(user, context, callback) => { require('auth0@2.9.1'); }", []string{"1:40 ok"}, ""},
		{"await outside async", rule(`const a = await require('auth0@2.9.1');`), []string{"2:17 parse_error"}, "SyntaxError: Unexpected identifier"},
		{"async function", "async function (u, c, cb) { const a = await require('auth0@2.9.1'); }", []string{"1:53 ok"}, ""},
		{"empty script", "", []string{"1:1 parse_error"}, "SyntaxError"},
		{"line comment at end", "function (u, c, cb) { require('url'); } // trailing", []string{"1:31 core"}, ""},
		{"crlf positions", "function (u, c, cb) {\r\n\r\n  require('url');\r\n}", []string{"3:11 core"}, ""},
		{"astral column", "function (u, c, cb) { var s = '😀'; require('url'); }", []string{"1:45 core"}, ""},
		{"require in nested callback", rule(`request('x', function () { var m = require('auth0@2.30.0'); });`), []string{"2:1 legacy_global", "2:44 ok"}, ""},
		{"require in class and object methods", rule(`class A { m() { require('url'); } static { require('url'); } }; var o = { f() { require('url'); } };`), []string{"2:25 core", "2:52 core", "2:89 core"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, got := auditScript(t, tc.script, testOptions(t))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("findings = %q, want %q\n%s", got, tc.want, dump(rep))
			}
			if tc.msg != "" && !strings.Contains(rep.Findings[0].Message, tc.msg) {
				t.Errorf("message %q does not contain %q", rep.Findings[0].Message, tc.msg)
			}
			for _, f := range rep.Findings {
				if f.Severity != severityOf(f.Kind) || f.Rule != "r" || f.Source != "r.js" {
					t.Errorf("finding %+v: wrong severity, rule or source", f)
				}
			}
		})
	}
}

func dump(rep *Report) string {
	var b strings.Builder
	_ = rep.Write(&b, FormatTable)
	return b.String()
}

func TestRun_CryptoNotServed(t *testing.T) {
	opts := testOptions(t)
	res := newFakeResolver()
	delete(res.cat, "crypto")
	opts.Resolver = res
	rep, got := auditScript(t, rule(`crypto.randomBytes(4); querystring.parse('a=b');`), opts)
	if want := []string{"2:1 legacy_global"}; !slices.Equal(got, want) {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if m := rep.Findings[0].Message; !strings.Contains(m, `runtime "node18" serves no core module crypto`) {
		t.Errorf("message = %q", m)
	}
}

func TestRun_Requires(t *testing.T) {
	rep, _ := auditScript(t, rule("var a = require('auth0@^2.17');\nvar b = require('lodash@4.17.21/fp');\nvar c = require(x);"), testOptions(t))
	got := rep.Rules[0].Requires
	want := []Require{
		{Spec: "auth0@^2.17", Line: 2, Column: 17, Kind: KindRange, Module: "auth0", Version: "2.44.1", Requested: "^2.17", How: "range", Resolved: "auth0@2.44.1"},
		{Spec: "lodash@4.17.21/fp", Line: 3, Column: 17, Kind: KindOK, Module: "lodash", Version: "4.17.21", Requested: "4.17.21", How: "exact", Resolved: "lodash@4.17.21/fp"},
		{Line: 4, Column: 17, Kind: KindDynamicRequire},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("requires =\n%+v\nwant\n%+v", got, want)
	}
}

func TestRun_ResolvesEachSpecOnce(t *testing.T) {
	res := newFakeResolver()
	opts := testOptions(t)
	opts.Resolver = res
	opts.Workers = 4
	rules := make([]Rule, 200)
	for i := range rules {
		rules[i] = Rule{Name: fmt.Sprint("r", i), Script: rule(`require('auth0@2.9.1'); require('lodash');`)}
	}
	if _, err := Run(context.Background(), rules, opts); err != nil {
		t.Fatal(err)
	}
	// crypto and querystring are resolved once up front; two specs at most twice (racing workers).
	if n := res.calls.Load(); n > 2+2*4 {
		t.Errorf("resolver called %d times", n)
	}
}

func TestRun_SameReportForAnyWorkerCount(t *testing.T) {
	rules := syntheticRules(300)
	var first string
	for _, w := range []int{1, 2, 7} {
		opts := testOptions(t)
		opts.Workers = w
		rep, err := Run(context.Background(), rules, opts)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := rep.Write(&b, FormatJSON); err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = b.String()
		} else if b.String() != first {
			t.Fatalf("report with %d workers differs from report with 1 worker", w)
		}
	}
}

func TestRun_Errors(t *testing.T) {
	rules := []Rule{{Name: "a", Script: rule(`require('auth0@2.9.1');`)}}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no resolver", Options{Runtime: testRuntime}, "Options.Resolver is required"},
		{"unknown runtime", Options{Runtime: "node99", Resolver: newFakeResolver()}, `runtime "node99"`},
		{"catalog error", Options{Runtime: testRuntime, Resolver: errResolver{&resolver.Error{Outcome: resolver.OutcomeCatalogError, Spec: "crypto", Detail: "read failed", Err: errBroken}}}, "read failed"},
		{"foreign error", Options{Runtime: testRuntime, Resolver: errResolver{errBroken}}, "disk on fire"},
		{"nil resolution", Options{Runtime: testRuntime, Resolver: errResolver{nil}}, "neither a resolution nor an error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), rules, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRun_ContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, syntheticRules(10), testOptions(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRun_DefaultRuntime(t *testing.T) {
	rep, err := Run(context.Background(), nil, Options{Resolver: errResolver{&resolver.Error{Outcome: resolver.OutcomeNotInCatalog}}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runtime != "default" || len(rep.Rules) != 0 || len(rep.Findings) != 0 || rep.ByModule == nil {
		t.Fatalf("report = %+v", rep)
	}
}

func TestReport_Fails(t *testing.T) {
	tests := []struct {
		summary                Summary
		none, note, warn, errr bool
	}{
		{Summary{}, false, false, false, false},
		{Summary{Notes: 1}, false, true, false, false},
		{Summary{Warnings: 1}, false, true, true, false},
		{Summary{Errors: 1}, false, true, true, true},
	}
	for _, tc := range tests {
		r := &Report{Summary: tc.summary}
		got := []bool{r.Fails("none"), r.Fails("note"), r.Fails("warning"), r.Fails("error")}
		if want := []bool{tc.none, tc.note, tc.warn, tc.errr}; !slices.Equal(got, want) {
			t.Errorf("%+v: Fails(none, note, warning, error) = %v, want %v", tc.summary, got, want)
		}
	}
	if err := CheckFailLevel("warnings"); err == nil || !strings.Contains(err.Error(), "use error, warning, note or none") {
		t.Errorf("CheckFailLevel(warnings) = %v", err)
	}
	for _, l := range []string{"", "none", "note", "warning", "error"} {
		if err := CheckFailLevel(l); err != nil {
			t.Errorf("CheckFailLevel(%q) = %v", l, err)
		}
	}
}

func TestModuleUsage_Sentence(t *testing.T) {
	tests := []struct {
		m    ModuleUsage
		want string
	}{
		{ModuleUsage{Module: "auth0", Version: "2.9.1", Rules: []string{"a", "b", "c"}, Requires: 3, Pinned: 3}, "auth0@2.9.1 is pinned by 3 rules: a, b, c"},
		{ModuleUsage{Module: "auth0", Version: "2.9.1", Rules: []string{"a"}, Requires: 1, Pinned: 1}, "auth0@2.9.1 is pinned by 1 rule: a"},
		{ModuleUsage{Module: "lodash", Version: "4.17.21", Rules: []string{"a", "b"}, Requires: 3, Pinned: 1, Ranged: 1, Unpinned: 1}, "lodash@4.17.21 is required by 2 rules (1 pinned, 1 by range, 1 unpinned): a, b"},
		{ModuleUsage{Module: "url", Status: StatusCore, Rules: []string{"a"}, Requires: 1}, "url (core) is required by 1 rule: a"},
	}
	for _, tc := range tests {
		if got := tc.m.Sentence(); got != tc.want {
			t.Errorf("Sentence() = %q, want %q", got, tc.want)
		}
	}
}

func TestReport_ByModule(t *testing.T) {
	rules := []Rule{
		{Name: "b", Script: rule(`require('auth0@2.9.1'); require('auth0@2.9.1');`)},
		{Name: "a", Script: rule(`require('auth0'); require('auth0@^2.9.0 <2.10'); require('auth0@9.9.9'); require('url');`)},
		{Name: "c", Script: rule(`require('auth0@2.17.1'); require('bad@@');`)},
	}
	rep, err := Run(context.Background(), rules, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range rep.ByModule {
		got = append(got, fmt.Sprintf("%s %s %v %v %d/%d/%d/%d", m.Key(), m.Status, m.Rules, m.Specs, m.Requires, m.Pinned, m.Ranged, m.Unpinned))
	}
	want := []string{
		"auth0@2.9.1 allowed [a b] [auth0 auth0@2.9.1 auth0@^2.9.0 <2.10] 4/2/1/1",
		"auth0@2.17.1 allowed [c] [auth0@2.17.1] 1/1/0/0",
		"auth0@9.9.9 not_in_catalog [a] [auth0@9.9.9] 1/1/0/0",
		"url core [a] [url] 1/0/0/0",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("by module =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRun_Limits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		big := rule("var s = '" + strings.Repeat("x", MaxScriptBytes) + "';")
		rep, got := auditScript(t, big, testOptions(t))
		if want := []string{"1:1 parse_error"}; !slices.Equal(got, want) || !strings.Contains(rep.Findings[0].Message, "the analyser reads at most") {
			t.Fatalf("findings = %q: %s", got, rep.Findings[0].Message)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		rep, got := auditScript(t, rule("var s = '\xff';"), testOptions(t))
		if want := []string{"2:10 parse_error"}; !slices.Equal(got, want) || rep.Findings[0].Message != "the script is not valid UTF-8" {
			t.Fatalf("findings = %q: %s", got, rep.Findings[0].Message)
		}
	})
	t.Run("too deep", func(t *testing.T) {
		deep := strings.Repeat("[", 2*maxDepth) + "require('url')" + strings.Repeat("]", 2*maxDepth)
		_, got := auditScript(t, rule("require('url'); var x = "+deep+";"), testOptions(t))
		if len(got) != 2 || got[0] != "2:9 core" || !strings.HasSuffix(got[1], " incomplete") {
			t.Fatalf("findings = %q", got)
		}
	})
	t.Run("source maps are never loaded", func(t *testing.T) {
		_, got := auditScript(t, rule("require('url');")+"\n//# sourceMappingURL=/nonexistent/map.json", testOptions(t))
		if want := []string{"2:9 core"}; !slices.Equal(got, want) {
			t.Fatalf("findings = %q, want %q", got, want)
		}
	})
}
