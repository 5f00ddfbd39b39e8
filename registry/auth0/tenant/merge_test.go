package tenant

import (
	"encoding/json"
	"reflect"
	"testing"
)

// mergeTable is the metadata merge rule of PATCH /api/v2/users/{id} (mgmt-api-users.md §7), one
// row per documented behaviour. stored/patch/want are JSON; want "absent" means no metadata.
var mergeTable = []struct {
	name                string
	stored, patch, want string
}{
	{"top-level keys merge", `{"a":1,"b":2}`, `{"b":3,"c":4}`, `{"a":1,"b":3,"c":4}`},
	{"object value replaces, no deep merge", `{"addresses":{"home":{"city":"Paris"}},"x":1}`, `{"addresses":{"work":{"city":"Lyon"}}}`, `{"addresses":{"work":{"city":"Lyon"}},"x":1}`},
	{"to add a nested key resend the whole object", `{"addresses":{"home":"H"}}`, `{"addresses":{"home":"H","work":"W"}}`, `{"addresses":{"home":"H","work":"W"}}`},
	{"null deletes a key", `{"a":1,"b":2}`, `{"a":null}`, `{"b":2}`},
	{"null for a missing key is a no-op", `{"a":1}`, `{"z":null}`, `{"a":1}`},
	{"empty object wipes the metadata", `{"a":1,"b":{"c":2}}`, `{}`, `absent`},
	{"null metadata wipes too", `{"a":1}`, `null`, `absent`},
	{"deleting the last key leaves no metadata", `{"a":1}`, `{"a":null}`, `absent`},
	{"arrays are replaced", `{"roles":["admin","editor"]}`, `{"roles":["editor"]}`, `{"roles":["editor"]}`},
	{"empty array is a value", `{"roles":["admin"]}`, `{"roles":[]}`, `{"roles":[]}`},
	{"nested nulls inside a replaced object are kept", `{"prefs":{"a":1}}`, `{"prefs":{"a":null,"b":2}}`, `{"prefs":{"a":null,"b":2}}`},
	{"merge into missing metadata", `absent`, `{"plan":"gold"}`, `{"plan":"gold"}`},
	{"scalars of any type", `{"n":1}`, `{"n":"one","b":false,"f":1.5}`, `{"n":"one","b":false,"f":1.5}`},
}

func decodeOrNil(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "absent" || s == "null" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMergeMetadata(t *testing.T) {
	for _, tt := range mergeTable {
		t.Run(tt.name, func(t *testing.T) {
			stored := decodeOrNil(t, tt.stored)
			before, _ := json.Marshal(stored)
			got := mergeMetadata(stored, decodeOrNil(t, tt.patch))
			if want := decodeOrNil(t, tt.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("merge(%s, %s) = %v, want %v", tt.stored, tt.patch, got, want)
			}
			if after, _ := json.Marshal(stored); string(after) != string(before) {
				t.Fatal("mergeMetadata modified the stored object")
			}
		})
	}
}

// TestPatchUser_MergeTable runs the same table through PATCH, for both metadata objects, and checks
// the stored result with a fresh GET.
func TestPatchUser_MergeTable(t *testing.T) {
	tn := openTest(t, Options{})
	tok := token(t, tn, "read:users", "update:users")
	const path = "/api/v2/users/auth0%7C6023e8a1f2b3c4006a1d2e3f"
	for _, field := range []string{"app_metadata", "user_metadata"} {
		for _, tt := range mergeTable {
			t.Run(field+"/"+tt.name, func(t *testing.T) {
				// Reset: wipe, then store the starting value.
				expect(t, do(t, tn, "PATCH", path, tok, `{"`+field+`":{}}`), 200, "", "")
				if tt.stored != "absent" {
					expect(t, do(t, tn, "PATCH", path, tok, `{"`+field+`":`+tt.stored+`}`), 200, "", "")
				}
				r := do(t, tn, "PATCH", path, tok, `{"`+field+`":`+tt.patch+`}`)
				expect(t, r, 200, "", "")
				for _, got := range []map[string]any{r.object(t), do(t, tn, "GET", path, tok, nil).object(t)} {
					want := decodeOrNil(t, tt.want)
					v, present := got[field]
					if want == nil {
						if present {
							t.Fatalf("%s = %v, want absent", field, v)
						}
						continue
					}
					gotJSON, _ := json.Marshal(v)
					wantJSON, _ := json.Marshal(want)
					if string(gotJSON) != string(wantJSON) {
						t.Fatalf("%s = %s, want %s", field, gotJSON, wantJSON)
					}
				}
			})
		}
	}
}
