package tenant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestPickBatch(t *testing.T) {
	op := func(exclusive bool, keys ...string) *writeOp { return &writeOp{keys: keys, exclusive: exclusive} }
	a1, b1, a2, c1 := op(false, "a"), op(false, "b"), op(false, "a"), op(false, "c", "a")
	x := op(true)
	d1 := op(false, "d")
	batch, rest := pickBatch([]*writeOp{a1, b1, a2, c1, x, d1})
	if len(batch) != 2 || batch[0] != a1 || batch[1] != b1 {
		t.Fatalf("batch %v", batch)
	}
	// a2 waits for a1; c1 shares "a" with a2 so it may not overtake it; the exclusive op and
	// everything after it wait.
	if len(rest) != 4 || rest[0] != a2 || rest[1] != c1 || rest[2] != x || rest[3] != d1 {
		t.Fatalf("rest %v", rest)
	}
	batch, rest = pickBatch([]*writeOp{x, d1})
	if len(batch) != 1 || batch[0] != x || len(rest) != 1 {
		t.Fatalf("exclusive runs alone: %v %v", batch, rest)
	}
	abandoned := op(false, "z")
	abandoned.status.Store(opAbandoned)
	batch, rest = pickBatch([]*writeOp{abandoned, d1})
	if len(batch) != 1 || batch[0] != d1 || len(rest) != 0 {
		t.Fatalf("abandoned ops are dropped: %v %v", batch, rest)
	}
}

// TestConcurrentPatches_NoLostUpdates sends many concurrent metadata patches to the same and to
// different users: every key must survive (same-user writes are ordered, not batched together).
func TestConcurrentPatches_NoLostUpdates(t *testing.T) {
	tn := openTest(t, Options{})
	tok := token(t, tn, "update:users", "read:users")
	users := []string{jane, "github|4213567", "auth0|60a7b2c3d4e5f6007a8b9c0d"}
	const perUser = 40
	var wg sync.WaitGroup
	for _, u := range users {
		for i := 0; i < perUser; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := do(t, tn, "PATCH", userPath(u), tok, map[string]any{"app_metadata": map[string]any{fmt.Sprintf("k%02d", i): i}})
				if r.status != 200 {
					t.Errorf("%d %s", r.status, r.raw)
				}
			}()
		}
	}
	wg.Wait()
	for _, u := range users {
		got, _ := tn.GetUser(bg, u)
		md := got["app_metadata"].(map[string]any)
		for i := 0; i < perUser; i++ {
			if _, ok := md[fmt.Sprintf("k%02d", i)]; !ok {
				t.Fatalf("%s lost k%02d: %v", u, i, md)
			}
		}
	}
	// And on disk.
	path := tn.Path()
	tn.Close()
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got, _ := again.GetUser(bg, jane)
	if md := got["app_metadata"].(map[string]any); len(md) < perUser {
		t.Fatalf("after reopen: %v", md)
	}
}

func TestConcurrentCreates_OneWins(t *testing.T) {
	tn := openTest(t, Options{})
	tok := token(t, tn, "create:users")
	var created, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := do(t, tn, "POST", "/api/v2/users", tok, map[string]any{"connection": "email", "email": "race@example.com"})
			switch r.status {
			case http.StatusCreated:
				created.Add(1)
			case http.StatusConflict:
				conflicts.Add(1)
			default:
				t.Errorf("%d %s", r.status, r.raw)
			}
		}()
	}
	wg.Wait()
	if created.Load() != 1 || conflicts.Load() != 19 {
		t.Fatalf("created %d, conflicts %d", created.Load(), conflicts.Load())
	}
}

func TestWrite_ContextAndErrors(t *testing.T) {
	tn := openTest(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tn.setConfig(ctx, "K", "v"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v", err)
	}
	if cfg, _ := tn.Configuration(); len(cfg) != 0 {
		t.Fatal("a cancelled write was stored")
	}
	// A panic while preparing becomes an error and the committer keeps working.
	_, err := tn.write(bg, []string{"x"}, false, func(*state) (*change, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panicking write: %v", err)
	}
	if err := tn.setConfig(bg, "K", "v"); err != nil {
		t.Fatalf("committer stopped after a panic: %v", err)
	}
}

func TestClose_WaitsForQueuedWrites(t *testing.T) {
	tn, err := Open(t.TempDir()+"/t.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := tn.Path()
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tn.setConfig(bg, fmt.Sprintf("K%d", i), "v"); err == nil {
				ok.Add(1)
			} else if !errors.Is(err, ErrClosed) {
				t.Error(err)
			}
		}()
	}
	tn.Close()
	wg.Wait()
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	cfg, _ := again.Configuration()
	if int32(len(cfg)) != ok.Load() {
		t.Fatalf("%d writes acknowledged, %d on disk", ok.Load(), len(cfg))
	}
}
