package tenant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
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
	search    searchDoc
}

// newUserRec encodes doc and builds its indexes. doc must not be modified afterwards.
func newUserRec(doc map[string]any) (*userRec, error) {
	id, _ := doc["user_id"].(string)
	if id == "" {
		return nil, fmt.Errorf("user has no user_id")
	}
	raw, err := encodeJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", id, err)
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
	r.search = buildSearchDoc(doc)
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

// searchDoc is a user flattened for v3 search: field paths (arrays ignored, objects joined with
// '.') to values. Non-empty objects are present with no values, so _exists_ sees them.
type searchDoc map[string][]query.Value

// Values implements query.Document.
func (d searchDoc) Values(field string) []query.Value { return d[field] }

// Exists implements query.Document.
func (d searchDoc) Exists(field string) bool { _, ok := d[field]; return ok }

// dateFields are the user fields searched and sorted as instants.
var dateFields = map[string]bool{
	"created_at": true, "updated_at": true, "last_login": true, "last_password_reset": true,
	"multifactor_last_modified": true,
}

// foldFields are the case-insensitive user fields of v3 search.
var foldFields = map[string]bool{
	"email": true, "name": true, "given_name": true, "family_name": true, "nickname": true, "email.domain": true,
}

// textFields are searched as whole strings even when an identity provider stored a number.
var textFields = map[string]bool{
	"user_id": true, "username": true, "phone_number": true, "last_ip": true, "picture": true,
	"identities.connection": true, "identities.provider": true, "identities.user_id": true,
}

// searchDefaultFields are matched by a term without a field. Metadata is never among them.
var searchDefaultFields = []string{"user_id", "email", "name", "nickname", "given_name", "family_name", "username", "phone_number"}

// userField is the query.Schema of users.
func userField(name string) query.Field {
	switch {
	case foldFields[name]:
		return query.Field{Kind: query.Text, Fold: true}
	case textFields[name]:
		return query.Field{Kind: query.Text}
	case dateFields[name]:
		return query.Field{Kind: query.Date}
	case name == "logins_count":
		return query.Field{Kind: query.Number}
	case name == "email_verified" || name == "phone_verified" || name == "blocked" || name == "identities.isSocial":
		return query.Field{Kind: query.Bool}
	case strings.HasPrefix(name, "app_metadata.") || strings.HasPrefix(name, "user_metadata."):
		return query.Field{NoWildcard: true, NoRange: true}
	}
	return query.Field{}
}

func buildSearchDoc(doc map[string]any) searchDoc {
	d := make(searchDoc, len(doc)+8)
	for k, v := range doc {
		d.add(k, v)
	}
	if e, ok := doc["email"].(string); ok {
		if i := strings.LastIndexByte(e, '@'); i >= 0 && i < len(e)-1 {
			d["email.domain"] = []query.Value{{Kind: query.Text, S: strings.ToLower(e[i+1:])}}
		}
	}
	return d
}

func (d searchDoc) add(path string, v any) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		if len(x) == 0 {
			return
		}
		if _, ok := d[path]; !ok {
			d[path] = nil
		}
		for k, sub := range x {
			if path == "identities" && (k == "access_token" || k == "refresh_token" || k == "access_token_secret") {
				continue
			}
			d.add(path+"."+k, sub)
		}
	case []any:
		for _, e := range x {
			d.add(path, e)
		}
	default:
		if val, ok := scalarValue(path, x); ok {
			d[path] = append(d[path], val)
		}
	}
}

// scalarValue converts one JSON scalar at path into a search value.
func scalarValue(path string, v any) (query.Value, bool) {
	switch x := v.(type) {
	case string:
		if dateFields[path] {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return query.Value{Kind: query.Date, N: float64(t.UnixMilli())}, true
			}
		}
		if foldFields[path] {
			x = strings.ToLower(x)
		}
		return query.Value{Kind: query.Text, S: x}, true
	case bool:
		if textFields[path] {
			return query.Value{Kind: query.Text, S: strconv.FormatBool(x)}, true
		}
		return query.Value{Kind: query.Bool, B: x}, true
	case json.Number:
		if textFields[path] {
			return query.Value{Kind: query.Text, S: x.String()}, true
		}
		f, err := x.Float64()
		if err != nil {
			return query.Value{}, false
		}
		return query.Value{Kind: query.Number, N: f}, true
	case float64:
		if textFields[path] {
			return query.Value{Kind: query.Text, S: strconv.FormatFloat(x, 'f', -1, 64)}, true
		}
		return query.Value{Kind: query.Number, N: x}, true
	case int:
		return scalarValue(path, json.Number(strconv.Itoa(x)))
	case int64:
		return scalarValue(path, json.Number(strconv.FormatInt(x, 10)))
	}
	return query.Value{}, false
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
