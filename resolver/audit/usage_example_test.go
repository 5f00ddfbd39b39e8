package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/resolver/audit"
)

// A recorder counts the requires of each execution (here written by hand; a server passes each
// sandbox Result's Requires) and flushes them to the database that ReadUsage reads.
func ExampleUsageRecorder() {
	dir, _ := os.MkdirTemp("", "usage-example")
	defer os.RemoveAll(dir)
	db, err := bbolt.Open(filepath.Join(dir, "verq.db"), 0o600, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	now := func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	rec, err := audit.NewUsageRecorder(db, audit.UsageOptions{Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 3 {
		rec.Record(audit.UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@^2", Resolved: "auth0@2.30.0"})
	}
	rec.Record(audit.UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "legacy", Spec: "auth0@9.9.9",
		Error: "Cannot find module 'auth0@9.9.9': version 9.9.9 is not in catalog \"node18\""})
	if err := rec.Close(); err != nil { // flushes
		fmt.Println(err)
		return
	}

	rows, err := audit.ReadUsage(db, audit.UsageFilter{Module: "auth0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Printf("%s %q -> %q: %d calls, %d failed\n", r.Rule, r.Spec, r.Resolved, r.Count, r.Errors)
	}
	// Output:
	// add-roles "auth0@^2" -> "auth0@2.30.0": 3 calls, 0 failed
	// legacy "auth0@9.9.9" -> "": 1 calls, 1 failed
}
