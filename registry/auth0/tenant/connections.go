package tenant

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
)

// connKind says how users of a connection are created and updated.
type connKind uint8

const (
	connDatabase connKind = iota + 1
	connEmail             // passwordless email
	connSMS               // passwordless SMS
	connSocial            // users come from the identity provider, never from the API
)

// connection is one of the local tenant's fixed connections.
type connection struct {
	name     string
	provider string
	kind     connKind
}

// connections are the local tenant's connections: the default database, the two passwordless
// connections and the common social ones (which exist so imported and seeded social users have a
// home; the API cannot create users in them, as in the real service).
var connections = []connection{
	{"Username-Password-Authentication", "auth0", connDatabase},
	{"email", "email", connEmail},
	{"sms", "sms", connSMS},
	{"google-oauth2", "google-oauth2", connSocial},
	{"github", "github", connSocial},
	{"facebook", "facebook", connSocial},
	{"apple", "apple", connSocial},
	{"windowslive", "windowslive", connSocial},
	{"linkedin", "linkedin", connSocial},
	{"twitter", "twitter", connSocial},
}

func findConnection(name string) (connection, bool) {
	for _, c := range connections {
		if c.name == name {
			return c, true
		}
	}
	return connection{}, false
}

func connectionNames(kinds ...connKind) string {
	var names []string
	for _, c := range connections {
		for _, k := range kinds {
			if c.kind == k {
				names = append(names, c.name)
			}
		}
	}
	return strings.Join(names, ", ")
}

// kindOfUser classifies a stored user by its primary identity.
func kindOfUser(r *userRec) connKind {
	if c, ok := findConnection(r.conn); ok {
		return c.kind
	}
	ids, _ := r.doc["identities"].([]any)
	if len(ids) > 0 {
		if m, ok := ids[0].(map[string]any); ok {
			if social, _ := m["isSocial"].(bool); social {
				return connSocial
			}
			if p, _ := m["provider"].(string); p == "auth0" {
				return connDatabase
			}
		}
	}
	return connSocial
}

// checkPasswordStrength applies the "fair" policy: at least 8 characters with lower-case,
// upper-case letters and digits.
func checkPasswordStrength(p string) *Error {
	var lower, upper, digit bool
	for _, r := range p {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	if len([]rune(p)) < 8 || !lower || !upper || !digit {
		return invalidBody("PasswordStrengthError: Password is too weak (use at least 8 characters with lower-case and upper-case letters and digits).")
	}
	return nil
}

const pbkdf2Iterations = 25000

// hashPassword returns a salted PBKDF2-SHA256 hash: pbkdf2-sha256$<iterations>$<salt>$<key>.
func hashPassword(p string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, p, salt, pbkdf2Iterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pbkdf2Iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}
