package tenant

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/verq/verq/registry/auth0/tenant/query"
)

// fieldTable interns the field paths of user documents ("email", "app_metadata.plan", …) as small
// integers, so that matching a query against a user is a binary search over a compact array
// instead of string-keyed map lookups. It only grows; it is safe for concurrent use.
type fieldTable struct {
	mu  sync.RWMutex
	ids map[string]int32
}

func newFieldTable() *fieldTable { return &fieldTable{ids: map[string]int32{}} }

// lookup returns the id of a known path, or -1.
func (f *fieldTable) lookup(name string) int {
	f.mu.RLock()
	id, ok := f.ids[name]
	f.mu.RUnlock()
	if !ok {
		return -1
	}
	return int(id)
}

// intern returns the id of name, assigning one if needed.
func (f *fieldTable) intern(name string) int32 {
	f.mu.RLock()
	id, ok := f.ids[name]
	f.mu.RUnlock()
	if ok {
		return id
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.ids[name]; ok {
		return id
	}
	id = int32(len(f.ids))
	f.ids[name] = id
	return id
}

// schema is the query.Schema of users: the field kinds of v3 search, with interned ids.
func (f *fieldTable) schema(name string) query.Field {
	fd := userField(name)
	fd.ID = f.lookup(name)
	return fd
}

// searchDoc is a user flattened for v3 search: field paths (arrays ignored, objects joined with
// '.') to values, as entries sorted by field id. Non-empty objects have an entry with no values,
// so _exists_ sees them.
type searchDoc struct {
	entries []docEntry
	vals    []query.Value
}

type docEntry struct {
	id     int32
	lo, hi uint32 // vals[lo:hi]
}

func (d *searchDoc) find(id int) (docEntry, bool) {
	if id < 0 {
		return docEntry{}, false
	}
	i, ok := slices.BinarySearchFunc(d.entries, int32(id), func(e docEntry, t int32) int { return int(e.id - t) })
	if !ok {
		return docEntry{}, false
	}
	return d.entries[i], true
}

// Values implements query.Document.
func (d *searchDoc) Values(id int) []query.Value {
	e, ok := d.find(id)
	if !ok {
		return nil
	}
	return d.vals[e.lo:e.hi]
}

// Exists implements query.Document.
func (d *searchDoc) Exists(id int) bool {
	_, ok := d.find(id)
	return ok
}

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

// userField gives the kind of a user field in v3 search (without its id).
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

// docBuilder collects a document's values before they are laid out.
type docBuilder struct {
	f     *fieldTable
	pairs []idValue
}

// idValue is one value of a field; present-only entries (non-empty objects) have object set.
type idValue struct {
	id     int32
	object bool
	v      query.Value
}

// build flattens a user into its search document.
func (f *fieldTable) build(doc map[string]any) *searchDoc {
	b := &docBuilder{f: f, pairs: make([]idValue, 0, len(doc)+16)}
	for k, v := range doc {
		b.add(k, v)
	}
	if e, ok := doc["email"].(string); ok {
		if i := strings.LastIndexByte(e, '@'); i >= 0 && i < len(e)-1 {
			b.put("email.domain", query.Value{Kind: query.Text, S: strings.ToLower(e[i+1:])})
		}
	}
	slices.SortStableFunc(b.pairs, func(a, c idValue) int { return int(a.id - c.id) })
	d := &searchDoc{vals: make([]query.Value, 0, len(b.pairs))}
	for i := 0; i < len(b.pairs); {
		j := i
		lo := uint32(len(d.vals))
		for ; j < len(b.pairs) && b.pairs[j].id == b.pairs[i].id; j++ {
			if !b.pairs[j].object {
				d.vals = append(d.vals, b.pairs[j].v)
			}
		}
		d.entries = append(d.entries, docEntry{id: b.pairs[i].id, lo: lo, hi: uint32(len(d.vals))})
		i = j
	}
	return d
}

// mark registers path as present (an object) without a value.
func (b *docBuilder) mark(path string) {
	b.pairs = append(b.pairs, idValue{id: b.f.intern(path), object: true})
}

func (b *docBuilder) put(path string, v query.Value) {
	b.pairs = append(b.pairs, idValue{id: b.f.intern(path), v: v})
}

func (b *docBuilder) add(path string, v any) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		if len(x) == 0 {
			return
		}
		b.mark(path)
		for k, sub := range x {
			if path == "identities" && (k == "access_token" || k == "refresh_token" || k == "access_token_secret") {
				continue
			}
			b.add(path+"."+k, sub)
		}
	case []any:
		for _, e := range x {
			b.add(path, e)
		}
	default:
		if val, ok := scalarValue(path, x); ok {
			b.put(path, val)
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
