package auth0_test

import (
	"net/http"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/internal/testloop"
)

// userHandler is an in-process Management API answering every GET /users/:id with a small user.
var userHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(`{"user_id":"auth0|123","email":"jane@example.com","email_verified":true,"name":"Jane","app_metadata":{"plan":"gold"},"user_metadata":{"theme":"dark"},"identities":[{"provider":"auth0","user_id":"123","connection":"Username-Password-Authentication","isSocial":false}]}`))
})

func benchProvider(b *testing.B) *auth0.Provider {
	p, err := auth0.NewProvider(auth0.Options{MgmtURL: "http://127.0.0.1:1/api/v2", Transport: testloop.HandlerTransport{Handler: userHandler}})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkNewManagementClient measures `new ManagementClient({domain, token})` from rule code in a
// warm runtime (the loop runs in JavaScript, as a rule would construct clients).
func BenchmarkNewManagementClient(b *testing.B) {
	for _, v := range []string{"2.9.1", "2.30.0", "2.44.1"} {
		b.Run(v, func(b *testing.B) {
			l := testloop.New(benchProvider(b))
			fnv, err := l.RT.RunString(`(function () {
  var MC = require('auth0@` + v + `').ManagementClient;
  return function (n) { var m; for (var i = 0; i < n; i++) { m = new MC({domain: 'tenant.auth0.com', token: 'TKN'}); } return m; };
})()`)
			if err != nil {
				b.Fatal(err)
			}
			fn, _ := goja.AssertFunction(fnv)
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := fn(goja.Undefined(), l.RT.ToValue(b.N)); err != nil {
				b.Fatal(err)
			}
		})
	}
}

const getUserRule = `(function (user, context, callback) {
  var ManagementClient = require('auth0@2.9.1').ManagementClient;
  var management = new ManagementClient({ domain: 'tenant.auth0.com', token: 'TKN' });
  management.getUser({ id: user.user_id }, function (err, u) {
    if (err) return callback(err);
    context.plan = u.app_metadata.plan;
    callback(null, user, context);
  });
})`

// BenchmarkGetUser runs a rule that requires auth0@2.9.1, constructs a client and calls getUser
// against an in-process handler, in a pooled (warm) runtime: require is served from the runtime's
// module cache, as the sandbox does.
func BenchmarkGetUser(b *testing.B) {
	l := testloop.New(benchProvider(b))
	rule, err := l.RT.RunString(getUserRule)
	if err != nil {
		b.Fatal(err)
	}
	fn, _ := goja.AssertFunction(rule)
	user := l.RT.NewObject()
	_ = user.Set("user_id", "auth0|123")
	var got string
	cb := l.RT.ToValue(func(call goja.FunctionCall) goja.Value {
		got = call.Argument(2).ToObject(l.RT).Get("plan").String()
		return goja.Undefined()
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got = ""
		if _, err := fn(goja.Undefined(), user, l.RT.NewObject(), cb); err != nil {
			b.Fatal(err)
		}
		if err := l.Drain(); err != nil {
			b.Fatal(err)
		}
		if got != "gold" {
			b.Fatalf("rule result %q", got)
		}
	}
}

// BenchmarkGetUserFreshRuntime is BenchmarkGetUser with a new runtime per run: it includes
// goja.New and loading auth0@2.9.1 (building its prototypes) into that runtime.
func BenchmarkGetUserFreshRuntime(b *testing.B) {
	p := benchProvider(b)
	prog := goja.MustCompile("rule.js", getUserRule, true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l := testloop.New(p)
		rule, err := l.RT.RunProgram(prog)
		if err != nil {
			b.Fatal(err)
		}
		fn, _ := goja.AssertFunction(rule)
		user := l.RT.NewObject()
		_ = user.Set("user_id", "auth0|123")
		done := false
		cb := l.RT.ToValue(func(goja.FunctionCall) goja.Value { done = true; return goja.Undefined() })
		if _, err := fn(goja.Undefined(), user, l.RT.NewObject(), cb); err != nil {
			b.Fatal(err)
		}
		if err := l.Drain(); err != nil || !done {
			b.Fatal(err, done)
		}
	}
}
