package tenant

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// importDateFields must be RFC 3339 timestamps when present in an import.
var importDateFields = []string{"created_at", "updated_at", "last_login", "last_password_reset"}

// ImportUsers reads a JSON array of users (the format ExportUsers writes, or hand-written users)
// and stores them in one transaction: either every user is imported or none is. A user whose
// user_id already exists is replaced. Each entry needs a user_id or a connection (then an id is
// generated, e.g. auth0|<24 hex>); identities default to one identity in that connection
// (Username-Password-Authentication when neither is given). A "password" is stored hashed, never
// in the profile. Validation errors wrap ErrInvalid and name the entry: "users[3]: email ...".
// It returns the number of users imported.
func (t *Tenant) ImportUsers(ctx context.Context, r io.Reader) (int, error) {
	var raw []any
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return 0, fmt.Errorf("%w: the import must be a JSON array of user objects: %v", ErrInvalid, err)
	}
	if dec.More() {
		return 0, fmt.Errorf("%w: unexpected data after the JSON array", ErrInvalid)
	}
	now := t.now()
	recs := make([]*userRec, 0, len(raw))
	hashes := map[string]string{}
	seen := map[string]int{}
	emails := map[string]int{}
	for i, x := range raw {
		if i&255 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		obj, ok := x.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("%w: users[%d]: expected an object, found %s", ErrInvalid, i, jsonType(x))
		}
		doc, password, err := normalizeImported(obj, now)
		if err != nil {
			return 0, fmt.Errorf("%w: users[%d]: %v", ErrInvalid, i, err)
		}
		rec, err := newUserRec(doc, nil, t.fields)
		if err != nil {
			return 0, fmt.Errorf("%w: users[%d]: %v", ErrInvalid, i, err)
		}
		if j, dup := seen[rec.id]; dup {
			return 0, fmt.Errorf("%w: users[%d]: user_id %s repeats users[%d]", ErrInvalid, i, rec.id, j)
		}
		seen[rec.id] = i
		if rec.email != "" {
			k := rec.conn + "\x00" + rec.email
			if j, dup := emails[k]; dup {
				return 0, fmt.Errorf("%w: users[%d]: email %s is already used by users[%d] in connection %s", ErrInvalid, i, rec.email, j, rec.conn)
			}
			emails[k] = i
		}
		if password != "" {
			if hashes[rec.id], err = hashPassword(password); err != nil {
				return 0, err
			}
		}
		recs = append(recs, rec)
	}
	_, err := t.write(ctx, nil, true, func(s *state) (*change, error) {
		for i, rec := range recs {
			if rec.email == "" {
				continue
			}
			if other := s.emailTaken(rec.email, rec.conn, rec.id); other != nil {
				if _, replaced := seen[other.id]; !replaced {
					return nil, fmt.Errorf("%w: users[%d]: email %s is already used by %s in connection %s", ErrInvalid, i, rec.email, other.id, rec.conn)
				}
			}
		}
		puts := make([]kv, 0, len(recs)+len(hashes))
		for _, rec := range recs {
			puts = append(puts, put(bucketUsers, rec.id, rec.raw))
			if h, ok := hashes[rec.id]; ok {
				puts = append(puts, put(bucketPasswords, rec.id, []byte(h)))
			}
		}
		return &change{puts: puts, apply: func(s *state) {
			for _, rec := range recs {
				if old, ok := s.users[rec.id]; ok {
					s.unindex(old)
				}
				s.users[rec.id] = rec
				if rec.email != "" {
					s.byEmail[rec.email] = append(s.byEmail[rec.email], rec)
				}
			}
			s.rebuildSorted()
		}}, nil
	})
	if err != nil {
		return 0, err
	}
	t.log.Info("users imported", "path", t.path, "count", len(recs))
	return len(recs), nil
}

