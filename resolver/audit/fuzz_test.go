package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyze feeds arbitrary text to the analyser: it must never panic, and every position it
// reports must lie inside the script.
func FuzzAnalyze(f *testing.F) {
	seeds := []string{
		"",
		"function (user, context, callback) { callback(null, user, context); }",
		mc,
		rule(mc + "management.users.getAll(); const { getUserRoles } = management; getUserRoles();"),
		rule("global.m = global.m || new (require('auth0@2.9.1').ManagementClient)({}); global.m?.getUserRoles?.();"),
		"(u, c, cb) => { const [a, ...b] = require(`x`); for (const {k = require('y')} of z) {} }",
		"async function (u, c, cb) { class A extends require('a') { static { var q; } #p = _; m() { return this.#p; } } }",
		"function () { with (o) { x = require(y); } label: for (var i in o) { continue label; } }",
		"function () { switch (x) { case 1: let a = require('a'); default: var b = a; } try {} catch ({ message }) {} }",
		"function () { var s = '\u2028'; require('a\\u0040b'); }",
		"function(){};",
		"1); evil(",
		"function () { a.b.c.d.e.f(); x ??= y; x ||= require('q'); ++_; }",
		"function () { ((((((((((((((((((((a)))))))))))))))))))); }",
		"\xff\xfe",
		"function () { return `${require('a')}` + require(`b${c}`); } //# sourceMappingURL=/etc/passwd",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	if paths, err := filepath.Glob("testdata/rules/*.js"); err == nil {
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(string(data))
			}
		}
	}
	legacy := func(name string) bool { _, ok := legacyGlobals[name]; return ok }
	f.Fuzz(func(t *testing.T, script string) {
		an := analyze(script, legacy)
		src := newSource(script)
		lines := len(src.lineStarts)
		check := func(what string, line, col int) {
			if line < 1 || line > lines || col < 1 || col > len(script)+1 {
				t.Fatalf("%s at %d:%d outside the script (%d lines, %d bytes)", what, line, col, lines, len(script))
			}
		}
		if an.parse != nil {
			check("parse error", an.parse.line, an.parse.col)
		}
		if an.incomplete != nil {
			check("incomplete", an.incomplete.line, an.incomplete.col)
		}
		for _, r := range an.requires {
			check("require", r.line, r.col)
			if r.literal == (r.why != "") {
				t.Fatalf("require %+v is both or neither literal and dynamic", r)
			}
		}
		for _, c := range an.calls {
			check("call", c.line, c.col)
		}
		for _, g := range an.globals {
			check("global", g.line, g.col)
			if g.uses < 1 {
				t.Fatalf("global %+v with no use", g)
			}
		}
	})
}
