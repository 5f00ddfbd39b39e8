package tenant

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestIssueToken_Claims(t *testing.T) {
	clock := newClock()
	tn := openTest(t, Options{Now: clock.Now})
	tok, err := tn.IssueToken([]string{"read:users", "update:users"}, 90*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %s", tok)
	}
	var hdr map[string]any
	var claims map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	pb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(hb, &hdr)
	json.Unmarshal(pb, &claims)
	if hdr["alg"] != "HS256" || hdr["typ"] != "JWT" {
		t.Fatalf("header %v", hdr)
	}
	now := clock.Now().Unix()
	if claims["iss"] != "https://local.verq/" || claims["aud"] != "https://local.verq/api/v2/" || claims["scope"] != "read:users update:users" ||
		int64(claims["iat"].(float64)) != now || int64(claims["exp"].(float64)) != now+5400 {
		t.Fatalf("claims %v", claims)
	}
	if _, err := tn.IssueToken(nil, 0); err == nil {
		t.Fatal("a token without scopes was issued")
	}
	if _, err := tn.IssueToken([]string{"read:user"}, 0); err == nil || !strings.Contains(err.Error(), "read:users") {
		t.Fatalf("unknown scope: %v", err)
	}
	def, _ := tn.IssueToken([]string{"read:users"}, 0)
	pb, _ = base64.RawURLEncoding.DecodeString(strings.Split(def, ".")[1])
	json.Unmarshal(pb, &claims)
	if int64(claims["exp"].(float64)) != now+int64(DefaultTokenTTL/time.Second) {
		t.Fatalf("default ttl: %v", claims["exp"])
	}
}

func TestAuth_Failures(t *testing.T) {
	clock := newClock()
	tn := openTest(t, Options{Now: clock.Now})
	other := openTest(t, Options{})
	good := token(t, tn, "read:users")
	forge := func(mutate func(c *jwtClaims), secret []byte, alg string) string {
		c := jwtClaims{Iss: tn.issuer(), Aud: tn.audience(), Iat: clock.Now().Unix(), Exp: clock.Now().Add(time.Hour).Unix(), Scope: "read:users"}
		mutate(&c)
		tok, _ := signJWT(secret, c)
		if alg != "" {
			parts := strings.Split(tok, ".")
			h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
			parts[0] = base64.RawURLEncoding.EncodeToString(h)
			if alg == "none" {
				parts[2] = ""
			}
			tok = strings.Join(parts, ".")
		}
		return tok
	}
	tests := []struct {
		name, header, code, fragment string
	}{
		{"missing", "", "missing_authentication", "Missing authentication"},
		{"not bearer", "Basic dXNlcjpwYXNz", "invalid_token", "Bad HTTP authentication header format"},
		{"empty bearer", "Bearer ", "invalid_token", "Bad HTTP authentication header format"},
		{"garbage", "Bearer not-a-jwt", "invalid_token", "three dot-separated parts"},
		{"bad base64", "Bearer a.b!.c", "invalid_token", "base64url"},
		{"other tenant's token", "Bearer " + token(t, other, "read:users"), "invalid_signature", "Invalid signature received for JSON Web Token validation."},
		{"tampered scope", "Bearer " + tamper(good), "invalid_signature", "Invalid signature"},
		{"alg none", "Bearer " + forge(func(*jwtClaims) {}, tn.secret, "none"), "invalid_token", "algorithm \"none\""},
		{"wrong issuer", "Bearer " + forge(func(c *jwtClaims) { c.Iss = "https://evil/" }, tn.secret, ""), "invalid_token", "Bad issuer"},
		{"wrong audience", "Bearer " + forge(func(c *jwtClaims) { c.Aud = "https://local.verq/userinfo" }, tn.secret, ""), "invalid_token", "Bad audience"},
		{"no exp", "Bearer " + forge(func(c *jwtClaims) { c.Exp = 0 }, tn.secret, ""), "invalid_token", "no exp"},
		{"expired", "Bearer " + forge(func(c *jwtClaims) { c.Exp = clock.Now().Unix() - 1 }, tn.secret, ""), "invalid_token", "Expired token received for JSON Web Token validation."},
		{"future iat", "Bearer " + forge(func(c *jwtClaims) { c.Iat = clock.Now().Unix() + 3600 }, tn.secret, ""), "invalid_token", "issued in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "https://local.verq/api/v2/users", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			tn.Handler().ServeHTTP(w, req)
			expect(t, response{status: w.Code, raw: w.Body.Bytes()}, 401, tt.code, tt.fragment)
		})
	}
	t.Run("audience array", func(t *testing.T) {
		tok := forge(func(c *jwtClaims) { c.Aud = []string{"https://local.verq/userinfo", tn.audience()} }, tn.secret, "")
		expect(t, do(t, tn, "GET", "/api/v2/users", tok, nil), 200, "", "")
	})
	t.Run("expiry is checked for cached tokens", func(t *testing.T) {
		short, _ := tn.IssueToken([]string{"read:users"}, time.Minute)
		expect(t, do(t, tn, "GET", "/api/v2/users", short, nil), 200, "", "")
		clock.Advance(2 * time.Minute)
		expect(t, do(t, tn, "GET", "/api/v2/users", short, nil), 401, "invalid_token", "Expired token")
	})
}

// tamper swaps the claims of a token for others without re-signing.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	pb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	json.Unmarshal(pb, &c)
	c["scope"] = "read:users delete:users"
	nb, _ := json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(nb)
	return strings.Join(parts, ".")
}

