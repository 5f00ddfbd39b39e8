package query

import (
	"strings"
	"sync"
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

var (
	idsMu   sync.Mutex
	testIDs = map[string]int{}
)

// fieldID interns a field name for the test documents and schema.
func fieldID(name string) int {
	idsMu.Lock()
	defer idsMu.Unlock()
	if id, ok := testIDs[name]; ok {
		return id
	}
	id := len(testIDs)
	testIDs[name] = id
	return id
}

// mapDoc is a Document over field IDs.
type mapDoc map[int][]Value

func (d mapDoc) Values(f int) []Value { return d[f] }

func (d mapDoc) Exists(f int) bool { _, ok := d[f]; return ok }

// doc builds a mapDoc from field paths, registering every parent path ("a.b" for "a.b.c") as an
// existing object, as a real document does.
func doc(m map[string][]Value) mapDoc {
	out := mapDoc{}
	for k, v := range m {
		out[fieldID(k)] = append(out[fieldID(k)], v...)
		for i := range k {
			if k[i] == '.' {
				if _, ok := out[fieldID(k[:i])]; !ok {
					out[fieldID(k[:i])] = nil
				}
			}
		}
	}
	return out
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
	f := userField(name)
	f.ID = fieldID(name)
	return f
}

func userField(name string) Field {
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
