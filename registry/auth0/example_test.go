package auth0_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/internal/testloop"
)

// A rule requires auth0@2.9.1, constructs a ManagementClient and reads a user. The Management API
// here is an in-process handler; with Options.MgmtURL and no Transport it would be a real server.
func Example() {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"user_id": "auth0|123", "app_metadata": map[string]string{"plan": "gold"}})
	})
	p, err := auth0.NewProvider(auth0.Options{MgmtURL: "http://127.0.0.1:8081/api/v2", Transport: testloop.HandlerTransport{Handler: api}})
	if err != nil {
		panic(err)
	}
	loop := testloop.New(p) // a minimal registry.Host; the sandbox provides the real one
	_, err = loop.Run(`
var ManagementClient = require('auth0@2.9.1').ManagementClient;
var management = new ManagementClient({ domain: 'tenant.auth0.com', token: 'TOKEN' });
console = { log: function (s) { out = s; } };
management.getUser({ id: 'auth0|123' }, function (err, user) {
  console.log(user.app_metadata.plan + ' ' + arguments.length + ' ' + typeof management.getUserRoles);
});`)
	if err != nil {
		panic(err)
	}
	fmt.Println(loop.RT.Get("out"))
	// Output:
	// GET /api/v2/users/auth0%7C123 Bearer TOKEN
	// gold 2 undefined
}

// The audit helpers answer which methods a version has.
func ExampleFirstVersionWith() {
	methods, _ := auth0.MethodsOf("2.9.1")
	first, _ := auth0.FirstVersionWith("getUserRoles")
	fmt.Println(len(methods), first)
	// Output: 59 2.17.1
}

// The Rules `auth0` global updates metadata with a string user id.
func ExampleGlobal() {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"user_id":"auth0|123","app_metadata":{"roles":["admin"]}}`))
	})
	p, _ := auth0.NewProvider(auth0.Options{})
	loop := testloop.New(p)
	install := auth0.Global(auth0.GlobalOptions{Domain: "tenant.auth0.com", AccessToken: "AT", Transport: testloop.HandlerTransport{Handler: api}})
	if err := install(loop.RT, loop); err != nil {
		panic(err)
	}
	_, err := loop.Run(`auth0.users.updateAppMetadata('auth0|123', {roles: ['admin']})
  .then(function (user) { out = auth0.baseUrl + ' ' + user.app_metadata.roles[0]; });`)
	if err != nil {
		panic(err)
	}
	fmt.Println(loop.RT.Get("out"))
	// Output:
	// PATCH /api/v2/users/auth0%7C123
	// https://tenant.auth0.com/api/v2 admin
}
