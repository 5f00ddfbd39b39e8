package tenant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/verq/verq/registry/auth0/tenant/query"
)

// User is one user profile as the Management API returns it: user_id, email, identities,
// app_metadata, user_metadata, logins_count, created_at … plus any identity-provider attributes.
// Numbers are json.Number values; timestamps are ISO-8601 strings.
type User map[string]any

// ID returns the user_id.
func (u User) ID() string { s, _ := u["user_id"].(string); return s }

// Email returns the email, or "".
func (u User) Email() string { s, _ := u["email"].(string); return s }

// idpTokenKeys are the identity fields only tokens with read:user_idp_tokens may see.
var idpTokenKeys = []string{"access_token", "access_token_secret", "refresh_token"}

// userRec is the in-memory form of a stored user. It is immutable once published: a change builds
// a new record.
type userRec struct {
	id        string
	doc       map[string]any
	raw       []byte // full JSON, as stored
	pub       []byte // JSON without identity-provider tokens (== raw when there are none)
	hasTokens bool
	email     string // lower-cased email or "" (the index key; the stored case is in doc)
	conn      string // connection of the primary identity
	phone     string
	username  string
	created   int64 // created_at in Unix ms, for the default order
	search    *searchDoc
}

// newUserRec builds the record of doc: its JSON (raw when the caller already has it as stored,
// else encoded here) and its indexes. With fields nil no search document is built (the record is
// only to be written). doc must not be modified afterwards.
func newUserRec(doc map[string]any, raw []byte, fields *fieldTable) (*userRec, error) {
	id, _ := doc["user_id"].(string)
	if id == "" {
		return nil, fmt.Errorf("user has no user_id")
	}
	var err error
	if raw == nil {
		if raw, err = encodeJSON(doc); err != nil {
			return nil, fmt.Errorf("user %s: %w", id, err)
		}
	}
	r := &userRec{id: id, doc: doc, raw: raw, pub: raw}
	if stripped, ok := withoutIdPTokens(doc); ok {
		r.hasTokens = true
		if r.pub, err = encodeJSON(stripped); err != nil {
			return nil, fmt.Errorf("user %s: %w", id, err)
		}
	}
	if e, ok := doc["email"].(string); ok {
		r.email = strings.ToLower(e)
	}
	r.phone, _ = doc["phone_number"].(string)
	r.username, _ = doc["username"].(string)
	r.conn = primaryConnection(doc)
	if s, ok := doc["created_at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			r.created = t.UnixMilli()
		}
	}
	if fields != nil {
		r.search = fields.build(doc)
	}
	return r, nil
}

// view returns the user as callers may see it: without identity-provider tokens unless allowed.
func (r *userRec) view(withTokens bool) map[string]any {
	if r.hasTokens && !withTokens {
		m, _ := withoutIdPTokens(r.doc)
		return m
	}
	return r.doc
}

// json returns the encoded user, with or without identity-provider tokens.
func (r *userRec) json(withTokens bool) []byte {
	if withTokens {
		return r.raw
	}
	return r.pub
}

func primaryConnection(doc map[string]any) string {
	ids, _ := doc["identities"].([]any)
	if len(ids) == 0 {
		return ""
	}
	first, _ := ids[0].(map[string]any)
	c, _ := first["connection"].(string)
	return c
}

// withoutIdPTokens returns a copy of doc whose identities lack access/refresh tokens, and whether
// there were any.
func withoutIdPTokens(doc map[string]any) (map[string]any, bool) {
	ids, _ := doc["identities"].([]any)
	found := false
	for _, x := range ids {
		if m, ok := x.(map[string]any); ok {
			for _, k := range idpTokenKeys {
				if _, ok := m[k]; ok {
					found = true
				}
			}
		}
	}
	if !found {
		return doc, false
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	stripped := make([]any, len(ids))
	for i, x := range ids {
		m, ok := x.(map[string]any)
		if !ok {
			stripped[i] = x
			continue
		}
		c := make(map[string]any, len(m))
		for k, v := range m {
			c[k] = v
		}
		for _, k := range idpTokenKeys {
			delete(c, k)
		}
		stripped[i] = c
	}
	out["identities"] = stripped
	return out, true
}

// encodeJSON marshals v without HTML escaping (the API returns '<', '>' and '&' as is).
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // drop the newline Encode appends
}

// decodeJSON unmarshals with numbers kept as json.Number, so integers survive unchanged.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}

// timestamp formats t as the API does: 2024-01-02T03:04:05.678Z.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// compareValues orders two search values for sorting: by kind first, then by value.
func compareValues(a, b query.Value) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	switch a.Kind {
	case query.Text:
		return strings.Compare(a.S, b.S)
	case query.Bool:
		switch {
		case a.B == b.B:
			return 0
		case !a.B:
			return -1
		}
		return 1
	}
	switch {
	case a.N < b.N:
		return -1
	case a.N > b.N:
		return 1
	case math.IsNaN(a.N) || math.IsNaN(b.N):
		return 0
	}
	return 0
}