func postToken(t *testing.T, tn *Tenant, contentType, body string) response {
	t.Helper()
	req := httptest.NewRequest("POST", "https://local.verq/oauth/token", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	tn.Handler().ServeHTTP(w, req)
	return response{status: w.Code, header: w.Header(), raw: w.Body.Bytes()}
}

func TestOAuthToken_ClientCredentials(t *testing.T) {
	tn := openTest(t, Options{})
	id, secret, err := tn.CreateClient("backoffice", []string{"read:users", "update:users", "read:roles"})
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 32 || len(secret) < 40 {
		t.Fatalf("credentials %q %q", id, secret)
	}
	aud := tn.audience()
	body := func(m map[string]string) string { b, _ := json.Marshal(m); return string(b) }

	r := postToken(t, tn, "application/json", body(map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": aud}))
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	resp := r.object(t)
	if resp["token_type"] != "Bearer" || resp["expires_in"].(jsonNumber).String() != "86400" || resp["scope"] != "read:users update:users read:roles" {
		t.Fatalf("token response %v", resp)
	}
	tok := resp["access_token"].(string)
	expect(t, do(t, tn, "GET", userPath(jane)+"/roles", tok, nil), 200, "", "")

	// Form encoding, and a narrowed scope.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "audience": {aud}, "scope": {"read:users"}}
	r = postToken(t, tn, "application/x-www-form-urlencoded", form.Encode())
	if r.status != 200 || r.object(t)["scope"] != "read:users" {
		t.Fatalf("form token: %d %s", r.status, r.raw)
	}
	narrowed := r.object(t)["access_token"].(string)
	expect(t, do(t, tn, "PATCH", userPath(jane), narrowed, map[string]any{"name": "x"}), 403, "insufficient_scope", "")

	failures := []struct {
		body   map[string]string
		status int
		code   string
		desc   string
	}{
		{map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": "wrong", "audience": aud}, 401, "access_denied", "Unauthorized"},
		{map[string]string{"grant_type": "client_credentials", "client_id": "nope", "client_secret": secret, "audience": aud}, 401, "access_denied", "Unauthorized"},
		{map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}, 403, "access_denied", "No audience parameter was provided"},
		{map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": "https://api.example.com/"}, 403, "access_denied", "Service not enabled within domain: https://api.example.com/"},
		{map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": aud, "scope": "read:users delete:users"}, 403, "access_denied", "Client has not been granted scopes: delete:users"},
		{map[string]string{"grant_type": "password", "username": "a", "password": "b"}, 403, "unsupported_grant_type", "Unsupported grant type: password"},
		{map[string]string{"client_id": id}, 400, "invalid_request", "grant_type"},
	}
	for _, f := range failures {
		r := postToken(t, tn, "application/json", body(f.body))
		got := r.object(t)
		if r.status != f.status || got["error"] != f.code || !strings.Contains(got["error_description"].(string), f.desc) {
			t.Errorf("%v: %d %s", f.body, r.status, r.raw)
		}
	}
	if r := postToken(t, tn, "application/json", "{"); r.status != 400 {
		t.Fatalf("bad json: %d", r.status)
	}
	req := httptest.NewRequest("GET", "https://local.verq/oauth/token", nil)
	w := httptest.NewRecorder()
	tn.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /oauth/token: %d", w.Code)
	}
	if _, _, err := tn.CreateClient("", []string{"read:users"}); err == nil {
		t.Fatal("client without a name")
	}
	if _, _, err := tn.CreateClient("x", []string{"read:everything"}); err == nil {
		t.Fatal("client with an unknown scope")
	}
}

func TestRateLimit(t *testing.T) {
	clock := newClock()
	tn := openTest(t, Options{RateLimit: 3, Now: clock.Now})
	a, b := token(t, tn, "read:users"), token(t, tn, "read:users")
	for i := 0; i < 3; i++ {
		r := do(t, tn, "GET", "/api/v2/users", a, nil)
		expect(t, r, 200, "", "")
		if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("request %d headers: %v", i, r.header)
		}
		reset, _ := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
		if reset <= clock.Now().Unix() || reset > clock.Now().Unix()+60 {
			t.Fatalf("X-RateLimit-Reset %d is not an epoch second within the next minute", reset)
		}
	}
	r := do(t, tn, "GET", "/api/v2/users", a, nil)
	expect(t, r, 429, "too_many_requests", "Global limit has been reached")
	if r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("Retry-After") != "20" {
		t.Fatalf("429 headers %v", r.header)
	}
	expect(t, do(t, tn, "GET", "/api/v2/users", b, nil), 200, "", "") // another token has its own bucket
	clock.Advance(20 * time.Second)                                   // refills one request (3 per minute)
	expect(t, do(t, tn, "GET", "/api/v2/users", a, nil), 200, "", "")
	expect(t, do(t, tn, "GET", "/api/v2/users", a, nil), 429, "too_many_requests", "")
	// Invalid tokens are refused before rate limiting and carry no rate-limit headers.
	r = do(t, tn, "GET", "/api/v2/users", "x.y.z", nil)
	if r.status != 401 || r.header.Get("X-RateLimit-Limit") != "" {
		t.Fatalf("unauthenticated: %d %v", r.status, r.header)
	}
	// Off by default.
	plain := openTest(t, Options{})
	if r := do(t, plain, "GET", "/api/v2/users", token(t, plain, "read:users"), nil); r.header.Get("X-RateLimit-Limit") != "" {
		t.Fatal("rate-limit headers without a limit")
	}
}
