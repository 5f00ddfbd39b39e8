package tenant

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// GetUser returns one user (without identity-provider tokens), or an error matching ErrNotFound.
func (t *Tenant) GetUser(ctx context.Context, id string) (User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := t.user(id)
	if r == nil {
		return nil, errUserNotFound()
	}
	return cloneUser(r.view(false)), nil
}

func (t *Tenant) user(id string) *userRec {
	t.mu.RLock()
	r := t.st.users[id]
	t.mu.RUnlock()
	return r
}

// usersByEmail returns the users whose email is exactly email (case-sensitive, as the API).
func (t *Tenant) usersByEmail(email string) []*userRec {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []*userRec
	for _, r := range t.st.byEmail[strings.ToLower(email)] {
		if e, _ := r.doc["email"].(string); e == email {
			out = append(out, r)
		}
	}
	return out
}

// cloneUser deep-copies a document so callers may modify it.
func cloneUser(doc map[string]any) User {
	return User(deepCopy(doc).(map[string]any))
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

var createUserSchema = payloadSchema{
	"connection": tString, "email": tString, "phone_number": tString, "user_metadata": tObject,
	"blocked": tBool, "email_verified": tBool, "phone_verified": tBool, "app_metadata": tObject,
	"given_name": tString, "family_name": tString, "name": tString, "nickname": tString,
	"picture": tString, "user_id": tString, "password": tString, "verify_email": tBool, "username": tString,
}

// createUser implements POST /users.
func (t *Tenant) createUser(ctx context.Context, body map[string]any) (*userRec, error) {
	if e := createUserSchema.check(body, nil); e != nil {
		return nil, e
	}
	connName, _ := body["connection"].(string)
	if connName == "" {
		return nil, invalidBody("Payload validation error: 'Missing required property: connection'.")
	}
	conn, ok := findConnection(connName)
	if !ok {
		return nil, invalidBody("Connection does not exist. (This tenant has: %s.)", connectionNames(connDatabase, connEmail, connSMS, connSocial))
	}
	if conn.kind == connSocial {
		return nil, invalidBody("Connection does not support user creation through the API. It must either be a database or passwordless connection. (Use %s.)", connectionNames(connDatabase, connEmail, connSMS))
	}
	str := func(k string) string { s, _ := body[k].(string); return s }
	email, phone, password := strings.ToLower(str("email")), str("phone_number"), str("password")
	if _, ok := body["username"]; ok {
		return nil, invalidBody("Cannot set username for connection without requires_username.")
	}
	switch conn.kind {
	case connDatabase:
		if email == "" {
			return nil, invalidBody("Payload validation error: 'Missing required property: email'.")
		}
		if password == "" {
			return nil, invalidBody("Payload validation error: 'Missing required property: password'.")
		}
		if e := checkPasswordStrength(password); e != nil {
			return nil, e
		}
	case connEmail:
		if email == "" {
			return nil, invalidBody("Payload validation error: 'Missing required property: email'.")
		}
	case connSMS:
		if phone == "" {
			return nil, invalidBody("Payload validation error: 'Missing required property: phone_number'.")
		}
	}
	if password != "" && conn.kind != connDatabase {
		return nil, invalidBody("Cannot set password for a passwordless connection.")
	}
	if email != "" && !validEmail(email) {
		return nil, payloadError("email", "Object didn't pass validation for format email: %s", str("email"))
	}
	if phone != "" && !validPhone(phone) {
		return nil, payloadError("phone_number", "String does not match pattern ^\\+[0-9]{1,15}$: %s", phone)
	}
	for _, k := range []string{"app_metadata", "user_metadata"} {
		if m, ok := body[k].(map[string]any); ok {
			if e := checkMetadata(k, m); e != nil {
				return nil, e
			}
		}
	}
	localID := str("user_id")
	if localID == "" {
		localID = objectID(t.now())
	} else if len(localID) > 255 {
		return nil, payloadError("user_id", "String is too long (%d chars), maximum 255", len(localID))
	}
	id := conn.provider + "|" + localID
	now := timestamp(t.now())
	doc := map[string]any{
		"user_id":    id,
		"created_at": now,
		"updated_at": now,
		"identities": []any{map[string]any{"connection": conn.name, "user_id": localID, "provider": conn.provider, "isSocial": false}},
	}
	if email != "" {
		doc["email"] = email
		doc["email_verified"] = false
	}
	if phone != "" {
		doc["phone_number"] = phone
		doc["phone_verified"] = false
	}
	for _, k := range []string{"email_verified", "phone_verified", "blocked", "given_name", "family_name", "name", "nickname", "picture"} {
		if v, ok := body[k]; ok {
			doc[k] = v
		}
	}
	for _, k := range []string{"app_metadata", "user_metadata"} {
		if m, ok := body[k].(map[string]any); ok && len(m) > 0 {
			doc[k] = m
		}
	}
	defaultProfile(doc, email, phone)
	var hash string
	if password != "" {
		var err error
		if hash, err = hashPassword(password); err != nil {
			return nil, err
		}
	}
	rec, err := newUserRec(doc, nil, t.fields)
	if err != nil {
		return nil, err
	}
	keys := []string{"u:" + id}
	if email != "" {
		keys = append(keys, "e:"+email)
	}
	if phone != "" {
		keys = append(keys, "p:"+phone)
	}
	_, err = t.write(ctx, keys, false, func(s *state) (*change, error) {
		if _, ok := s.users[id]; ok {
			return nil, errUserExists()
		}
		if email != "" && s.emailTaken(email, conn.name, "") != nil {
			return nil, errUserExists()
		}
		if phone != "" && conn.kind == connSMS && s.phoneTaken(phone, conn.name, "") != nil {
			return nil, errUserExists()
		}
		puts := []kv{put(bucketUsers, id, rec.raw)}
		if hash != "" {
			puts = append(puts, put(bucketPasswords, id, []byte(hash)))
		}
		return &change{puts: puts, apply: func(s *state) { s.putUser(rec) }}, nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// defaultProfile fills name, nickname and picture the way the service does for new users.
func defaultProfile(doc map[string]any, email, phone string) {
	handle := phone
	if email != "" {
		handle = email
	}
	if _, ok := doc["name"]; !ok && handle != "" {
		doc["name"] = handle
	}
	if _, ok := doc["nickname"]; !ok && handle != "" {
		nick, _, _ := strings.Cut(handle, "@")
		doc["nickname"] = nick
	}
	if _, ok := doc["picture"]; !ok {
		initials := "default"
		if n, _ := doc["nickname"].(string); len(n) >= 2 {
			initials = strings.ToLower(n[:2])
		}
		sum := md5.Sum([]byte(email))
		doc["picture"] = "https://s.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) +
			"?s=480&r=pg&d=" + url.QueryEscape("https://cdn.auth0.com/avatars/"+initials+".png")
	}
}

var patchUserSchema = payloadSchema{
	"app_metadata": tObject, "blocked": tBool, "email": tString, "email_verified": tBool,
	"family_name": tString, "given_name": tString, "name": tString, "nickname": tString,
	"password": tString, "phone_number": tString, "phone_verified": tBool, "picture": tString,
	"username": tString, "user_metadata": tObject, "verify_email": tBool, "connection": tString,
	"client_id": tString, "verify_phone_number": tBool, "verify_password": tBool,
}

// patchNullable are the properties PATCH may set to null (to unset them).
var patchNullable = map[string]bool{
	"app_metadata": true, "user_metadata": true, "blocked": true, "family_name": true, "given_name": true,
	"name": true, "nickname": true, "phone_number": true, "picture": true, "username": true,
}

// validatePatch checks a PATCH body on its own (before looking at the stored user).
func validatePatch(body map[string]any) *Error {
	if len(body) == 0 {
		return invalidBody("Payload validation error: 'Too few properties defined (0), minimum 1'.")
	}
	if e := patchUserSchema.check(body, patchNullable); e != nil {
		return e
	}
	has := func(k string) bool { _, ok := body[k]; return ok }
	for _, pair := range [][2]string{{"password", "email"}, {"password", "email_verified"}, {"username", "email"}, {"username", "email_verified"}, {"username", "password"}} {
		if has(pair[0]) && has(pair[1]) {
			return invalidBody("Cannot update %s and %s simultaneously.", pair[0], pair[1])
		}
	}
	if e, ok := body["email"].(string); ok && !validEmail(e) {
		return payloadError("email", "Object didn't pass validation for format email: %s", e)
	}
	if p, ok := body["phone_number"].(string); ok && !validPhone(p) {
		return payloadError("phone_number", "String does not match pattern ^\\+[0-9]{1,15}$: %s", p)
	}
	if p, ok := body["password"].(string); ok {
		if e := checkPasswordStrength(p); e != nil {
			return e
		}
	}
	for _, k := range []string{"app_metadata", "user_metadata"} {
		if m, ok := body[k].(map[string]any); ok {
			if e := checkMetadata(k, m); e != nil {
				return e
			}
		}
	}
	return nil
}

// applyPatch computes the patched document of cur. It does not check uniqueness.
func applyPatch(cur *userRec, body map[string]any, now string) (map[string]any, *Error) {
	kind := kindOfUser(cur)
	if c, ok := body["connection"].(string); ok && !hasIdentity(cur.doc, c) {
		return nil, invalidBody("Connection does not exist. (The user has no identity in connection %q.)", c)
	}
	if _, ok := body["email"]; ok && kind != connDatabase && kind != connEmail {
		return nil, invalidBody("Cannot update email for non-database user.")
	}
	if _, ok := body["password"]; ok && kind != connDatabase {
		return nil, invalidBody("Cannot update password for non-database user.")
	}
	if _, ok := body["username"]; ok && cur.username == "" {
		return nil, invalidBody("Cannot set username for connection without requires_username.")
	}
	doc := make(map[string]any, len(cur.doc)+2)
	for k, v := range cur.doc {
		doc[k] = v
	}
	for k, v := range body {
		switch k {
		case "app_metadata", "user_metadata":
			patch, _ := v.(map[string]any) // null wipes, like {}
			stored, _ := doc[k].(map[string]any)
			if merged := mergeMetadata(stored, patch); merged != nil {
				doc[k] = merged
			} else {
				delete(doc, k)
			}
		case "password", "verify_email", "verify_phone_number", "verify_password", "connection", "client_id":
			// Not profile attributes: the password is stored apart; no email or SMS is sent.
		case "email":
			doc["email"] = strings.ToLower(v.(string))
			if _, set := body["email_verified"]; !set {
				doc["email_verified"] = false
			}
		default:
			if v == nil {
				delete(doc, k)
			} else {
				doc[k] = v
			}
		}
	}
	doc["updated_at"] = now
	return doc, nil
}

func hasIdentity(doc map[string]any, conn string) bool {
	ids, _ := doc["identities"].([]any)
	for _, x := range ids {
		if m, ok := x.(map[string]any); ok && m["connection"] == conn {
			return true
		}
	}
	return false
}

// patchUser implements PATCH /users/{id}.
func (t *Tenant) patchUser(ctx context.Context, id string, body map[string]any) (*userRec, error) {
	if e := validatePatch(body); e != nil {
		return nil, e
	}
	var hash string
	if p, ok := body["password"].(string); ok {
		var err error
		if hash, err = hashPassword(p); err != nil {
			return nil, err
		}
	}
	keys := []string{"u:" + id}
	if e, ok := body["email"].(string); ok {
		keys = append(keys, "e:"+strings.ToLower(e))
	}
	if p, ok := body["phone_number"].(string); ok {
		keys = append(keys, "p:"+p)
	}
	if u, ok := body["username"].(string); ok {
		keys = append(keys, "n:"+u)
	}
	res, err := t.write(ctx, keys, false, func(s *state) (*change, error) {
		cur := s.users[id]
		if cur == nil {
			return nil, errUserNotFound()
		}
		doc, e := applyPatch(cur, body, timestamp(t.now()))
		if e != nil {
			return nil, e
		}
		if em, ok := body["email"].(string); ok && s.emailTaken(em, cur.conn, id) != nil {
			return nil, apiError(http.StatusConflict, "auth0_idp_error", "The specified new email already exists")
		}
		if p, ok := body["phone_number"].(string); ok && kindOfUser(cur) == connSMS && s.phoneTaken(p, cur.conn, id) != nil {
			return nil, apiError(http.StatusConflict, "auth0_idp_error", "The specified new phone_number already exists")
		}
		if u, ok := body["username"].(string); ok && s.usernameTaken(u, cur.conn, id) != nil {
			return nil, apiError(http.StatusConflict, "auth0_idp_error", "The specified new username already exists")
		}
		rec, err := newUserRec(doc, nil, t.fields)
		if err != nil {
			return nil, err
		}
		puts := []kv{put(bucketUsers, id, rec.raw)}
		if hash != "" {
			puts = append(puts, put(bucketPasswords, id, []byte(hash)))
		}
		return &change{puts: puts, apply: func(s *state) { s.putUser(rec) }, result: rec}, nil
	})
	if err != nil {
		return nil, err
	}
	return res.(*userRec), nil
}

// deleteUser implements DELETE /users/{id}: the user, its roles and password go. Deleting a user
// that does not exist succeeds (the API answers 204 and documents no 404).
func (t *Tenant) deleteUser(ctx context.Context, id string) error {
	_, err := t.write(ctx, []string{"u:" + id}, false, func(s *state) (*change, error) {
		if _, ok := s.users[id]; !ok {
			return nil, nil
		}
		return &change{
			puts:  []kv{del(bucketUsers, id), del(bucketUserRoles, id), del(bucketPasswords, id)},
			apply: func(s *state) { s.removeUser(id) },
		}, nil
	})
	return err
}
