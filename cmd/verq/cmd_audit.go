package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
	"github.com/verq/verq/sandbox/rules"
)

func auditCommands() []*command {
	var (
		format, failOn, whatIf, view string
		tenantURL, token             string
		tenantRules                  bool
		tf                           tenantFlags
		uf                           usageFlags
	)
	return []*command{{
		path:    "audit",
		usage:   "audit [RULE.js|DIR|EXPORT.json…] [--tenant-rules] [--tenant-url URL --token T] [--view rule|module] [--what-if-remove NAME@VERSION] [--format table|json|csv|sarif] [--fail-on warning|error] | audit --usage [--tenant T] [--rule R] [--module NAME[@VERSION]] [--format table|json|csv]",
		summary: "which rules pin which versions, what breaks when a version goes, and calls the pinned auth0 version does not have; --usage: what rules required when they ran",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "table", "output format: table, json, csv or sarif")
			fs.StringVar(&failOn, "fail-on", "", "exit 1 when a finding is at or above this level: warning or error")
			fs.StringVar(&whatIf, "what-if-remove", "", "show the rules that break if `NAME@VERSION` leaves the catalog")
			fs.StringVar(&view, "view", "rule", "table view: rule (findings by rule) or module (which rules pin which versions)")
			fs.BoolVar(&tenantRules, "tenant-rules", false, "audit the local tenant's stored rules")
			fs.StringVar(&tenantURL, "tenant-url", "", "audit a live tenant's rules: its `URL` (https://TENANT.auth0.com or …/api/v2)")
			fs.StringVar(&token, "token", "", "Management API token with read:rules for --tenant-url (default $VERQ_MGMT_TOKEN)")
			tf.register(fs)
			uf.register(fs)
		},
		run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
			if a.g.json {
				format = "json"
			}
			if uf.usage {
				if len(args) > 0 || tenantRules || tenantURL != "" || whatIf != "" || failOn != "" || fs.Lookup("view").Value.String() != "rule" {
					return usagef("--usage reads the recorded run-time usage: give no rules, --tenant-rules, --tenant-url, --view, --what-if-remove or --fail-on with it")
				}
				return a.auditUsage(&uf, format)
			}
			if uf.tenant != "" || uf.rule != "" || uf.module != "" {
				return usagef("--tenant, --rule and --module filter --usage: add --usage")
			}
			if err := audit.CheckFailLevel(failOn); err != nil {
				return usagef("%v", err)
			}
			if view != "rule" && view != "module" {
				return usagef("--view must be rule or module")
			}
			sources := len(args)
			if tenantRules {
				sources++
			}
			if tenantURL != "" {
				sources++
			}
			if sources == 0 {
				return usagef("give rule files or directories, --tenant-rules or --tenant-url")
			}
			var input []audit.Rule
			if len(args) > 0 {
				rs, err := rules.Load(args...)
				if err != nil {
					return err
				}
				for _, r := range rs {
					input = append(input, audit.Rule{Name: r.Name, Script: r.Script, Source: r.Source})
				}
			}
			if tenantRules {
				t, err := a.openTenant(&tf, true)
				if err != nil {
					return err
				}
				trs, err := t.Rules()
				t.Close()
				if err != nil {
					return err
				}
				for _, r := range trs {
					input = append(input, audit.Rule{Name: r.Name, Script: r.Script, Source: "tenant:" + r.Name})
				}
			}
			if tenantURL != "" {
				if token == "" {
					token = a.getenv("VERQ_MGMT_TOKEN")
				}
				rs, err := fetchTenantRules(ctx, tenantURL, token)
				if err != nil {
					return err
				}
				input = append(input, rs...)
			}

			st, err := a.openCatalog(true)
			if err != nil {
				return err
			}
			defer st.Close()
			opts := audit.Options{
				Runtime:  a.runtimeName(),
				Resolver: resolver.New(st, a.listingRegistry(st)),
				Catalog:  st,
				Methods:  audit.MethodFuncs{Methods: auth0.MethodsOf, First: auth0.FirstVersionWith, All: auth0.Versions},
			}
			rep, err := audit.Run(ctx, input, opts)
			if err != nil {
				return err
			}
			if whatIf != "" {
				imp, err := audit.WhatIfRemove(ctx, rep, input, whatIf, opts)
				if err != nil {
					return err
				}
				if err := imp.Write(a.stdout, format); err != nil {
					return err
				}
			} else if view == "module" {
				if err := rep.WriteModules(a.stdout, format); err != nil {
					return err
				}
			} else if err := rep.Write(a.stdout, format); err != nil {
				return err
			}
			if rep.Fails(failOn) {
				return exitError{code: exitFailure, err: fmt.Errorf("findings at or above %q", failOn)}
			}
			return nil
		},
	}}
}

// usageFlags select the run-time usage rows `verq audit --usage` prints.
type usageFlags struct {
	usage                bool
	tenant, rule, module string
}

func (u *usageFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&u.usage, "usage", false, "show the requires recorded when rules ran (verq serve, verq run --record-usage) instead of auditing rules")
	fs.StringVar(&u.tenant, "tenant", "", "with --usage: only this `tenant`")
	fs.StringVar(&u.rule, "rule", "", "with --usage: only this `rule`")
	fs.StringVar(&u.module, "module", "", "with --usage: only this module, or one version of it (`NAME[@VERSION]`)")
}

// auditUsage prints the recorded usage rows that match uf, read from the catalog database opened
// read-only. --runtime, when given, filters by runtime; without it every runtime is shown.
func (a *app) auditUsage(uf *usageFlags, format string) error {
	switch format {
	case audit.FormatTable, audit.FormatJSON, audit.FormatCSV:
	default:
		return usagef("--format %q: --usage writes table, json or csv", format)
	}
	filter := audit.UsageFilter{Tenant: uf.tenant, Rule: uf.rule, Runtime: a.g.runtime}
	if uf.module != "" {
		var err error
		if filter.Module, filter.Version, err = audit.ParseUsageModule(uf.module); err != nil {
			return usagef("--module: %v", err)
		}
	}
	st, err := a.openCatalog(true)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := audit.ReadUsage(st.DB(), filter)
	if err != nil {
		return err
	}
	return audit.WriteUsage(a.stdout, rows, format)
}

// fetchTenantRules reads GET /api/v2/rules of a live tenant.
func fetchTenantRules(ctx context.Context, base, token string) ([]audit.Rule, error) {
	base = strings.TrimRight(base, "/")
	if !strings.HasSuffix(base, "/api/v2") {
		base += "/api/v2"
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, usagef("--tenant-url %q: expected an http(s) URL", base)
	}
	if token == "" {
		return nil, usagef("--tenant-url needs --token (or VERQ_MGMT_TOKEN) with the read:rules scope")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/rules", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the tenant's rules: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/rules: %s: %s", base, resp.Status, strings.TrimSpace(string(body)))
	}
	var rs []struct {
		Name   string `json:"name"`
		Script string `json:"script"`
	}
	if err := json.Unmarshal(body, &rs); err != nil {
		return nil, fmt.Errorf("GET %s/rules: not a rules array: %w", base, err)
	}
	if rs == nil {
		return nil, errors.New("the tenant returned no rules array")
	}
	out := make([]audit.Rule, len(rs))
	for i, r := range rs {
		out[i] = audit.Rule{Name: r.Name, Script: r.Script, Source: base + "/rules#" + r.Name}
	}
	return out, nil
}
