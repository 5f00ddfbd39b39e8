package tenant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkGetUser_InProcess is GET /api/v2/users/{id} through the in-process RoundTripper, as the
// ManagementClient shim does it: build the request, authenticate, look up, write the response,
// read the body.
func BenchmarkGetUser_InProcess(b *testing.B) {
	tn := openTest(b, Options{})
	tok := "Bearer " + token(b, tn, "read:users")
	u := tn.BaseURL() + "/users/" + url.PathEscape(jane)
	run := func(b *testing.B, do func(*http.Request) (*http.Response, error)) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set("Authorization", tok)
			resp, err := do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("RoundTripper", func(b *testing.B) { run(b, tn.RoundTripper().RoundTrip) })
	client := &http.Client{Transport: tn.RoundTripper()}
	b.Run("http.Client", func(b *testing.B) { run(b, client.Do) })
}

// BenchmarkPatchAppMetadata is PATCH /api/v2/users/{id} {"app_metadata": {...}} through the
// RoundTripper: a durable bbolt transaction per call. Sequential is the latency of one write (two
// fdatasyncs); Parallel (32 writers over 64 users) shows group commit sharing them.
func BenchmarkPatchAppMetadata(b *testing.B) {
	tn := openTest(b, Options{})
	tok := "Bearer " + token(b, tn, "update:users")
	rt := tn.RoundTripper()
	// 64 users: concurrent writers mostly touch different users, as rules running for different
	// logins do (writes to one user are ordered and never share a transaction).
	if _, err := tn.ImportUsers(bg, bytes.NewReader(syntheticUsers(64))); err != nil {
		b.Fatal(err)
	}
	var users []string
	for id := range tn.st.users {
		users = append(users, id)
	}
	patch := func(b *testing.B, user string, i int64) {
		body := fmt.Sprintf(`{"app_metadata":{"plan":"gold","counter":%d,"last_rule":"bench"}}`, i)
		req, _ := http.NewRequest("PATCH", tn.BaseURL()+"/users/"+url.PathEscape(user), strings.NewReader(body))
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		resp.Body.Close()
	}
	b.Run("Sequential", func(b *testing.B) {
		b.ReportAllocs()
		var i int64
		for b.Loop() {
			i++
			patch(b, jane, i)
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				patch(b, users[i%int64(len(users))], i)
			}
		})
	})
}

// syntheticUsers returns n realistic users as an import file.
func syntheticUsers(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	first := []string{"Ana", "John", "Jane", "Wei", "Priya", "Lukas", "Fatima", "Kenji", "Olga", "Mateo", "Amara", "Noah"}
	last := []string{"Smith", "Doe", "Chen", "Patel", "Müller", "García", "Okafor", "Sato", "Ivanova", "Rossi"}
	plans := []string{"free", "free", "free", "pro", "pro", "gold", "enterprise"}
	conns := []string{"Username-Password-Authentication", "Username-Password-Authentication", "google-oauth2", "github"}
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	users := make([]map[string]any, n)
	for i := range users {
		f, l := first[r.IntN(len(first))], last[r.IntN(len(last))]
		conn := conns[r.IntN(len(conns))]
		provider := map[string]string{"Username-Password-Authentication": "auth0", "google-oauth2": "google-oauth2", "github": "github"}[conn]
		local := fmt.Sprintf("%024x", i+1)
		created := start.Add(time.Duration(r.IntN(5*365*24)) * time.Hour)
		u := map[string]any{
			"user_id":        provider + "|" + local,
			"email":          fmt.Sprintf("%s.%s.%d@example%d.com", strings.ToLower(f), strings.ToLower(l), i, i%50),
			"email_verified": r.IntN(4) != 0,
			"name":           f + " " + l,
			"given_name":     f,
			"family_name":    l,
			"nickname":       strings.ToLower(f) + fmt.Sprint(i),
			"identities":     []any{map[string]any{"connection": conn, "user_id": local, "provider": provider, "isSocial": conn != "Username-Password-Authentication"}},
			"app_metadata":   map[string]any{"plan": plans[r.IntN(len(plans))], "seats": r.IntN(100), "roles": []any{[]string{"admin", "editor", "viewer"}[r.IntN(3)]}},
			"user_metadata":  map[string]any{"language": []string{"en", "fr", "de", "es", "ja"}[r.IntN(5)], "newsletter": r.IntN(2) == 0},
			"created_at":     created.Format("2006-01-02T15:04:05.000Z"),
			"updated_at":     created.Add(time.Duration(r.IntN(1000)) * time.Hour).Format("2006-01-02T15:04:05.000Z"),
		}
		if r.IntN(10) != 0 {
			u["logins_count"] = r.IntN(500)
			u["last_login"] = created.Add(time.Duration(r.IntN(20000)) * time.Hour).Format("2006-01-02T15:04:05.000Z")
			u["last_ip"] = fmt.Sprintf("203.0.113.%d", r.IntN(255))
		}
		users[i] = u
	}
	b, _ := json.Marshal(users)
	return b
}

// BenchmarkSearchV3_10k runs v3 queries over 10,000 users, through the HTTP handler (parse,
// match every user, sort when asked, page of 50, encode).
func BenchmarkSearchV3_10k(b *testing.B) {
	tn := openTest(b, Options{})
	if _, err := tn.ImportUsers(bg, bytes.NewReader(syntheticUsers(10000))); err != nil {
		b.Fatal(err)
	}
	tok := "Bearer " + token(b, tn, "read:users")
	rt := tn.RoundTripper()
	for _, c := range []struct{ name, q, extra string }{
		{"MetadataTerm", `app_metadata.plan:"gold"`, ""},
		{"PrefixWildcard", `name:jan*`, ""},
		{"InfixWildcard", `email:*example7.com`, ""},
		{"NumberRange", `logins_count:[100 TO 200]`, ""},
		{"DateRangeSorted", `last_login:[2021-01 TO 2021-06]`, "&sort=last_login:-1"},
		{"Boolean", `(app_metadata.plan:pro OR app_metadata.plan:gold) AND email_verified:true AND NOT identities.connection:"github"`, "&include_totals=true"},
		{"NoQuerySorted", ``, "&sort=email:1"},
	} {
		u := tn.BaseURL() + "/users?search_engine=v3&per_page=50&q=" + url.QueryEscape(c.q) + c.extra
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", tok)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(c.name, err, resp)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("Authorization", tok)
				resp, err := rt.RoundTrip(req)
				if err != nil || resp.StatusCode != 200 {
					b.Fatal(err, resp)
				}
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkOpen_10k measures opening a tenant of 10,000 users: consistency check and in-memory
// index rebuild.
func BenchmarkOpen_10k(b *testing.B) {
	tn := openTest(b, Options{})
	if _, err := tn.ImportUsers(bg, bytes.NewReader(syntheticUsers(10000))); err != nil {
		b.Fatal(err)
	}
	path := tn.Path()
	tn.Close()
	for b.Loop() {
		t2, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		t2.Close()
	}
}