// normalizeImported validates one imported user and returns the profile to store and the plain
// password to hash, if any.
func normalizeImported(obj map[string]any, now time.Time) (map[string]any, string, error) {
	doc := make(map[string]any, len(obj)+4)
	for k, v := range obj {
		doc[k] = v
	}
	password := ""
	if p, ok := doc["password"]; ok {
		s, ok := p.(string)
		if !ok || s == "" {
			return nil, "", fmt.Errorf("password must be a non-empty string")
		}
		password = s
		delete(doc, "password")
	}
	connName := ""
	if c, ok := doc["connection"]; ok {
		s, ok := c.(string)
		if !ok || s == "" {
			return nil, "", fmt.Errorf("connection must be a non-empty string")
		}
		connName = s
		delete(doc, "connection")
	}
	if e, ok := doc["email"]; ok {
		s, ok := e.(string)
		if !ok || !validEmail(s) {
			return nil, "", fmt.Errorf("email %v is not a valid email address", e)
		}
		doc["email"] = strings.ToLower(s)
	}
	if p, ok := doc["phone_number"]; ok {
		if s, ok := p.(string); !ok || !validPhone(s) {
			return nil, "", fmt.Errorf("phone_number %v is not an E.164 number such as +14155550123", p)
		}
	}
	for _, k := range []string{"email_verified", "phone_verified", "blocked"} {
		if v, ok := doc[k]; ok {
			if _, ok := v.(bool); !ok {
				return nil, "", fmt.Errorf("%s must be true or false, not %s", k, jsonType(v))
			}
		}
	}
	if v, ok := doc["logins_count"]; ok {
		n, ok := v.(json.Number)
		if i, err := n.Int64(); !ok || err != nil || i < 0 {
			return nil, "", fmt.Errorf("logins_count must be a non-negative integer, not %v", v)
		}
	}
	for _, k := range importDateFields {
		if v, ok := doc[k]; ok {
			s, ok := v.(string)
			if _, err := time.Parse(time.RFC3339Nano, s); !ok || err != nil {
				return nil, "", fmt.Errorf("%s must be an RFC 3339 timestamp such as 2024-05-14T08:31:55.087Z, not %v", k, v)
			}
		}
	}
	for _, k := range []string{"app_metadata", "user_metadata"} {
		if v, ok := doc[k]; ok {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, "", fmt.Errorf("%s must be an object, not %s", k, jsonType(v))
			}
			if e := checkMetadata(k, m); e != nil {
				return nil, "", fmt.Errorf("%s", e.Message)
			}
			if len(m) == 0 {
				delete(doc, k)
			}
		}
	}
	var ids []any
	if v, ok := doc["identities"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return nil, "", fmt.Errorf("identities must be a non-empty array")
		}
		for j, x := range arr {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, "", fmt.Errorf("identities[%d] must be an object", j)
			}
			for _, k := range []string{"connection", "provider"} {
				if s, ok := m[k].(string); !ok || s == "" {
					return nil, "", fmt.Errorf("identities[%d].%s must be a non-empty string", j, k)
				}
			}
			switch m["user_id"].(type) {
			case string, json.Number:
			default:
				return nil, "", fmt.Errorf("identities[%d].user_id must be a string or a number", j)
			}
		}
		ids = arr
	}
	id, hasID := doc["user_id"].(string)
	if v, ok := doc["user_id"]; ok && (!hasID || id == "") {
		return nil, "", fmt.Errorf("user_id must be a non-empty string, not %v", v)
	}
	if ids == nil {
		if connName == "" {
			connName = "Username-Password-Authentication"
		}
		conn, known := findConnection(connName)
		provider := conn.provider
		if !known {
			provider = "auth0"
		}
		local := ""
		if hasID {
			if p, rest, ok := strings.Cut(id, "|"); ok {
				provider, local = p, rest
			} else {
				local = id
				id = provider + "|" + id
			}
		} else {
			local = objectID(now)
			id = provider + "|" + local
		}
		doc["identities"] = []any{map[string]any{"connection": connName, "user_id": local, "provider": provider, "isSocial": known && conn.kind == connSocial}}
	} else if !hasID {
		first := ids[0].(map[string]any)
		id = fmt.Sprintf("%s|%v", first["provider"], first["user_id"])
	}
	doc["user_id"] = id
	ts := timestamp(now)
	if _, ok := doc["created_at"]; !ok {
		doc["created_at"] = ts
	}
	if _, ok := doc["updated_at"]; !ok {
		doc["updated_at"] = ts
	}
	return doc, password, nil
}

// ExportUsers writes every user, in the default order, as a JSON array with one user per line.
// The output imports back with ImportUsers. Identity-provider tokens are included; passwords are
// not (they are stored only as hashes).
func (t *Tenant) ExportUsers(ctx context.Context, w io.Writer) error {
	t.mu.RLock()
	recs := make([]*userRec, len(t.st.sorted))
	copy(recs, t.st.sorted)
	t.mu.RUnlock()
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	for i, r := range recs {
		if i&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		bw.Write(r.raw)
	}
	if len(recs) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
