package audit

import (
	"path/filepath"
	"strconv"
	"testing"

	"go.etcd.io/bbolt"
)

func benchRecorder(b *testing.B) *UsageRecorder {
	b.Helper()
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "usage.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	u, err := NewUsageRecorder(db, UsageOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// benchRecords are the requires of a few rules of one tenant, as the sandbox reports them.
func benchRecords() []UsageRecord {
	var rs []UsageRecord
	for i := range 8 {
		rs = append(rs, UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "rule-" + strconv.Itoa(i), Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"})
	}
	return rs
}

// BenchmarkUsageRecord records a key the recorder already holds: the steady state of a server.
func BenchmarkUsageRecord(b *testing.B) {
	u := benchRecorder(b)
	rs := benchRecords()
	for _, r := range rs {
		u.Record(r)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u.Record(rs[i&7])
		i++
	}
}

// BenchmarkUsageRecord_Parallel records from every P, all goroutines on the same few keys.
func BenchmarkUsageRecord_Parallel(b *testing.B) {
	u := benchRecorder(b)
	rs := benchRecords()
	for _, r := range rs {
		u.Record(r)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			u.Record(rs[i&7])
			i++
		}
	})
}

// BenchmarkUsageFlush flushes 1,000 keys that each saw calls since the previous flush: one bbolt
// transaction merging 1,000 stored aggregates (and one fsync).
func BenchmarkUsageFlush(b *testing.B) {
	u := benchRecorder(b)
	var rs []UsageRecord
	for i := range 1000 {
		rs = append(rs, UsageRecord{Tenant: "t" + strconv.Itoa(i%50), Runtime: "node18", Rule: "rule-" + strconv.Itoa(i), Spec: "auth0@^2", Resolved: "auth0@2.30.0"})
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for _, r := range rs {
			u.Record(r)
		}
		b.StartTimer()
		if err := u.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
