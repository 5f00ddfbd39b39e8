package audit

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// mc is the usual client setup of the tests: line 2 requires, line 3 constructs.
const mc = "var ManagementClient = require('auth0@2.9.1').ManagementClient;\nvar management = new ManagementClient({ token: auth0.accessToken, domain: auth0.domain });\n"

func TestRun_MethodCheck(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string // non-require findings: "line:col kind message"
		calls  []string // "method@version" of the rule's calls, in order
	}{
		{
			name:   "flat method missing",
			script: rule(mc + `management.getUserRoles({ id: user.user_id }, cb);`),
			want:   []string{"4:12 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "flat method present",
			script: rule(mc + `management.getUsers(cb); management.getUsersByEmail('a@b.c', cb);`),
			calls:  []string{"getUsers@2.9.1", "getUsersByEmail@2.9.1"},
		},
		{
			name:   "module variable",
			script: rule("var auth0m = require('auth0@2.9.1');\nvar m = new auth0m.ManagementClient({});\nm.getUserRoles();"),
			want:   []string{"4:3 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "destructuring",
			script: rule("const { ManagementClient } = require('auth0@2.9.1');\nconst m = new ManagementClient({});\nm.getUserRoles();"),
			want:   []string{"4:3 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "renaming destructuring with default",
			script: rule("const { ManagementClient: MC = null } = require('auth0@2.9.1');\nconst m = new MC({});\nm.getRoles();"),
			want:   []string{"4:3 missing_method getRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getRoles@2.9.1!"},
		},
		{
			name:   "inline construction",
			script: rule("new (require('auth0@2.9.1').ManagementClient)({}).getUserRoles();\nnew (require('auth0@2.9.1')['ManagementClient'])({})['getUserRoles']();"),
			want:   []string{"2:51 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1", "3:54 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!", "getUserRoles@2.9.1!"},
		},
		{
			name:   "assignment chain",
			script: rule("var A = require('auth0@2.9.1'); var MC = A.ManagementClient; var MC2; MC2 = MC;\nvar m = new MC2({}); var n = m; n.getUserRoles();"),
			want:   []string{"3:35 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "manager method present and missing",
			script: rule(mc + "management.users.getAll(cb);\nmanagement.roles.getAll(cb);\nmanagement.users.getRoles(cb);"),
			want: []string{
				"5:18 missing_method roles.getAll is not in auth0 2.9.1; first in 2.17.1",
				"6:18 missing_method users.getRoles is not in auth0 2.9.1; first in 2.17.1",
			},
			calls: []string{"users.getAll@2.9.1", "roles.getAll@2.9.1!", "users.getRoles@2.9.1!"},
		},
		{
			name:   "manager variable",
			script: rule(mc + "const users = management.users; users.getAll(cb);\nconst { roles } = management; roles.get({ id: 'r' });"),
			want:   []string{"5:37 missing_method roles.get is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"users.getAll@2.9.1", "roles.get@2.9.1!"},
		},
		{
			name:   "call apply bind",
			script: rule(mc + "management.getUserRoles.call(management, {});\nmanagement.getUsers.bind(management)();"),
			want:   []string{"4:12 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!", "getUsers@2.9.1"},
		},
		{
			name:   "optional chaining",
			script: rule(mc + "management?.getUserRoles?.({});"),
			want:   []string{"4:13 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "destructured method",
			script: rule(mc + "const { getUserRoles, getUsers } = management;\ngetUserRoles({}); getUsers();"),
			want:   []string{"5:1 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!", "getUsers@2.9.1"},
		},
		{
			name:   "calls inside callbacks and hoisted functions",
			script: rule("function later() { return management.getUserRoles({}); }\n" + mc + "management.getUsers(function () { later(); management.getPermissionsInRole({}); });"),
			want: []string{
				"2:38 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1",
				"5:55 missing_method getPermissionsInRole is not in auth0 2.9.1; first in 2.17.1",
			},
			calls: []string{"getUserRoles@2.9.1!", "getUsers@2.9.1", "getPermissionsInRole@2.9.1!"},
		},
		{
			name:   "shadowed by parameter",
			script: rule(mc + "function f(management) { management.getUserRoles({}); }\n[1].map((management) => management.getUserRoles());"),
		},
		{
			name:   "shadowed by inner declaration",
			script: rule(mc + "{ let management = other(); management.getUserRoles({}); }\nfunction g() { var management = 1; management.getUserRoles(); }"),
		},
		{
			name:   "shadowed require",
			script: rule("var require = function () { return fake; };\nvar M = require('auth0@2.9.1').ManagementClient; new M({}).getUserRoles();"),
		},
		{
			name:   "reassigned to something else",
			script: rule(mc + "if (context.x) { management = makeClient(); }\nmanagement.getUserRoles({});"),
		},
		{
			name:   "reassigned to another version",
			script: rule(mc + "management = new (require('auth0@2.17.1').ManagementClient)({});\nmanagement.getUserRoles({});"),
		},
		{
			name:   "reassigned to the same client",
			script: rule(mc + "if (!management) { management = new ManagementClient({}); }\nmanagement.getUserRoles({});"),
			want:   []string{"5:12 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "compound assignment makes it unknown",
			script: rule(mc + "management += '';\nmanagement.getUserRoles({});"),
		},
		{
			name:   "global cache idiom",
			script: rule("var MC = require('auth0@2.9.1').ManagementClient;\nglobal.mgmt = global.mgmt || new MC({});\nglobal.mgmt.getUserRoles({});"),
			want:   []string{"4:13 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "unpinned follows the default",
			script: rule("var MC = require('auth0').ManagementClient;\nnew MC({}).getUserRoles();"),
			want:   []string{"3:12 missing_method getUserRoles is not in auth0 2.9.1; first in 2.17.1"},
			calls:  []string{"getUserRoles@2.9.1!"},
		},
		{
			name:   "range resolves first",
			script: rule("var MC = require('auth0@^2.17').ManagementClient;\nvar m = new MC({}); m.getUserRoles(); m.getClientInfo();"),
			want:   []string{"3:41 missing_method getClientInfo is not in auth0 2.44.1; it was removed; last in 2.16.0"},
			calls:  []string{"getUserRoles@2.44.1", "getClientInfo@2.44.1!"},
		},
		{
			name:   "no such method anywhere",
			script: rule(mc + "management.getUserRole({});"),
			want:   []string{"4:12 missing_method getUserRole is not a ManagementClient method in any known auth0 version"},
			calls:  []string{"getUserRole@2.9.1!"},
		},
		{
			name:   "version unknown to the method table",
			script: rule("var MC = require('auth0@4.37.1').ManagementClient;\nvar m = new MC({}); m.users.getAll(); m.getUsers();"),
			want:   []string{"3:29 methods_unchecked the method table does not know auth0 4.37.1; its ManagementClient calls are not checked"},
			calls:  []string{"users.getAll@4.37.1", "getUsers@4.37.1"},
		},
		{
			name:   "unresolved spec is not checked",
			script: rule("var MC = require('auth0@9.9.9').ManagementClient;\nnew MC({}).getUserRoles();"),
			calls:  []string{"getUserRoles@"},
		},
		{
			name:   "other modules are not clients",
			script: rule("var MC = require('lodash@4.17.21').ManagementClient;\nnew MC({}).getUserRoles(); require('auth0@2.9.1/x').ManagementClient;"),
		},
		{
			name:   "the auth0 global is not a required client",
			script: rule("auth0.users.updateAppMetadata(user.user_id, {}); auth0.getUserRoles();"),
		},
		{
			name:   "array destructuring is not followed",
			script: rule(mc + "const [a] = [management]; a.getUserRoles();"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, _ := auditScript(t, tc.script, testOptions(t))
			var got []string
			for _, f := range rep.Findings {
				switch f.Kind {
				case KindOK, KindUnpinned, KindRange, KindNotInCatalog:
					continue
				}
				got = append(got, fmt.Sprintf("%d:%d %s %s", f.Line, f.Column, f.Kind, f.Message))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var calls []string
			for _, c := range rep.Rules[0].Calls {
				s := c.Method + "@" + c.Version
				if c.Missing {
					s += "!"
				}
				calls = append(calls, s)
			}
			if !slices.Equal(calls, tc.calls) {
				t.Errorf("calls = %q, want %q", calls, tc.calls)
			}
		})
	}
}

func TestRun_MethodCheckWithoutTable(t *testing.T) {
	opts := testOptions(t)
	opts.Methods = nil
	rep, got := auditScript(t, rule(mc+"management.getUserRoles({});"), opts)
	if want := []string{"2:32 ok"}; !slices.Equal(got, want) {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if n := len(rep.Rules[0].Calls); n != 1 || rep.Summary.Calls != 1 {
		t.Fatalf("calls = %+v", rep.Rules[0].Calls)
	}
}

func TestRun_MethodCheckWithManagerTable(t *testing.T) {
	m := loadMethods(t)
	opts := testOptions(t)
	opts.Methods = fakeManagers{fakeMethods: m, managers: map[string]map[string][]string{
		"2.9.1":  {"users": {"get", "getAll"}},
		"2.17.1": {"users": {"get", "getAll", "getRoles"}, "roles": {"getAll"}},
	}}
	script := rule(mc + "management.users.getAll();\nmanagement.users.getRoles();\nmanagement.roles.getAll();\nmanagement.tokenProvider.getAccessToken();\nmanagement.organizations.getAll();")
	_, got := auditScript(t, script, opts)
	want := []string{"2:32 ok", "5:18 missing_method", "6:18 missing_method"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	rep, _ := auditScript(t, script, opts)
	msgs := []string{
		"users.getRoles is not in auth0 2.9.1; first in 2.17.1",
		"roles.getAll is not in auth0 2.9.1; first in 2.17.1",
	}
	for i, f := range rep.Findings[1:] {
		if f.Message != msgs[i] {
			t.Errorf("message %d = %q, want %q", i, f.Message, msgs[i])
		}
	}
}

func TestRun_ScopesAndValues(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string // "line:col kind" of legacy_global and missing_method findings
	}{
		{"for let shadows", rule("for (let q = 0; q < 3; q++) { q.toString(); }\nq.all([]);"), []string{"3:1 legacy_global"}},
		{"for var is function scoped", rule("for (var q = 0; q < 3; q++) {}\nq.all([]);"), nil},
		{"for in and of targets", rule("for (var async in o) {} for (const { uuid } of list) { uuid.x(); } for (jwt of l) {}\nasync.x(); jwt.y();"), nil},
		{"for initializer expression", rule("for (_ = 0; _ < 1; _++) {}"), nil},
		{"catch parameter", rule("try { f(); } catch (request) { request.x(); }\ntry {} catch ({ xpath }) { xpath.select(); }"), nil},
		{"switch lexical", rule("switch (k) { case 1: let xmldom = 1; xmldom++; break; default: xmldom.x(); }"), nil},
		{"class name expression", rule("var C = class pg { m() { return pg; } };"), nil},
		{"labels and with", rule("outer: for (;;) { break outer; }\nwith (obj) { mysql.query(); }"), []string{"3:14 legacy_global"}},
		{"do while and if else", rule("do { ip('x'); } while (0); if (a) { Knex(); } else { Pubnub(); }"), []string{"2:6 legacy_global", "2:37 legacy_global", "2:54 legacy_global"}},
		{"spread, template, yield", rule("function* g() { yield bcrypt; } var a = [...couchbase]; var s = `${xtend}`; var o = { ...cql };"), []string{"2:23 legacy_global", "2:45 legacy_global", "2:68 legacy_global", "2:90 legacy_global"}},
		{"conditional client", rule(mc + "var m2 = context.a ? management : null;\nm2.getUserRoles();"), []string{"5:4 missing_method"}},
		{"sequence and await", "async " + rule(mc+"var m3 = (0, management); var m4 = await m3;\nm4.getUserRoles();"), []string{"5:4 missing_method"}},
		{"logical and", rule(mc + "var m5 = context.ok && management;\nm5.getUserRoles();"), []string{"5:4 missing_method"}},
		{"undefined then client", rule(mc + "var m6 = undefined; m6 = management;\nm6.getUserRoles();"), []string{"5:4 missing_method"}},
		{"increment makes opaque", rule(mc + "var m7 = management; m7++;\nm7.getUserRoles();"), nil},
		{"conditional with unknown", rule(mc + "var m8 = context.a ? management : other;\nm8.getUserRoles();"), nil},
		{"destructuring assignment", rule(mc + "var m9, MC2; ({ m9 } = { m9: management }); ({ ManagementClient: MC2 } = require('auth0@2.9.1'));\nnew MC2({}).getUserRoles(); m9.getUserRoles();"), []string{"5:13 missing_method"}},
		{"computed member is not followed", rule(mc + "management[name]();"), nil},
		{"deep member paths are not followed", rule(mc + "management.users.getAll.call.apply();"), nil},
		{"new on an unknown constructor", rule("var X = require('auth0@2.9.1'); new X.Other({}).getUserRoles();"), nil},
		{"global property reassigned", rule("var MC = require('auth0@2.9.1').ManagementClient;\nglobal.c = new MC({}); global.c += 1; global.c.getUserRoles();"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, all := auditScript(t, tc.script, testOptions(t))
			var got []string
			for _, f := range all {
				if strings.HasSuffix(f, " legacy_global") || strings.HasSuffix(f, " missing_method") {
					got = append(got, f)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("findings = %q, want %q (all: %q)", got, tc.want, all)
			}
		})
	}
}
