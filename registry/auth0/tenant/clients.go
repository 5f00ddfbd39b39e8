package tenant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// client is a machine-to-machine application allowed to get tokens with client credentials.
type client struct {
	ID         string   `json:"client_id"`
	Name       string   `json:"name"`
	SecretHash string   `json:"secret_sha256"`
	Scopes     []string `json:"scopes"`
	Created    string   `json:"created_at"`
}

// clientTokenTTL is the lifetime of client-credentials tokens (the API's default, 86400 s).
const clientTokenTTL = 24 * time.Hour

// CreateClient registers a machine-to-machine client granted scopes on this tenant's Management
// API and returns its credentials. POST /oauth/token with grant_type=client_credentials, these
// credentials and audience https://<domain>/api/v2/ then issues tokens. The secret is stored only
// as a SHA-256 hash: keep the returned value.
func (t *Tenant) CreateClient(name string, scopes []string) (clientID, clientSecret string, err error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", "", fmt.Errorf("tenant: a client needs a name")
	}
	scopes, err = validateScopes(scopes)
	if err != nil {
		return "", "", err
	}
	raw := make([]byte, 48)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(secret))
	c := client{ID: randomAlnum(32), Name: name, SecretHash: hex.EncodeToString(sum[:]), Scopes: scopes, Created: timestamp(t.now())}
	b, err := json.Marshal(c)
	if err != nil {
		return "", "", err
	}
	_, err = t.write(context.Background(), []string{"client:" + c.ID}, false, func(s *state) (*change, error) {
		return &change{puts: []kv{put(bucketClients, c.ID, b)}, apply: func(s *state) { cc := c; s.clients[cc.ID] = &cc }}, nil
	})
	if err != nil {
		return "", "", err
	}
	return c.ID, secret, nil
}

// oauthError writes an OAuth 2.0 error body, the shape /oauth/token answers with.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// serveToken implements POST /oauth/token for the client-credentials grant.
func (t *Tenant) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use POST /oauth/token.")
		return
	}
	params, err := readTokenRequest(r)
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if gt := params["grant_type"]; gt != "client_credentials" {
		if gt == "" {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: grant_type")
			return
		}
		oauthError(w, http.StatusForbidden, "unsupported_grant_type", fmt.Sprintf("Unsupported grant type: %s (the local tenant issues client_credentials tokens only)", gt))
		return
	}
	id, secret := params["client_id"], params["client_secret"]
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	if id == "" || secret == "" {
		oauthError(w, http.StatusUnauthorized, "access_denied", "Unauthorized: send client_id and client_secret")
		return
	}
	t.mu.RLock()
	c := t.st.clients[id]
	t.mu.RUnlock()
	sum := sha256.Sum256([]byte(secret))
	if c == nil || subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(c.SecretHash)) != 1 {
		oauthError(w, http.StatusUnauthorized, "access_denied", "Unauthorized")
		return
	}
	aud := params["audience"]
	if aud == "" {
		oauthError(w, http.StatusForbidden, "access_denied", "No audience parameter was provided, and no default audience has been configured")
		return
	}
	if strings.TrimSuffix(aud, "/") != strings.TrimSuffix(t.audience(), "/") {
		oauthError(w, http.StatusForbidden, "access_denied", fmt.Sprintf("Service not enabled within domain: %s", aud))
		return
	}
	scopes := c.Scopes
	if req := strings.Fields(params["scope"]); len(req) > 0 {
		var missing []string
		for _, s := range req {
			if !slices.Contains(c.Scopes, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			oauthError(w, http.StatusForbidden, "access_denied", "Client has not been granted scopes: "+strings.Join(missing, ","))
			return
		}
		scopes = req
	}
	tok, err := t.issue(c.ID+"@clients", c.ID, scopes, clientTokenTTL)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"scope":        strings.Join(scopes, " "),
		"expires_in":   int(clientTokenTTL / time.Second),
		"token_type":   "Bearer",
	})
}

// readTokenRequest accepts a JSON or form-encoded body.
func readTokenRequest(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("unreadable form body: %v", err)
		}
		for k := range r.PostForm {
			out[k] = r.PostForm.Get(k)
		}
		return out, nil
	}
	var body map[string]any
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("the body must be a JSON object or a form (application/x-www-form-urlencoded)")
	}
	for k, v := range body {
		switch x := v.(type) {
		case string:
			out[k] = x
		case nil:
		default:
			return nil, fmt.Errorf("parameter %s must be a string", k)
		}
	}
	return out, nil
}
