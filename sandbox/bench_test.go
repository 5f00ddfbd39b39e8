package sandbox

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ns/op metric: the process CPU time per operation, which a busy machine
// inflates far less than wall time (it includes the garbage collector's background work).
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

const benchUserJSON = `{"user_id":"auth0|5f7c8ec7c33c6c004bbafe82","email":"jane.doe@example.com","email_verified":true,"name":"Jane Doe","nickname":"jane","picture":"https://s.gravatar.com/avatar/x.png","logins_count":12,"app_metadata":{"roles":["admin","editor"],"plan":"pro"},"user_metadata":{"lang":"en"},"identities":[{"connection":"Username-Password-Authentication","provider":"auth0","user_id":"5f7c8ec7c33c6c004bbafe82","isSocial":false}]}`

const benchContextJSON = `{"tenant":"acme","clientID":"q2hnj2iu9pXmTUA","clientName":"Default App","connection":"Username-Password-Authentication","connectionStrategy":"auth0","protocol":"oidc-basic-profile","stats":{"loginsCount":111},"sso":{"with_auth0":false,"with_dbconn":false,"current_clients":[]},"request":{"ip":"188.6.125.49","hostname":"mydomain.auth0.com","userAgent":"Mozilla/5.0","query":{"scope":"openid"}},"idToken":{},"accessToken":{}}`

func benchInput(b testing.TB) (map[string]any, map[string]any) {
	var u, c map[string]any
	if err := json.Unmarshal([]byte(benchUserJSON), &u); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal([]byte(benchContextJSON), &c); err != nil {
		b.Fatal(err)
	}
	return u, c
}

const trivialRule = `function (user, context, callback) { callback(null, user, context); }`

var fiveRules = []string{
	`function addRoles(user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  var roles = user.app_metadata.roles || [];
  context.idToken['https://example.com/roles'] = roles;
  callback(null, user, context);
}`,
	`function emailDomain(user, context, callback) {
  var domain = user.email.split('@')[1];
  context.accessToken['https://example.com/domain'] = domain;
  callback(null, user, context);
}`,
	`function (user, context, callback) {
  if (context.protocol === 'redirect-callback') return callback(null, user, context);
  context.idToken['https://example.com/logins'] = context.stats.loginsCount;
  callback(null, user, context);
}`,
	`async function (user, context, callback) {
  const { plan = 'free' } = user.app_metadata || {};
  context.accessToken.scope = ['openid', 'profile', plan];
  callback(null, user, context);
}`,
	`function (user, context, callback) {
  if (!user.email_verified) return callback(new UnauthorizedError('Please verify your email'));
  callback(null, user, context);
}`,
}

func BenchmarkExecute_TrivialWarm(b *testing.B) {
	e := mustExecutor(b, Config{}, trivialRule)
	u, c := benchInput(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		res, err := e.Execute(ctx, u, c)
		if err != nil || res.Outcome != OutcomeOK {
			b.Fatal(err, res.Outcome, res.Error)
		}
	}
}

func BenchmarkExecute_FiveRules(b *testing.B) {
	e := mustExecutor(b, Config{}, fiveRules...)
	u, c := benchInput(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		res, err := e.Execute(ctx, u, c)
		if err != nil || res.Outcome != OutcomeOK {
			b.Fatal(err, res.Outcome, res.Error)
		}
	}
}

func BenchmarkExecute_FirstForNewTenant(b *testing.B) {
	u, c := benchInput(b)
	ctx := context.Background()
	rules := []Rule{{Name: "trivial", Script: trivialRule, Enabled: true}}
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		rs, err := Compile(rules)
		if err != nil {
			b.Fatal(err)
		}
		e, err := NewExecutor(rs, Config{Tenant: "t"})
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.Execute(ctx, u, c)
		if err != nil || res.Outcome != OutcomeOK {
			b.Fatal(err, res.Outcome, res.Error)
		}
	}
}

func BenchmarkExecute_Parallel(b *testing.B) {
	e := mustExecutor(b, Config{}, fiveRules...)
	u, c := benchInput(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := e.Execute(ctx, u, c)
			if err != nil || res.Outcome != OutcomeOK {
				b.Fatal(err, res.Outcome, res.Error)
			}
		}
	})
}

func BenchmarkExecute_ParallelTrivial(b *testing.B) {
	e := mustExecutor(b, Config{}, trivialRule)
	u, c := benchInput(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := e.Execute(ctx, u, c)
			if err != nil || res.Outcome != OutcomeOK {
				b.Fatal(err, res.Outcome, res.Error)
			}
		}
	})
}

// BenchmarkExecute_ParallelTenants spreads the five-rule pipeline over 32 tenants, as a server hosting
// many tenants does (each tenant has its own executor and runtimes; the process heap is that of a
// server, not of a single benchmark executor).
func BenchmarkExecute_ParallelTenants(b *testing.B) {
	const tenants = 32
	var rules []Rule
	for i, s := range fiveRules {
		rules = append(rules, Rule{Name: "r" + string(rune('a'+i)), Script: s, Order: i, Enabled: true})
	}
	rs, err := Compile(rules)
	if err != nil {
		b.Fatal(err)
	}
	execs := make([]*Executor, tenants)
	for i := range execs {
		if execs[i], err = NewExecutor(rs, Config{Tenant: "t" + string(rune('A'+i))}); err != nil {
			b.Fatal(err)
		}
	}
	u, c := benchInput(b)
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e := execs[next.Add(1)%tenants]
			res, err := e.Execute(ctx, u, c)
			if err != nil || res.Outcome != OutcomeOK {
				b.Fatal(err, res.Outcome, res.Error)
			}
		}
	})
}
