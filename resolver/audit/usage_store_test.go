package audit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// usageFixture records a small, fixed history into a fresh database file and returns its path.
func usageFixture(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "verq.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := newUsageClock()
	u := newTestRecorder(t, db, UsageOptions{Now: clock.Now})
	rec := func(n int, r UsageRecord) {
		for range n {
			u.Record(r)
		}
	}
	rec(3, UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"})
	rec(1, UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "enrich profile", Spec: "auth0@^2", Resolved: "auth0@2.30.0"})
	rec(2, UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "enrich profile", Spec: "lodash/fp", Resolved: "lodash@4.17.21/fp"})
	if err := u.Flush(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(90 * time.Minute)
	if err := u.Flush(); err != nil { // nothing to write; refreshes the clock Record stamps
		t.Fatal(err)
	}
	rec(1, UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"})
	rec(4, UsageRecord{Tenant: "globex", Runtime: "node12", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"})
	rec(2, UsageRecord{Tenant: "globex", Runtime: "node12", Rule: "old-deps", Spec: "auth0@9.9.9",
		Error: `Cannot find module 'auth0@9.9.9': version 9.9.9 is not in catalog "node12" (allowed: 2.9.1)`})
	rec(1, UsageRecord{Tenant: "globex", Runtime: "node12", Rule: "", Spec: "url", Resolved: "url"})
	rec(1, UsageRecord{Tenant: "globex", Runtime: "node12", Rule: "scoped", Spec: "@auth0/rule-utilities@0.2.0/x",
		Resolved: "@auth0/rule-utilities@0.2.0/x"})
	rec(1, UsageRecord{Tenant: "globex", Runtime: "node12", Rule: "weird", Spec: "../etc/passwd", Error: "Cannot find module '../etc/passwd': paths are not allowed"})
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadUsage_Filters(t *testing.T) {
	db := openUsageDB(t, usageFixture(t), true)
	type key struct{ tenant, rule, spec string }
	keysOf := func(rows []UsageRow) []key {
		var ks []key
		for _, r := range rows {
			ks = append(ks, key{r.Tenant, r.Rule, r.Spec})
		}
		return ks
	}
	tests := []struct {
		name   string
		filter UsageFilter
		want   []key
	}{
		{"all, sorted by module, version, runtime, tenant, rule", UsageFilter{}, []key{
			{"globex", "weird", "../etc/passwd"},
			{"globex", "scoped", "@auth0/rule-utilities@0.2.0/x"},
			{"globex", "add-roles", "auth0@2.9.1"},
			{"acme", "add-roles", "auth0@2.9.1"},
			{"acme", "enrich profile", "auth0@^2"},
			{"globex", "old-deps", "auth0@9.9.9"},
			{"acme", "enrich profile", "lodash/fp"},
			{"globex", "", "url"},
		}},
		{"tenant", UsageFilter{Tenant: "acme"}, []key{
			{"acme", "add-roles", "auth0@2.9.1"}, {"acme", "enrich profile", "auth0@^2"}, {"acme", "enrich profile", "lodash/fp"}}},
		{"rule", UsageFilter{Rule: "add-roles"}, []key{{"globex", "add-roles", "auth0@2.9.1"}, {"acme", "add-roles", "auth0@2.9.1"}}},
		{"runtime", UsageFilter{Runtime: "node18"}, []key{
			{"acme", "add-roles", "auth0@2.9.1"}, {"acme", "enrich profile", "auth0@^2"}, {"acme", "enrich profile", "lodash/fp"}}},
		{"module: versions in semantic order, failures last", UsageFilter{Module: "auth0"}, []key{
			{"globex", "add-roles", "auth0@2.9.1"}, {"acme", "add-roles", "auth0@2.9.1"}, {"acme", "enrich profile", "auth0@^2"},
			{"globex", "old-deps", "auth0@9.9.9"}}},
		{"module and version", UsageFilter{Module: "auth0", Version: "2.9.1"}, []key{
			{"globex", "add-roles", "auth0@2.9.1"}, {"acme", "add-roles", "auth0@2.9.1"}}},
		{"module and runtime", UsageFilter{Module: "auth0", Runtime: "node18"}, []key{
			{"acme", "add-roles", "auth0@2.9.1"}, {"acme", "enrich profile", "auth0@^2"}}},
		{"scoped module", UsageFilter{Module: "@auth0/rule-utilities", Version: "0.2.0"}, []key{{"globex", "scoped", "@auth0/rule-utilities@0.2.0/x"}}},
		{"core module", UsageFilter{Module: "url"}, []key{{"globex", "", "url"}}},
		{"module prefix is not a match", UsageFilter{Module: "auth"}, nil},
		{"no match", UsageFilter{Tenant: "initech"}, nil},
		{"every filter", UsageFilter{Tenant: "acme", Runtime: "node18", Rule: "enrich profile", Module: "lodash", Version: "4.17.21"}, []key{
			{"acme", "enrich profile", "lodash/fp"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ReadUsage(db, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(rows); !slices.Equal(got, tt.want) {
				t.Errorf("rows = %v\nwant   %v", got, tt.want)
			}
		})
	}
	if _, err := ReadUsage(db, UsageFilter{Version: "2.9.1"}); err == nil {
		t.Error("a version without a module was accepted")
	}
}

func TestReadUsage_Aggregates(t *testing.T) {
	db := openUsageDB(t, usageFixture(t), true)
	rows, err := ReadUsage(db, UsageFilter{Module: "auth0", Version: "2.9.1", Tenant: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	start := newUsageClock().Now()
	want := []UsageRow{{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1",
		Module: "auth0", Version: "2.9.1", Count: 4, FirstSeen: start, LastSeen: start.Add(90 * time.Minute)}}
	if !slices.Equal(rows, want) {
		t.Errorf("rows = %+v\nwant   %+v", rows, want)
	}
	failed := rowOf(t, readAll(t, db), "globex", "old-deps", "auth0@9.9.9")
	if failed.Count != 2 || failed.Errors != 2 || failed.Resolved != "" || failed.Module != "auth0" || failed.Version != "" || failed.LastError == "" {
		t.Errorf("failed require row = %+v", failed)
	}
}

func TestReadUsage_EmptyAndForeignDatabases(t *testing.T) {
	// A database no recorder ever wrote, opened read-only: no rows, no error.
	path := filepath.Join(t.TempDir(), "verq.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if rows, err := ReadUsage(openUsageDB(t, path, true), UsageFilter{}); err != nil || len(rows) != 0 {
		t.Errorf("ReadUsage(empty) = %v, %v", rows, err)
	}

	// A newer layout is refused by readers and writers alike.
	newer := openUsageDB(t, "", false)
	if err := newer.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket(bucketUsageMeta)
		if err != nil {
			return err
		}
		return b.Put(keyUsageSchema, binary.BigEndian.AppendUint64(nil, usageSchema+1))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadUsage(newer, UsageFilter{}); !errors.Is(err, ErrUsageSchema) {
		t.Errorf("ReadUsage(newer schema) = %v, want ErrUsageSchema", err)
	}
	if _, err := NewUsageRecorder(newer, UsageOptions{}); !errors.Is(err, ErrUsageSchema) {
		t.Errorf("NewUsageRecorder(newer schema) = %v, want ErrUsageSchema", err)
	}

	// A damaged key is reported, not skipped.
	damaged := openUsageDB(t, "", false)
	newTestRecorder(t, damaged, UsageOptions{})
	if err := damaged.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketUsage).Put([]byte{0x7f}, make([]byte, usageValueSize))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadUsage(damaged, UsageFilter{}); err == nil {
		t.Error("a damaged key was read without an error")
	}
}

func TestUsageBuckets_Prefixed(t *testing.T) {
	for _, b := range UsageBuckets() {
		if !bytes.HasPrefix([]byte(b), []byte("usage.")) {
			t.Errorf("bucket %q is not prefixed usage.", b)
		}
	}
}

func TestUsageModule(t *testing.T) {
	tests := []struct{ spec, resolved, module, version string }{
		{"auth0@2.9.1", "auth0@2.9.1", "auth0", "2.9.1"},
		{"auth0", "auth0@2.30.0", "auth0", "2.30.0"},
		{"lodash/fp", "lodash@4.17.21/fp", "lodash", "4.17.21"},
		{"@auth0/rule-utilities@0.2.0/a/b", "@auth0/rule-utilities@0.2.0/a/b", "@auth0/rule-utilities", "0.2.0"},
		{"@auth0/rule-utilities", "@auth0/rule-utilities@0.2.0", "@auth0/rule-utilities", "0.2.0"},
		{"url", "url", "url", ""},
		{"assert/strict", "assert/strict", "assert/strict", ""},
		{"auth0@9.9.9", "", "auth0", ""},
		{"@scope/x@^1", "", "@scope/x", ""},
		{"lodash/fp", "", "lodash", ""},
		{"../etc/passwd", "", "", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		if m, v := usageModule(tt.spec, tt.resolved); m != tt.module || v != tt.version {
			t.Errorf("usageModule(%q, %q) = %q, %q; want %q, %q", tt.spec, tt.resolved, m, v, tt.module, tt.version)
		}
	}
}

func TestParseUsageModule(t *testing.T) {
	tests := []struct {
		in, module, version string
		ok                  bool
	}{
		{"auth0", "auth0", "", true},
		{"auth0@2.9.1", "auth0", "2.9.1", true},
		{"@auth0/rule-utilities", "@auth0/rule-utilities", "", true},
		{"@auth0/rule-utilities@0.2.0", "@auth0/rule-utilities", "0.2.0", true},
		{"assert/strict", "assert/strict", "", true},
		{"", "", "", false},
		{"auth0@", "", "", false},
		{"auth0@1@2", "", "", false},
		{"auth0 2.9.1", "", "", false},
	}
	for _, tt := range tests {
		m, v, err := ParseUsageModule(tt.in)
		if (err == nil) != tt.ok || m != tt.module || v != tt.version {
			t.Errorf("ParseUsageModule(%q) = %q, %q, %v", tt.in, m, v, err)
		}
	}
}

func FuzzUsageKey(f *testing.F) {
	f.Add("acme", "node18", "add-roles", "auth0@2.9.1", "auth0@2.9.1")
	f.Add("", "", "", "@a/b@1.0.0/c", "")
	f.Add("t", "r", "rule\x00name", "url", "url")
	f.Fuzz(func(t *testing.T, tenant, runtime, rule, spec, resolved string) {
		k := usageKey{tenant, runtime, rule, spec, resolved}
		f, err := decodeUsageKey(usageStoreKey(k))
		if err != nil {
			t.Fatal(err)
		}
		module, version := usageModule(spec, resolved)
		if f != [6]string{module, runtime, tenant, rule, spec, resolved} {
			t.Fatalf("round trip of %+v gave %q", k, f)
		}
		if resolved != "" && version != "" && resolved[:len(module)] != module {
			t.Fatalf("module %q is not a prefix of %q", module, resolved)
		}
		_, _ = decodeUsageKey([]byte(tenant)) // arbitrary bytes: an error, never a panic
		_, _, _ = ParseUsageModule(spec)
	})
}
