package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"time"

	"github.com/verq/verq/registry/auth0/tenant"
)

// tenantFlags are the flags of every command that uses the local tenant.
type tenantFlags struct {
	db        string
	domain    string
	rateLimit int
}

func (t *tenantFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.db, "tenant-db", "", "local tenant database `path` (default $VERQ_TENANT_DB, else tenant.db in the user data directory)")
	fs.StringVar(&t.domain, "tenant-domain", "", "domain of the local tenant (default local.verq)")
}

func (a *app) tenantPath(t *tenantFlags) (string, error) {
	if t.db != "" {
		return t.db, nil
	}
	if p := a.getenv("VERQ_TENANT_DB"); p != "" {
		return p, nil
	}
	return a.dataFile("tenant.db")
}

func (a *app) openTenant(t *tenantFlags, ro bool) (*tenant.Tenant, error) {
	path, err := a.tenantPath(t)
	if err != nil {
		return nil, err
	}
	opts := tenant.Options{Domain: t.domain, ReadOnly: ro, LockTimeout: a.g.lockWait, RateLimit: t.rateLimit, Logger: a.log}
	if ro {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			// First use: create and seed the tenant, then reopen it read-only.
			rw := opts
			rw.ReadOnly = false
			t, err := tenant.Open(path, rw)
			if err != nil {
				return nil, err
			}
			if err := t.Close(); err != nil {
				return nil, err
			}
		}
	}
	return tenant.Open(path, opts)
}

func tenantCommands() []*command {
	var (
		tf                 tenantFlags
		addr, cert, key    string
		scopes             string
		ttl                time.Duration
		usersQ             string
		usersPage, perPage int
	)
	return []*command{
		{
			path: "tenant serve", usage: "tenant serve [--addr 127.0.0.1:8081] [--tls-cert F --tls-key F] [--rate-limit N]",
			summary: "serve the local tenant's Management API v2 over HTTP (graceful shutdown on SIGTERM)",
			flags: func(fs *flag.FlagSet) {
				tf.register(fs)
				fs.StringVar(&addr, "addr", "127.0.0.1:8081", "listen `address`")
				fs.StringVar(&cert, "tls-cert", "", "TLS certificate `file` (PEM)")
				fs.StringVar(&key, "tls-key", "", "TLS key `file` (PEM)")
				fs.IntVar(&tf.rateLimit, "rate-limit", 0, "requests per minute per token (0 = off)")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				if (cert == "") != (key == "") {
					return usagef("--tls-cert and --tls-key go together")
				}
				t, err := a.openTenant(&tf, false)
				if err != nil {
					return err
				}
				defer t.Close()
				return tenant.Serve(ctx, t, addr, cert, key, func(la net.Addr) {
					scheme := "http"
					if cert != "" {
						scheme = "https"
					}
					fmt.Fprintf(a.stdout, "local tenant %s serving the Management API at %s://%s/api/v2\n", t.Domain(), scheme, la)
					fmt.Fprintf(a.stdout, "get a token with: verq tenant token --scopes read:users,update:users\n")
				})
			},
		},
		{
			path: "tenant token", usage: "tenant token --scopes read:users,update:users [--ttl 24h]",
			summary: "issue a bearer token for the local tenant's Management API",
			flags: func(fs *flag.FlagSet) {
				tf.register(fs)
				fs.StringVar(&scopes, "scopes", "read:users,update:users", "comma-separated `scopes`")
				fs.DurationVar(&ttl, "ttl", 24*time.Hour, "token lifetime")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				if ttl <= 0 {
					return usagef("--ttl must be positive")
				}
				t, err := a.openTenant(&tf, false)
				if err != nil {
					return err
				}
				defer t.Close()
				tok, err := t.IssueToken(splitList(scopes), ttl)
				if err != nil {
					return err
				}
				if a.g.json {
					return a.printJSON(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(ttl.Seconds()), "scope": strings.Join(splitList(scopes), " ")})
				}
				fmt.Fprintln(a.stdout, tok)
				return nil
			},
		},
		{
			path: "tenant import", usage: "tenant import USERS.json", summary: "import users (a JSON array) into the local tenant, atomically",
			flags: func(fs *flag.FlagSet) { tf.register(fs) },
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 1, 1); err != nil {
					return err
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				t, err := a.openTenant(&tf, false)
				if err != nil {
					return err
				}
				defer t.Close()
				n, err := t.ImportUsers(ctx, f)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if a.g.json {
					return a.printJSON(map[string]any{"imported": n})
				}
				fmt.Fprintf(a.stdout, "imported %d users from %s\n", n, args[0])
				return nil
			},
		},
		{
			path: "tenant export", usage: "tenant export", summary: "export the local tenant's users as a JSON array",
			flags: func(fs *flag.FlagSet) { tf.register(fs) },
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				t, err := a.openTenant(&tf, true)
				if err != nil {
					return err
				}
				defer t.Close()
				return t.ExportUsers(ctx, a.stdout)
			},
		},
		{
			path: "tenant users", usage: "tenant users [--q QUERY] [--page N] [--per-page N]", summary: "list the local tenant's users (q uses the v3 search syntax)",
			flags: func(fs *flag.FlagSet) {
				tf.register(fs)
				fs.StringVar(&usersQ, "q", "", "v3 search `query`, e.g. app_metadata.plan:gold")
				fs.IntVar(&usersPage, "page", 0, "page number (from 0)")
				fs.IntVar(&perPage, "per-page", 50, "users per page (max 100)")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				t, err := a.openTenant(&tf, true)
				if err != nil {
					return err
				}
				defer t.Close()
				page, err := t.ListUsers(ctx, tenant.ListQuery{Q: usersQ, Page: usersPage, PerPage: perPage})
				if err != nil {
					return err
				}
				if a.g.json {
					return a.printJSON(page)
				}
				rows := [][]string{{"USER_ID", "EMAIL", "NAME", "LOGINS", "CREATED"}}
				for _, u := range page.Users {
					rows = append(rows, []string{str(u["user_id"]), str(u["email"]), str(u["name"]), str(u["logins_count"]), str(u["created_at"])})
				}
				if err := a.table(rows); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%d of %d users\n", len(page.Users), page.Total)
				return nil
			},
		},
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}
