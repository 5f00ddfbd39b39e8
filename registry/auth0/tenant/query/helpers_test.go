package query

import (
	"strings"
	"testing"
	"time"
)

func ms(t *testing.T, s string) int64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UnixMilli()
}

// mapDoc is a Document over a map of field paths to values, with intermediate object paths
// registered as existing.
type mapDoc map[string][]Value

func (d mapDoc) Values(f string) []Value { return d[f] }

func (d mapDoc) Exists(f string) bool {
	if _, ok := d[f]; ok {
		return true
	}
	for k := range d {
		if strings.HasPrefix(k, f+".") {
			return true
		}
	}
	return false
}

func text(s ...string) []Value {
	out := make([]Value, len(s))
	for i, x := range s {
		out[i] = Value{Kind: Text, S: x}
	}
	return out
}

func num(n float64) []Value { return []Value{{Kind: Number, N: n}} }

func boolean(b bool) []Value { return []Value{{Kind: Bool, B: b}} }

func date(t *testing.T, s string) []Value { return []Value{{Kind: Date, N: float64(ms(t, s))}} }

// userSchema mirrors the Management API's user fields.
func userSchema(name string) Field {
	switch name {
	case "email", "name", "given_name", "family_name", "nickname", "email.domain":
		return Field{Kind: Text, Fold: true}
	case "user_id", "username", "phone_number", "last_ip", "picture":
		return Field{Kind: Text}
	case "logins_count":
		return Field{Kind: Number}
	case "email_verified", "phone_verified", "blocked":
		return Field{Kind: Bool}
	case "created_at", "updated_at", "last_login":
		return Field{Kind: Date}
	}
	if strings.HasPrefix(name, "app_metadata.") || strings.HasPrefix(name, "user_metadata.") {
		return Field{NoWildcard: true, NoRange: true}
	}
	return Field{}
}

var defaultFields = []string{"user_id", "email", "name", "nickname", "given_name", "family_name", "username"}
