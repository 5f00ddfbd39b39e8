package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// usageClock is a settable clock for UsageOptions.Now.
type usageClock struct {
	mu sync.Mutex
	t  time.Time
}

func newUsageClock() *usageClock {
	return &usageClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *usageClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *usageClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openUsageDB opens a bbolt file in dir (a fresh temporary directory when dir is "").
func openUsageDB(t testing.TB, path string, readOnly bool) *bbolt.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "verq.db")
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: readOnly, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newTestRecorder(t testing.TB, db *bbolt.DB, opts UsageOptions) *UsageRecorder {
	t.Helper()
	u, err := NewUsageRecorder(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readAll(t testing.TB, db *bbolt.DB) []UsageRow {
	t.Helper()
	rows, err := ReadUsage(db, UsageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// rowOf finds the row of (tenant, rule, spec); it fails the test when there is none.
func rowOf(t testing.TB, rows []UsageRow, tenant, rule, spec string) UsageRow {
	t.Helper()
	for _, r := range rows {
		if r.Tenant == tenant && r.Rule == rule && r.Spec == spec {
			return r
		}
	}
	t.Fatalf("no row for %s/%s/%s in %+v", tenant, rule, spec, rows)
	return UsageRow{}
}

func TestNewUsageRecorder_Errors(t *testing.T) {
	if _, err := NewUsageRecorder(nil, UsageOptions{}); err == nil {
		t.Error("NewUsageRecorder(nil) succeeded")
	}
	path := filepath.Join(t.TempDir(), "verq.db")
	rw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	rw.Close()
	ro := openUsageDB(t, path, true)
	if _, err := NewUsageRecorder(ro, UsageOptions{}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("NewUsageRecorder(read-only) = %v, want a read-only error", err)
	}
	if _, err := NewUsageRecorder(openUsageDB(t, "", false), UsageOptions{MaxKeys: -1}); err == nil {
		t.Error("negative MaxKeys accepted")
	}
}

// TestUsageRecorder_Record_Concurrent records from many goroutines while flushes run, then checks that
// every call was counted exactly once. Run it with -race.
func TestUsageRecorder_Record_Concurrent(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{})
	const workers, perWorker = 8, 2000
	rules := []string{"add-roles", "enrich", "link-accounts"}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				r := UsageRecord{Tenant: fmt.Sprintf("t%d", w%2), Runtime: "node18", Rule: rules[i%3], Spec: "auth0@^2", Resolved: "auth0@2.30.0"}
				if i%10 == 0 {
					r.Spec, r.Resolved, r.Error = "auth0@9.9.9", "", fmt.Sprintf("Cannot find module 'auth0@9.9.9' (%d)", i%3)
				}
				u.Record(r)
			}
		}()
	}
	stop := make(chan struct{})
	flushed := make(chan error, 1)
	go func() {
		var err error
		for {
			select {
			case <-stop:
				flushed <- err
				return
			default:
			}
			if e := u.Flush(); e != nil {
				err = e
			}
		}
	}()
	wg.Wait()
	close(stop)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	var total, failed uint64
	rows := readAll(t, db)
	for _, r := range rows {
		total += r.Count
		failed += r.Errors
		if r.Errors > 0 && !strings.HasPrefix(r.LastError, "Cannot find module 'auth0@9.9.9'") {
			t.Errorf("row %+v: last error %q", r, r.LastError)
		}
	}
	if total != workers*perWorker || failed != workers*perWorker/10 {
		t.Errorf("counted %d calls (%d failed), want %d (%d)", total, failed, workers*perWorker, workers*perWorker/10)
	}
	if len(rows) != 2*3*2 {
		t.Errorf("%d rows, want 12 (2 tenants × 3 rules × 2 specs)", len(rows))
	}
}

