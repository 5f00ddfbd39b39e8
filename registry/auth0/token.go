package auth0

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// ccConfig is the client-credentials mode of a client (2.8+).
type ccConfig struct {
	clientID, clientSecret string
	audience, scope        string
	cache                  bool
	ttlSeconds             float64 // tokenProvider.cacheTTLInSeconds; 0: the token's expires_in
}

// tokenCache shares client-credentials tokens between clients of one provider (the SDK caches per
// client; sharing only saves token requests). Keys include a hash of the secret.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	token   string
	expires time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{m: make(map[string]cachedToken)} }

// maxCachedTokens bounds the cache; expired entries are dropped when it is reached, then the
// oldest-expiring ones.
const maxCachedTokens = 1024

func (tc *tokenCache) pruneLocked() {
	if len(tc.m) < maxCachedTokens {
		return
	}
	now := time.Now()
	for k, v := range tc.m {
		if now.After(v.expires) {
			delete(tc.m, k)
		}
	}
	for len(tc.m) >= maxCachedTokens {
		var oldest string
		var at time.Time
		for k, v := range tc.m {
			if oldest == "" || v.expires.Before(at) {
				oldest, at = k, v.expires
			}
		}
		delete(tc.m, oldest)
	}
}

func (cc *ccConfig) cacheKey(tokenURL string) string {
	h := sha256.Sum256([]byte(cc.clientSecret))
	return tokenURL + "\x00" + cc.clientID + "\x00" + hex.EncodeToString(h[:8]) + "\x00" + cc.audience + "\x00" + cc.scope
}

// accessToken returns a token for cc, from the cache or from POST <tokenURL>. On failure it
// returns the token endpoint's response (or transport error) instead.
func (p *Provider) accessToken(ctx context.Context, t *target, cc *ccConfig) (string, *response) {
	key := cc.cacheKey(t.tokenURL)
	if cc.cache {
		p.tokens.mu.Lock()
		ct, ok := p.tokens.m[key]
		p.tokens.mu.Unlock()
		if ok && time.Now().Before(ct.expires) {
			return ct.token, nil
		}
	}
	body := map[string]string{"grant_type": "client_credentials", "client_id": cc.clientID, "client_secret": cc.clientSecret}
	if cc.scope != "" {
		body["scope"] = cc.scope
	}
	body["audience"] = cc.audience
	b, _ := json.Marshal(orderedTokenBody(body))
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, t.tokenURL, bytes.NewReader(b))
	if err != nil {
		return "", &response{method: "post", url: t.tokenURL, netErr: err, tokenFailure: true}
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	if ua := t.header.Get("User-Agent"); ua != "" {
		hr.Header.Set("User-Agent", ua)
	}
	if tel := t.header.Get("Auth0-Client"); tel != "" {
		hr.Header.Set("Auth0-Client", tel)
	}
	r := p.exchange(hr)
	r.method, r.url, r.tokenFailure = "post", t.tokenURL, true
	if r.netErr != nil || r.status < 200 || r.status > 299 {
		return "", r
	}
	var tr struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.AccessToken == "" {
		r.status = http.StatusBadGateway
		return "", r
	}
	if cc.cache {
		ttl := tr.ExpiresIn
		if cc.ttlSeconds > 0 {
			ttl = cc.ttlSeconds
		}
		if ttl <= 0 {
			ttl = 60
		}
		p.tokens.mu.Lock()
		p.tokens.pruneLocked()
		p.tokens.m[key] = cachedToken{token: tr.AccessToken, expires: time.Now().Add(time.Duration(ttl * float64(time.Second)))}
		p.tokens.mu.Unlock()
	}
	return tr.AccessToken, nil
}

// orderedTokenBody keeps the SDK's key order: grant_type, client_id, client_secret, scope, audience.
type orderedTokenBody map[string]string

func (o orderedTokenBody) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, k := range []string{"grant_type", "client_id", "client_secret", "scope", "audience"} {
		v, ok := o[k]
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
