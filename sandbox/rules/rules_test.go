package rules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/verq/verq/sandbox"
)

// summary renders rules as "name:order:enabled" for comparison.
func summary(rs []sandbox.Rule) string {
	var parts []string
	for _, r := range rs {
		en := "on"
		if !r.Enabled {
			en = "off"
		}
		parts = append(parts, r.Name+":"+strconv.Itoa(r.Order)+":"+en)
	}
	return strings.Join(parts, " ")
}

func TestLoad_Formats(t *testing.T) {
	cases := []struct {
		name  string
		paths []string
		want  string
	}{
		{"js files in argument order", []string{"testdata/js/b-second.js", "testdata/js/a-first.js"}, "b-second:1:on a-first:2:on"},
		{"directory of js files sorted", []string{"testdata/js"}, "a-first:1:on b-second:2:on c-bom:3:on"},
		{"deploy-cli root", []string{"testdata/deploy"}, "block-users:10:off Enrich Identity Token:20:on"},
		{"deploy-cli rules dir", []string{"testdata/deploy/rules"}, "block-users:10:off Enrich Identity Token:20:on"},
		{"deploy-cli single json", []string{"testdata/deploy/rules/Enrich-Identity-Token.json"}, "Enrich Identity Token:20:on"},
		{"management api export", []string{"testdata/export/rules.json"}, "second:2:on first:1:on"},
		{"include_totals page", []string{"testdata/export/page.json"}, "paged:1:off"},
		{"mixed: unordered rules follow the highest order", []string{"testdata/deploy", "testdata/js/a-first.js", "testdata/export/page.json"},
			"block-users:10:off Enrich Identity Token:20:on a-first:21:on paged:22:off"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := Load(c.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(rs); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			for _, r := range rs {
				if r.Stage != sandbox.DefaultStage || strings.HasPrefix(r.Script, "\ufeff") || r.Script == "" {
					t.Errorf("rule %q: stage %q, script %q", r.Name, r.Stage, r.Script)
				}
			}
		})
	}
}

func TestLoad_Source(t *testing.T) {
	cases := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"js file", []string{"testdata/js/a-first.js"}, []string{"testdata/js/a-first.js"}},
		{"directory of js files", []string{"testdata/js"}, []string{"testdata/js/a-first.js", "testdata/js/b-second.js", "testdata/js/c-bom.js"}},
		{"deploy-cli: the script file", []string{"testdata/deploy"}, []string{"testdata/deploy/rules/block-users.js", "testdata/deploy/rules/Enrich-Identity-Token.js"}},
		{"management api export: path#name", []string{"testdata/export/rules.json"}, []string{"testdata/export/rules.json#second", "testdata/export/rules.json#first"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := Load(c.paths...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, filepath.ToSlash(r.Source))
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Fatalf("sources %q, want %q", got, c.want)
			}
		})
	}
}

func TestLoad_RunsThroughTheSandbox(t *testing.T) {
	rs, err := Load("testdata/deploy", "testdata/js")
	if err != nil {
		t.Fatal(err)
	}
	set, err := sandbox.Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sandbox.NewExecutor(set, sandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Execute(context.Background(), map[string]any{"email": "j@example.com", "blocked": true}, map[string]any{"idToken": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != sandbox.OutcomeOK || res.Context["idToken"].(map[string]any)["https://example.com/email"] != "j@example.com" {
		t.Fatalf("%s %q %v", res.Outcome, res.Error, res.Context)
	}
}

func TestLoad_Errors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(dir, "empty")
	_ = os.Mkdir(empty, 0o755)
	cases := []struct {
		name  string
		paths []string
		want  string
	}{
		{"nothing", nil, "no paths given"},
		{"missing", []string{filepath.Join(dir, "nope.js")}, "nope.js: no such file"},
		{"unsupported", []string{write("rule.txt", "x")}, "rule.txt: unsupported file"},
		{"empty dir", []string{empty}, "no rules found"},
		{"bad json", []string{write("bad.json", "[{")}, "bad.json: not a Management API rules export"},
		{"not json", []string{write("scalar.json", "42")}, "scalar.json: expected a JSON array"},
		{"no script", []string{write("noscript.json", `[{"name": "x"}]`)}, `noscript.json[0]: rule "x" has no "script"`},
		{"empty script", []string{write("emptyscript.json", `[{"name": "x", "script": "  "}]`)}, `emptyscript.json[0]: rule "x" has an empty script`},
		{"no name", []string{write("noname.json", `[{"script": "function(){}"}]`)}, "noname.json[0]: a rule has no name"},
		{"duplicate", []string{write("dup/a.js", "function(){}"), write("dup2/a.js", "function(){}")}, `rule name "a" is already used by`},
		{"deploy missing script file", []string{write("d1/rules/r.json", `{"name": "r", "script": "./r.js"}`)}, `r.json: script "./r.js": open`},
		{"deploy no script key", []string{write("d2/rules/r.json", `{"name": "r"}`)}, `r.json: "script" is missing`},
		{"deploy bad order", []string{write("d3/rules/r.json", `{"name": "r", "order": "first", "script": "./r.js"}`)}, "r.json: not an auth0-deploy-cli rule description"},
		{"empty export", []string{write("none.json", `[]`)}, "the export is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.paths...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
	if _, err := Load(empty); !errors.Is(err, ErrNoRules) {
		t.Fatalf("empty dir: %v is not ErrNoRules", err)
	}
}

func FuzzLoadJSON(f *testing.F) {
	for _, s := range []string{`[]`, `[{"name":"a","script":"function(){}","order":1}]`, `{"rules":[]}`, `{"name":"a","script":"./a.js"}`, `[{`, `null`, `{"rules":{}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "rules.json")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		rs, err := Load(p)
		if err != nil {
			if !strings.Contains(err.Error(), "rules: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		for _, r := range rs {
			if r.Name == "" || strings.TrimSpace(r.Script) == "" {
				t.Fatalf("loaded an invalid rule %+v", r)
			}
		}
	})
}