func TestUsageRecorder_Flush_MergesAcrossFlushesAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	clock := newUsageClock()
	start := clock.Now()
	rec := UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"}

	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := newTestRecorder(t, db, UsageOptions{Now: clock.Now})
	u.Record(rec)
	u.Record(rec)
	if err := u.Flush(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := u.Flush(); err != nil { // nothing to write; refreshes the clock Record stamps
		t.Fatal(err)
	}
	u.Record(rec)
	failed := rec
	failed.Error = "Cannot find module: load failed"
	u.Record(failed)
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openUsageDB(t, path, false)
	clock.Advance(24 * time.Hour)
	u = newTestRecorder(t, db, UsageOptions{Now: clock.Now})
	u.Record(rec)
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, db)
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1: %+v", len(rows), rows)
	}
	want := UsageRow{Tenant: "acme", Runtime: "node18", Rule: "add-roles", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1",
		Module: "auth0", Version: "2.9.1", Count: 5, Errors: 1, LastError: "Cannot find module: load failed",
		FirstSeen: start, LastSeen: start.Add(25 * time.Hour)}
	if u.Stats().Flushes != 1 {
		t.Errorf("Flushes = %d, want 1", u.Stats().Flushes)
	}
	if rows[0] != want {
		t.Errorf("row = %+v\nwant  %+v", rows[0], want)
	}
}

// TestUsageRecorder_Flush_Atomic makes a flush fail half-way through its transaction: nothing of it
// may be stored, and the next flush must store every count exactly once.
func TestUsageRecorder_Flush_Atomic(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{Now: newUsageClock().Now})
	good := UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "a", Spec: "auth0@2.9.1", Resolved: "auth0@2.9.1"}
	bad := UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "z", Spec: "lodash", Resolved: "lodash@4.17.21"}
	badKey := usageStoreKey(usageKey{tenant: bad.Tenant, runtime: bad.Runtime, rule: bad.Rule, spec: bad.Spec, resolved: bad.Resolved})
	// A damaged stored value makes the merge of bad fail after good (which sorts first) was written.
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketUsage).Put(badKey, []byte("short")) }); err != nil {
		t.Fatal(err)
	}
	u.Record(good)
	u.Record(bad)
	if err := u.Flush(); err == nil || !strings.Contains(err.Error(), "malformed value") {
		t.Fatalf("Flush over a damaged value = %v, want a malformed-value error", err)
	}
	if s := u.Stats(); s.FlushErrors != 1 || s.Flushes != 0 {
		t.Errorf("stats after a failed flush = %+v", s)
	}
	if _, err := ReadUsage(db, UsageFilter{Module: "auth0"}); err != nil {
		t.Fatal(err)
	} else if rows, _ := ReadUsage(db, UsageFilter{Module: "auth0"}); len(rows) != 0 {
		t.Fatalf("a failed flush stored %+v", rows)
	}
	u.Record(good)
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketUsage).Delete(badKey) }); err != nil {
		t.Fatal(err)
	}
	if err := u.Flush(); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, db)
	if g, b := rowOf(t, rows, "acme", "a", good.Spec), rowOf(t, rows, "acme", "z", bad.Spec); g.Count != 2 || b.Count != 1 {
		t.Errorf("after the retry: good %d, bad %d; want 2 and 1", g.Count, b.Count)
	}
	if err := u.Flush(); err != nil {
		t.Fatal(err)
	}
	if g := rowOf(t, readAll(t, db), "acme", "a", good.Spec); g.Count != 2 {
		t.Errorf("an empty flush changed the count to %d", g.Count)
	}
}

func TestUsageRecorder_Flush_EvictsIdleKeys(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{})
	a := UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "a", Spec: "auth0", Resolved: "auth0@2.9.1"}
	b := a
	b.Resolved = "auth0@2.30.0" // same (tenant, rule, spec), another resolution: the default moved
	u.Record(a)
	u.Record(b)
	if k := u.Stats().Keys; k != 2 {
		t.Fatalf("Keys = %d, want 2", k)
	}
	if err := u.Flush(); err != nil {
		t.Fatal(err)
	}
	u.Record(b)
	if err := u.Flush(); err != nil { // a was idle since the previous flush
		t.Fatal(err)
	}
	if k := u.Stats().Keys; k != 1 {
		t.Errorf("Keys after an idle interval = %d, want 1", k)
	}
	u.Record(a)
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	var ca, cb uint64
	for _, r := range readAll(t, db) {
		switch r.Resolved {
		case a.Resolved:
			ca = r.Count
		case b.Resolved:
			cb = r.Count
		}
	}
	if ca != 2 || cb != 2 {
		t.Errorf("counts %d and %d, want 2 and 2", ca, cb)
	}
}

