package tenant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/verq/verq/registry/auth0/tenant"
)

// Example opens a new local tenant (seeded with example users), issues a token and talks to the
// Management API in-process, the way the ManagementClient shim does.
func Example() {
	dir, err := os.MkdirTemp("", "tenant-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tn, err := tenant.Open(filepath.Join(dir, "tenant.db"), tenant.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer tn.Close()

	tok, err := tn.IssueToken([]string{"read:users", "update:users"}, time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Transport: tn.RoundTripper()}
	call := func(method, path, body string) string {
		req, _ := http.NewRequest(method, tn.BaseURL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, b)
	}

	// PATCH merges app_metadata at the top level; null deletes a key.
	out := call("PATCH", "/users/auth0%7C5f7c8ec7c33c6c004bbafe82", `{"app_metadata":{"plan":"platinum","seats":null}}`)
	var user struct {
		AppMetadata map[string]any `json:"app_metadata"`
	}
	json.Unmarshal([]byte(out[4:]), &user)
	fmt.Println(out[:3], user.AppMetadata["plan"], user.AppMetadata["seats"], user.AppMetadata["tenant_id"])

	// v3 search.
	fmt.Println(call("GET", "/users?search_engine=v3&fields=email&q="+"app_metadata.plan:platinum", ""))
	fmt.Println(call("GET", "/users?search_engine=v3&q=name:%22jane", ""))
	fmt.Println(call("GET", "/users/auth0%7Cnobody", ""))
	// Output:
	// 200 platinum <nil> acme
	// 200 [{"email":"jane.smith@example.com"}]
	// 400 {"statusCode":400,"error":"Bad Request","message":"Invalid search query (q) at position 6: unterminated phrase: the '\"' is never closed. Query: name:\"jane","errorCode":"invalid_query_string"}
	// 404 {"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}
}

// ExampleTenant_ListUsers searches users from Go, as `verq tenant users` does.
func ExampleTenant_ListUsers() {
	dir, _ := os.MkdirTemp("", "tenant-example")
	defer os.RemoveAll(dir)
	tn, err := tenant.Open(filepath.Join(dir, "tenant.db"), tenant.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer tn.Close()
	page, err := tn.ListUsers(context.Background(), tenant.ListQuery{
		Q:    `app_metadata.plan:pro OR logins_count:[40 TO *]`,
		Sort: "logins_count:-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range page.Users {
		fmt.Println(u.ID(), u["logins_count"])
	}
	// Output:
	// github|4213567 58
	// auth0|5f7c8ec7c33c6c004bbafe82 42
	// auth0|60a7b2c3d4e5f6007a8b9c0d 3
}

// ExampleTenant_EnabledRules loads a tenant's rules pipeline and configuration, as the sandbox does.
func ExampleTenant_EnabledRules() {
	dir, _ := os.MkdirTemp("", "tenant-example")
	defer os.RemoveAll(dir)
	tn, err := tenant.Open(filepath.Join(dir, "tenant.db"), tenant.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer tn.Close()
	tok, _ := tn.IssueToken([]string{"create:rules", "update:rules_configs"}, time.Minute)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/rules", `{"name":"add-country","script":"function (user, context, callback) { callback(null, user, context); }","order":2}`},
		{"POST", "/rules", `{"name":"deny-blocked","script":"function (user, context, callback) { callback(null, user, context); }","order":1}`},
		{"PUT", "/rules-configs/COUNTRY_API", `{"value":"https://geo.example"}`},
	} {
		req, _ := http.NewRequest(r.method, tn.BaseURL()+r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := tn.RoundTripper().RoundTrip(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
	}
	rules, _ := tn.EnabledRules()
	for _, r := range rules {
		fmt.Println(r.Order, r.Name, r.Stage)
	}
	cfg, _ := tn.Configuration()
	fmt.Println(cfg["COUNTRY_API"])
	// Output:
	// 1 deny-blocked login_success
	// 2 add-country login_success
	// https://geo.example
}
