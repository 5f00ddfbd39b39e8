package sandbox

import (
	"errors"
	"strings"
	"testing"
)

func TestCompile_Errors(t *testing.T) {
	cases := []struct {
		name, script string
		line, column int
		message      string
	}{
		{"syntax", "function (user, context, callback) {\n  var x = ;\n}", 2, 11, "SyntaxError: Unexpected token ;"},
		{"trailing-semicolon", "function (user, context, callback) {\n  callback(null, user, context);\n};", 3, 2, "remove the trailing semicolon"},
		{"number", "42", 1, 1, "not a literal"},
		{"call", "\n\nsetup()", 3, 1, "not a call"},
		{"object", "({ a: 1 })", 1, 2, "not an object"},
		{"unterminated", "function (user) {\n  if (x) {\n", 3, 1, "SyntaxError: Unexpected end of input"},
		{"sequence", "function a() {}, function b() {}", 1, 1, "not a sequence"},
		{"declaration-then-call", "function a() {}\na()", 2, 1, ""},
		{"empty", "  \n ", 0, 0, "script is empty"},
		{"class", "class A {}", 1, 1, "not a class"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile([]Rule{{Name: c.name, Script: c.script, Enabled: true}})
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *CompileError", err)
			}
			if ce.Rule != c.name || ce.Line != c.line || ce.Column != c.column || !strings.Contains(ce.Message, c.message) {
				t.Fatalf("got %+v (%v), want %d:%d containing %q", *ce, ce, c.line, c.column, c.message)
			}
		})
	}
}

func TestCompile_AcceptsFunctionExpressions(t *testing.T) {
	scripts := map[string]string{
		"anonymous":     "function (user, context, callback) { callback(null, user, context); }",
		"named":         "function addRoles(user, context, callback) { callback(null, user, context); }",
		"async":         "async function (user, context, callback) { callback(null, user, context); }",
		"arrow":         "(user, context, callback) => callback(null, user, context)",
		"async-arrow":   "async (user, context, callback) => { callback(null, user, context); }",
		"comments":      "// leading comment\n/* block */\nfunction (user, context, callback) { callback(null, user, context); } // trailing",
		"parenthesized": "(function (user, context, callback) { callback(null, user, context); })",
	}
	var rules []Rule
	for name, s := range scripts {
		rules = append(rules, Rule{Name: name, Script: s, Enabled: true})
	}
	rs, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewExecutor(rs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, e, map[string]any{"a": 1}, nil)
	if r.Outcome != OutcomeOK || len(r.Rules) != len(scripts) {
		t.Fatalf("%s %q %d rules", r.Outcome, r.Error, len(r.Rules))
	}
}

func TestCompile_OrderNamesAndAllErrors(t *testing.T) {
	ok := "function (u, c, cb) { cb(null, u, c); }"
	rs, err := Compile([]Rule{
		{Name: "c", Script: ok, Order: 3, Enabled: true},
		{Name: "a1", Script: ok, Order: 1, Enabled: true},
		{Name: "off", Script: ok, Order: 0, Enabled: false},
		{Name: "a2", Script: ok, Order: 1, Enabled: true},
		{Name: "b", Script: ok, Order: 2, Enabled: true, Stage: "login_success"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rs.Rules() {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "a1,a2,b,c" {
		t.Fatalf("execution order = %v", names)
	}
	if all := rs.All(); len(all) != 5 || all[2].Stage != DefaultStage {
		t.Fatalf("All() = %+v", all)
	}

	_, err = Compile([]Rule{
		{Name: "dup", Script: ok, Enabled: true},
		{Name: "dup", Script: ok, Enabled: true},
		{Name: "", Script: ok, Enabled: true},
		{Name: "broken", Script: "function (", Enabled: false},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`rule "dup": duplicate rule name`, `rule "#3": rule has no name`, `rule "broken": 1:11: SyntaxError: Unexpected end of input`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"function (u, c, cb) { cb(null, u, c); }", "42", "};", "function (", "(a) => a", "/* */", ")(", "function(){}\n//# sourceMappingURL=/etc/passwd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		rs, err := Compile([]Rule{{Name: "fuzz", Script: script, Enabled: true}})
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) || ce.Message == "" {
				t.Fatalf("error %v is not a CompileError with a message", err)
			}
			return
		}
		if len(rs.Rules()) != 1 {
			t.Fatal("compiled ruleset lost the rule")
		}
	})
}

func TestCompile_SemicolonHintOnlyForTrailingSemicolon(t *testing.T) {
	_, err := Compile([]Rule{{Name: "inner", Enabled: true, Script: "function (user, context, callback) {\n  callback(null, user, context;\n}"}})
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *CompileError", err)
	}
	if strings.Contains(ce.Message, "trailing semicolon") || ce.Line != 2 {
		t.Fatalf("inner ';' error = %d:%d %q", ce.Line, ce.Column, ce.Message)
	}
}
