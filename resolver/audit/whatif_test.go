package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
)

func TestWhatIfRemove(t *testing.T) {
	client := func(spec, calls string) string {
		return rule(fmt.Sprintf("var MC = require('%s').ManagementClient;\nvar m = new MC({});\n%s", spec, calls))
	}
	rules := []Rule{
		{Name: "pins", Source: "pins.js", Script: client("auth0@2.9.1", "m.getUsers(); m.getUsersByEmail('a');")},
		{Name: "removed-method", Source: "rm.js", Script: client("auth0@2.9.1", "m.users.getAll(); m.getClientInfo();")},
		{Name: "narrow-range", Source: "nr.js", Script: client("auth0@~2.9.0", "m.getUsers();")},
		{Name: "moves", Source: "mv.js", Script: client("auth0@>=2.1 <2.10", "m.getUsers();")},
		{Name: "moves-but-lacks", Source: "ml.js", Script: client("auth0@>=2.1 <2.10", "m.getUsersByEmail('a');")},
		{Name: "default", Source: "df.js", Script: client("auth0", "m.getUsers();")},
		{Name: "no-calls", Source: "nc.js", Script: rule("require('auth0@2.9.1');")},
		{Name: "unrelated", Source: "un.js", Script: client("auth0@2.17.1", "m.getUserRoles();")},
		{Name: "broken", Source: "br.js", Script: "function (u, c, cb) { };"},
	}
	opts := testOptions(t)
	imp, err := WhatIfRemove(context.Background(), nil, rules, "auth0@2.9.1", opts)
	if err != nil {
		t.Fatal(err)
	}
	if !imp.WasDefault || imp.Module != "auth0" || imp.Version != "2.9.1" || imp.Runtime != testRuntime {
		t.Errorf("impact header = %+v", imp)
	}
	if want := []string{"2.17.1", "2.30.0", "2.44.1", "4.37.1"}; !slices.Equal(imp.Remaining, want) {
		t.Errorf("remaining = %v, want %v", imp.Remaining, want)
	}
	var got []string
	for _, r := range imp.Rules {
		got = append(got, fmt.Sprintf("%s %s to=%s methods=%v %s..%s | %s", r.Rule, r.Effect, r.MovesTo, r.Methods, r.Lowest, r.Highest, r.Message))
	}
	want := []string{
		"pins breaks to= methods=[getUsers getUsersByEmail] 2.17.1..2.44.1 | auth0@2.9.1 pins the version; use a version from 2.17.1 to 2.44.1",
		"removed-method breaks to= methods=[getClientInfo users.getAll] .. | auth0@2.9.1 pins the version; no remaining allowed version has every method the rule calls",
		"narrow-range breaks to= methods=[getUsers] 2.17.1..2.44.1 | auth0@~2.9.0 matches no other version; use a version from 2.17.1 to 2.44.1",
		"moves moves to=2.1.0 methods=[getUsers] 2.17.1..2.44.1 | auth0@>=2.1 <2.10 moves to 2.1.0",
		"moves-but-lacks breaks to=2.1.0 methods=[getUsersByEmail] 2.17.1..2.44.1 | auth0@>=2.1 <2.10 moves to 2.1.0; 2.1.0 lacks a method the rule calls; use a version from 2.17.1 to 2.44.1",
		"default default_removed to= methods=[getUsers] 2.17.1..2.44.1 | auth0 follows the default, which is being removed; use a version from 2.17.1 to 2.44.1",
		"no-calls breaks to= methods=[] 2.17.1..4.37.1 | auth0@2.9.1 pins the version; use a version from 2.17.1 to 4.37.1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("impact =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if imp.Breaking != 5 {
		t.Errorf("breaking = %d, want 5", imp.Breaking)
	}
	if r := imp.Rules[0]; r.Line != 2 || r.Column != 18 || r.Source != "pins.js" || !slices.Equal(r.Specs, []string{"auth0@2.9.1"}) {
		t.Errorf("first rule location = %+v", r)
	}
}

func TestWhatIfRemove_OtherModule(t *testing.T) {
	rules := []Rule{
		{Name: "a", Script: rule("var _ = require('lodash@4.17.21');")},
		{Name: "b", Script: rule("var _ = require('lodash');")},
		{Name: "c", Script: rule("var _ = require('lodash@3.10.1');")},
	}
	opts := testOptions(t)
	rep, err := Run(context.Background(), rules, opts)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := WhatIfRemove(context.Background(), rep, nil, "lodash@4.17.21", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Rules) != 2 || imp.Breaking != 1 {
		t.Fatalf("impact = %+v", imp)
	}
	for _, r := range imp.Rules {
		if !slices.Equal(r.Alternatives, []string{"3.10.1", "4.17.15"}) || r.Lowest != "3.10.1" || r.Highest != "4.17.15" || r.Methods != nil {
			t.Errorf("rule %s: %+v", r.Rule, r)
		}
	}
	if imp.Rules[1].Effect != EffectDefault {
		t.Errorf("unpinned rule effect = %s", imp.Rules[1].Effect)
	}
}

func TestWhatIfRemove_NoMethodTable(t *testing.T) {
	opts := testOptions(t)
	opts.Methods = nil
	rules := []Rule{{Name: "a", Script: rule("new (require('auth0@2.9.1').ManagementClient)({}).getUsers();")}}
	imp, err := WhatIfRemove(context.Background(), nil, rules, "auth0@2.9.1", opts)
	if err != nil {
		t.Fatal(err)
	}
	r := imp.Rules[0]
	if r.Lowest != "2.17.1" || r.Highest != "4.37.1" || !strings.HasSuffix(r.Message, "(methods not checked: no method table)") {
		t.Fatalf("impact = %+v", r)
	}
}

func TestWhatIfRemove_Errors(t *testing.T) {
	opts := testOptions(t)
	noCatalog := opts
	noCatalog.Catalog = nil
	broken := opts
	broken.Catalog = brokenCatalog{}
	tests := []struct {
		name string
		spec string
		opts Options
		want string
	}{
		{"no catalog", "auth0@2.9.1", noCatalog, "needs Options.Catalog"},
		{"bad spec", "auth0@2.9.1/../x", opts, "invalid module specifier"},
		{"unpinned", "auth0", opts, "must name one exact version"},
		{"range", "auth0@^2", opts, "must name one exact version"},
		{"subpath", "lodash@4.17.21/fp", opts, "must name one exact version"},
		{"module not in catalog", "left-pad@1.0.0", opts, "module left-pad"},
		{"version not in catalog", "auth0@9.9.9", opts, "auth0@9.9.9 is not in runtime \"node18\" (listed: 2.9.1, 2.17.1"},
		{"catalog fails", "auth0@2.9.1", broken, "disk on fire"},
		{"audit fails", "auth0@2.9.1", Options{Runtime: testRuntime, Catalog: testCatalog()}, "Options.Resolver is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := WhatIfRemove(context.Background(), nil, nil, tc.spec, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rep := &Report{Runtime: testRuntime, Rules: []RuleReport{{Name: "a"}}}
		if _, err := WhatIfRemove(ctx, rep, nil, "auth0@2.9.1", opts); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}

type brokenCatalog struct{}

func (brokenCatalog) Module(string, string) (catalog.Module, error) {
	return catalog.Module{}, errBroken
}