func TestUsageRecorder_Record_MaxKeys(t *testing.T) {
	var logs bytes.Buffer
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{MaxKeys: 2, Logger: slogTo(&logs)})
	for i := range 5 {
		u.Record(UsageRecord{Tenant: "acme", Rule: "r", Spec: fmt.Sprintf("m%d", i)})
	}
	u.Record(UsageRecord{Tenant: "acme", Rule: "r", Spec: "m0"}) // a held key is still counted
	if s := u.Stats(); s.Keys != 2 || s.Dropped != 3 {
		t.Errorf("stats = %+v, want 2 keys and 3 dropped", s)
	}
	if err := u.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "dropped=3") {
		t.Errorf("no dropped warning in the log: %q", logs.String())
	}
	if err := u.Flush(); err != nil { // both keys idle: room again
		t.Fatal(err)
	}
	u.Record(UsageRecord{Tenant: "acme", Rule: "r", Spec: "m4"})
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, db)
	if len(rows) != 3 || rowOf(t, rows, "acme", "r", "m0").Count != 2 {
		t.Errorf("rows = %+v", rows)
	}
}

func TestUsageRecorder_Record_ClipsLongFields(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{})
	long := strings.Repeat("é", MaxUsageFieldBytes) // 2 bytes each
	u.Record(UsageRecord{Tenant: "acme", Rule: "r", Spec: long + "x", Error: strings.Repeat("e", 5*MaxUsageErrorBytes)})
	u.Record(UsageRecord{Tenant: "acme", Rule: "r", Spec: long + "y"}) // the same key once cut
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, db)
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	r := rows[0]
	if len(r.Spec) != MaxUsageFieldBytes || r.Spec != long[:MaxUsageFieldBytes] || r.Count != 2 || len(r.LastError) != MaxUsageErrorBytes {
		t.Errorf("spec %d bytes, count %d, error %d bytes", len(r.Spec), r.Count, len(r.LastError))
	}
	if got := clip("aé", 2); got != "a" {
		t.Errorf("clip cut inside a rune: %q", got)
	}
}

func TestUsageRecorder_Start_FlushesInBackground(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{FlushInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u.Start(ctx)
	u.Start(ctx) // a second Start does nothing
	u.Record(UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "r", Spec: "url", Resolved: "url"})
	deadline := time.Now().Add(10 * time.Second)
	for len(readAll(t, db)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background flusher wrote nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	u.Record(UsageRecord{Tenant: "acme", Runtime: "node18", Rule: "r", Spec: "url", Resolved: "url"})
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, db); len(rows) != 1 || rows[0].Count != 2 || rows[0].Module != "url" || rows[0].Version != "" {
		t.Errorf("rows = %+v", rows)
	}
}

func TestUsageRecorder_Close_ReportsFlushError(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{})
	u.Record(UsageRecord{Tenant: "acme", Rule: "r", Spec: "url", Resolved: "url"})
	db.Close()
	if err := u.Close(); !errors.Is(err, bbolt.ErrDatabaseNotOpen) {
		t.Errorf("Close on a closed database = %v, want ErrDatabaseNotOpen", err)
	}
}

// TestUsageRecorder_Record_RacesEviction records many keys sparsely while flushes run back to back,
// so that idle keys keep leaving memory while other goroutines record them again: every call must
// still be counted exactly once. Run it with -race.
func TestUsageRecorder_Record_RacesEviction(t *testing.T) {
	db := openUsageDB(t, "", false)
	u := newTestRecorder(t, db, UsageOptions{})
	const workers, perWorker, keys = 4, 3000, 64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				u.Record(UsageRecord{Tenant: "acme", Runtime: "node18", Rule: fmt.Sprintf("r%d", (i*7+w)%keys), Spec: "auth0", Resolved: "auth0@2.9.1"})
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	for flushing := true; flushing; {
		select {
		case <-done:
			flushing = false
		default:
			if err := u.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	var total uint64
	for _, r := range readAll(t, db) {
		total += r.Count
	}
	if total != workers*perWorker {
		t.Errorf("counted %d calls, want %d", total, workers*perWorker)
	}
	if s := u.Stats(); s.Keys > keys {
		t.Errorf("Keys = %d, more than the %d keys recorded", s.Keys, keys)
	}
}
