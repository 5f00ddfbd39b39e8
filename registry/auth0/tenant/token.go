package tenant

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Scopes this tenant checks. Tokens and clients may only carry these.
var knownScopes = []string{
	"read:users", "create:users", "update:users", "delete:users",
	"update:users_app_metadata", "read:user_idp_tokens",
	"read:current_user", "update:current_user_metadata", "delete:current_user",
	"read:roles", "create:roles", "update:roles", "delete:roles",
	"read:role_members", "create:role_members", "delete:role_members",
	"read:rules", "create:rules", "update:rules", "delete:rules",
	"read:rules_configs", "update:rules_configs", "delete:rules_configs",
}

// KnownScopes returns the Management API scopes the local tenant enforces, sorted.
func KnownScopes() []string {
	out := slices.Clone(knownScopes)
	sort.Strings(out)
	return out
}

// RulesScopes returns the scopes of the Rules `auth0.accessToken`: exactly read:users and
// update:users.
func RulesScopes() []string { return []string{"read:users", "update:users"} }

// DefaultTokenTTL is the lifetime of tokens issued with a ttl of 0.
const DefaultTokenTTL = 24 * time.Hour

func validateScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, fmt.Errorf("tenant: a token needs at least one scope (e.g. read:users); known scopes: %s", strings.Join(KnownScopes(), ", "))
	}
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		s = strings.TrimSpace(s)
		if !slices.Contains(knownScopes, s) {
			return nil, fmt.Errorf("tenant: unknown scope %q; known scopes: %s", s, strings.Join(KnownScopes(), ", "))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

type jwtClaims struct {
	Iss   string `json:"iss"`
	Sub   string `json:"sub"`
	Aud   any    `json:"aud"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
	Scope string `json:"scope"`
	Gty   string `json:"gty,omitempty"`
	Azp   string `json:"azp,omitempty"`
	Jti   string `json:"jti,omitempty"`
}

// principal is a verified bearer token.
type principal struct {
	token  string
	sub    string
	scopes []string
	exp    int64
}

func (p *principal) has(scope string) bool { return slices.Contains(p.scopes, scope) }

// IssueToken returns an HS256 JWT signed with the tenant's secret, with iss https://<domain>/,
// aud https://<domain>/api/v2/, the scopes space-separated in "scope", iat and exp = iat + ttl
// (ttl <= 0 means DefaultTokenTTL). Scopes must be among KnownScopes.
func (t *Tenant) IssueToken(scopes []string, ttl time.Duration) (string, error) {
	return t.issue("verq-cli@clients", "verq-cli", scopes, ttl)
}

func (t *Tenant) issue(sub, azp string, scopes []string, ttl time.Duration) (string, error) {
	scopes, err := validateScopes(scopes)
	if err != nil {
		return "", err
	}
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	now := t.now()
	c := jwtClaims{
		Iss: t.issuer(), Sub: sub, Aud: t.audience(), Iat: now.Unix(), Exp: now.Add(ttl).Unix(),
		Scope: strings.Join(scopes, " "), Gty: "client-credentials", Azp: azp, Jti: randomAlnum(16),
	}
	return signJWT(t.secret, c)
}

func signJWT(secret []byte, c jwtClaims) (string, error) {
	h, err := json.Marshal(jwtHeader{Alg: "HS256", Typ: "JWT"})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

func unauthorized(code, format string, args ...any) *Error {
	return apiError(http.StatusUnauthorized, code, format, args...)
}

// authenticate checks the Authorization header.
func (t *Tenant) authenticate(r *http.Request) (*principal, *Error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, unauthorized("missing_authentication", "Missing authentication: send Authorization: Bearer <token> (create one with `verq tenant token`).")
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, unauthorized("invalid_token", "Bad HTTP authentication header format: expected Authorization: Bearer <token>.")
	}
	return t.verify(strings.TrimSpace(tok))
}

// verify validates a JWT issued by this tenant. Verified tokens are cached; expiry is checked on
// every call.
func (t *Tenant) verify(tok string) (*principal, *Error) {
	now := t.now().Unix()
	if p := t.tokens.get(tok); p != nil {
		if now >= p.exp {
			return nil, unauthorized("invalid_token", "Expired token received for JSON Web Token validation.")
		}
		return p, nil
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, unauthorized("invalid_token", "Invalid token: a JSON Web Token has three dot-separated parts.")
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	pb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, unauthorized("invalid_token", "Invalid token: the parts are not base64url.")
	}
	var hdr jwtHeader
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return nil, unauthorized("invalid_token", "Invalid token: unreadable header.")
	}
	if hdr.Alg != "HS256" {
		return nil, unauthorized("invalid_token", "Invalid token: algorithm %q is not accepted (this tenant signs HS256).", hdr.Alg)
	}
	mac := hmac.New(sha256.New, t.secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, unauthorized("invalid_signature", "Invalid signature received for JSON Web Token validation.")
	}
	var c jwtClaims
	if err := json.Unmarshal(pb, &c); err != nil {
		return nil, unauthorized("invalid_token", "Invalid token: unreadable claims.")
	}
	if c.Iss != t.issuer() {
		return nil, unauthorized("invalid_token", "Bad issuer: %s (expected %s).", c.Iss, t.issuer())
	}
	if !audienceMatches(c.Aud, t.audience()) {
		return nil, unauthorized("invalid_token", "Bad audience: %v (expected %s).", c.Aud, t.audience())
	}
	if c.Exp == 0 {
		return nil, unauthorized("invalid_token", "Invalid token: no exp claim.")
	}
	if now >= c.Exp {
		return nil, unauthorized("invalid_token", "Expired token received for JSON Web Token validation.")
	}
	if c.Iat > now+60 {
		return nil, unauthorized("invalid_token", "Invalid token: issued in the future (iat %d).", c.Iat)
	}
	p := &principal{token: tok, sub: c.Sub, scopes: strings.Fields(c.Scope), exp: c.Exp}
	t.tokens.put(tok, p)
	return p, nil
}

func audienceMatches(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && s == want {
				return true
			}
		}
	}
	return false
}

// tokenCache remembers verified tokens so a request costs a map lookup, not an HMAC and two JSON
// decodes. It holds at most tokenCacheSize entries and starts over when full.
type tokenCache struct {
	mu sync.RWMutex
	m  map[string]*principal
}

const tokenCacheSize = 4096

func newTokenCache() *tokenCache { return &tokenCache{m: map[string]*principal{}} }

func (c *tokenCache) get(tok string) *principal {
	c.mu.RLock()
	p := c.m[tok]
	c.mu.RUnlock()
	return p
}

func (c *tokenCache) put(tok string, p *principal) {
	c.mu.Lock()
	if len(c.m) >= tokenCacheSize {
		c.m = map[string]*principal{}
	}
	c.m[tok] = p
	c.mu.Unlock()
}

// scopeReq is the scopes an endpoint needs: any one of anyOf, or all of allOf.
type scopeReq struct {
	anyOf []string
	allOf []string
}

func anyScope(s ...string) scopeReq  { return scopeReq{anyOf: s} }
func allScopes(s ...string) scopeReq { return scopeReq{allOf: s} }

func (q scopeReq) check(p *principal) *Error {
	if len(q.allOf) > 0 {
		for _, s := range q.allOf {
			if !p.has(s) {
				return insufficientScope("all", q.allOf)
			}
		}
		return nil
	}
	for _, s := range q.anyOf {
		if p.has(s) {
			return nil
		}
	}
	return insufficientScope("any", q.anyOf)
}

func insufficientScope(kind string, scopes []string) *Error {
	return apiError(http.StatusForbidden, "insufficient_scope", "Insufficient scope, expected %s of: %s", kind, strings.Join(scopes, ","))
}

func notSubject() *Error {
	return apiError(http.StatusForbidden, "insufficient_scope", "User to be acted on does not match subject in bearer token.")
}
