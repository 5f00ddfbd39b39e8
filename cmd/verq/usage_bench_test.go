package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/resolver"
	"github.com/verq/verq/resolver/audit"
	"github.com/verq/verq/sandbox"
)

// The user and context of the sandbox's own benchmarks (about 600 bytes of JSON together).
const (
	usageBenchUser    = `{"user_id":"auth0|5f7c8ec7c33c6c004bbafe82","email":"jane.doe@example.com","email_verified":true,"name":"Jane Doe","nickname":"jane","picture":"https://s.gravatar.com/avatar/x.png","logins_count":12,"app_metadata":{"roles":["admin","editor"],"plan":"pro"},"user_metadata":{"lang":"en"},"identities":[{"connection":"Username-Password-Authentication","provider":"auth0","user_id":"5f7c8ec7c33c6c004bbafe82","isSocial":false}]}`
	usageBenchContext = `{"tenant":"acme","clientID":"q2hnj2iu9pXmTUA","clientName":"Default App","connection":"Username-Password-Authentication","connectionStrategy":"auth0","protocol":"oidc-basic-profile","stats":{"loginsCount":111},"sso":{"with_auth0":false,"with_dbconn":false,"current_clients":[]},"request":{"ip":"188.6.125.49","hostname":"mydomain.auth0.com","userAgent":"Mozilla/5.0","query":{"scope":"openid"}},"idToken":{},"accessToken":{}}`
)

// BenchmarkExecuteWithUsage measures what recording usage adds to an execution: the sandbox's
// trivial rule (no require) and the same rule with one require of the auth0 shim.
//
// "paired" alternates an execution without recording and one that records every require of its
// Result, timing each, so that load from other processes falls on both alike; it reports
// without-ns/op, with-ns/op and overhead-% (ns/op is the pair). Below about 3% that difference is
// within the noise of a shared machine, so it also reports recording-ns/op, the recording alone
// right after its execution (less the cost of a clock read, timed alike), and recording-%, its share
// of an execution without recording. "record" times the recording of one Result in a tight loop,
// with everything it touches in cache. The recorder flushes only at the end, as a server's background flusher runs on
// another goroutine every few seconds.
func BenchmarkExecuteWithUsage(b *testing.B) {
	a := newApp(nil, io.Discard, io.Discard, func(string) string { return "" })
	st, err := catalog.Open(filepath.Join(b.TempDir(), "verq.db"), catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	reg, err := a.fullRegistry(st, auth0.Options{})
	if err != nil {
		b.Fatal(err)
	}
	res := resolver.New(st, reg)
	var user, ctxObj map[string]any
	if err := json.Unmarshal([]byte(usageBenchUser), &user); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal([]byte(usageBenchContext), &ctxObj); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, rule := range []struct{ name, script string }{
		{"trivial", `function (user, context, callback) { callback(null, user, context); }`},
		{"require", `function (user, context, callback) { var ManagementClient = require('auth0@2.9.1').ManagementClient; callback(null, user, context); }`},
	} {
		rs, err := sandbox.Compile([]sandbox.Rule{{Name: rule.name, Script: rule.script, Enabled: true}})
		if err != nil {
			b.Fatal(err)
		}
		ex, err := sandbox.NewExecutor(rs, sandbox.Config{Tenant: "acme", Runtime: catalog.DefaultRuntime, Resolver: res})
		if err != nil {
			b.Fatal(err)
		}
		run := func(b *testing.B) *sandbox.Result {
			r, err := ex.Execute(ctx, user, ctxObj)
			if err != nil || r.Outcome != sandbox.OutcomeOK {
				b.Fatal(err, r.Outcome, r.Error)
			}
			return r
		}
		newRecorder := func(b *testing.B) *audit.UsageRecorder {
			u, err := audit.NewUsageRecorder(st.DB(), audit.UsageOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() {
				if err := u.Close(); err != nil {
					b.Error(err)
				}
			})
			return u
		}
		b.Run(rule.name+"/paired", func(b *testing.B) {
			u := newRecorder(b)
			var without, with, rec, clock time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				run(b)
				tc := time.Now() // as many clock reads as the timed recording below
				t1 := time.Now()
				r := run(b)
				t2 := time.Now()
				recordRequires(u, "acme", catalog.DefaultRuntime, r)
				t3 := time.Now()
				without += t1.Sub(t0)
				with += t3.Sub(t1)
				rec += t3.Sub(t2)
				clock += t1.Sub(tc)
			}
			net := max(rec-clock, 0)
			b.ReportMetric(float64(without.Nanoseconds())/float64(b.N), "without-ns/op")
			b.ReportMetric(float64(with.Nanoseconds())/float64(b.N), "with-ns/op")
			b.ReportMetric(float64(net.Nanoseconds())/float64(b.N), "recording-ns/op")
			b.ReportMetric(100*float64(net)/float64(without), "recording-%")
			b.ReportMetric(100*(float64(with)-float64(without))/float64(without), "overhead-%")
		})
		b.Run(rule.name+"/record", func(b *testing.B) {
			u := newRecorder(b)
			r := run(b)
			b.ReportMetric(float64(len(r.Requires)), "requires")
			b.ReportAllocs()
			for b.Loop() {
				recordRequires(u, "acme", catalog.DefaultRuntime, r)
			}
		})
	}
}
