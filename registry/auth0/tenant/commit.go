package tenant

import (
	"context"
	"fmt"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Writes go through one committer goroutine that groups concurrent operations into a single bbolt
// transaction (group commit): a durable commit costs two fdatasyncs whatever its size, so N
// concurrent writers share them. Each operation names the keys it reads and writes; operations in
// one batch never share a key, so each is validated against the committed state as if it ran alone,
// and operations on the same key keep their arrival order. An operation is acknowledged only after
// its transaction committed and the in-memory state was updated.

// maxBatch bounds how many operations share one transaction.
const maxBatch = 256

// change is what a prepared operation writes.
type change struct {
	puts   []kv
	apply  func(s *state) // runs after the commit, under Tenant.mu
	result any
}

// kv is one bbolt put (or delete when del is set).
type kv struct {
	bucket []byte
	key    string
	value  []byte
	del    bool
}

func put(bucket []byte, key string, value []byte) kv {
	return kv{bucket: bucket, key: key, value: value}
}
func del(bucket []byte, key string) kv { return kv{bucket: bucket, key: key, del: true} }

const (
	opQueued int32 = iota
	opTaken
	opAbandoned
)

type opResult struct {
	result any
	err    error
}

// writeOp is one queued write.
type writeOp struct {
	keys      []string
	exclusive bool // runs alone (bulk operations touching many keys)
	prepare   func(s *state) (*change, error)
	status    atomic.Int32
	done      chan opResult
}

// write queues an operation and waits for its outcome. If ctx ends while the operation is still
// queued it is dropped and ctx.Err() returned; once its transaction has started it completes and
// its outcome is returned.
func (t *Tenant) write(ctx context.Context, keys []string, exclusive bool, prepare func(s *state) (*change, error)) (any, error) {
	if t.readOnly {
		return nil, errReadOnly()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	op := &writeOp{keys: keys, exclusive: exclusive, prepare: prepare, done: make(chan opResult, 1)}
	t.closeMu.RLock()
	if t.closed {
		t.closeMu.RUnlock()
		return nil, ErrClosed
	}
	select {
	case t.queue <- op:
		t.closeMu.RUnlock()
	case <-ctx.Done():
		t.closeMu.RUnlock()
		return nil, ctx.Err()
	}
	select {
	case r := <-op.done:
		return r.result, r.err
	case <-ctx.Done():
		if op.status.CompareAndSwap(opQueued, opAbandoned) {
			return nil, ctx.Err()
		}
		r := <-op.done
		return r.result, r.err
	}
}

// commitLoop is the committer goroutine. It exits once Close has stopped new writes and every
// queued operation has been answered.
func (t *Tenant) commitLoop() {
	defer close(t.committerDone)
	var pending []*writeOp
	stopping := false
	for {
		if len(pending) == 0 {
			if stopping {
				return
			}
			select {
			case op := <-t.queue:
				pending = append(pending, op)
			case <-t.closing:
				stopping = true
				continue
			}
		}
	gather:
		for len(pending) < 4*maxBatch {
			select {
			case op := <-t.queue:
				pending = append(pending, op)
			default:
				break gather
			}
		}
		var batch []*writeOp
		batch, pending = pickBatch(pending)
		t.runBatch(batch)
	}
}

// pickBatch takes from pending, in order, the operations that can share a transaction: no shared
// keys, nothing overtaking an earlier operation on the same key, exclusive operations alone.
func pickBatch(pending []*writeOp) (batch, rest []*writeOp) {
	taken := map[string]bool{}
	blocked := map[string]bool{}
	barrier := false
	for _, op := range pending {
		if op.status.Load() == opAbandoned {
			continue
		}
		if barrier || len(batch) >= maxBatch {
			rest = append(rest, op)
			continue
		}
		if op.exclusive {
			if len(batch) == 0 && len(rest) == 0 {
				batch = append(batch, op)
			} else {
				rest = append(rest, op)
			}
			barrier = true
			continue
		}
		conflict := false
		for _, k := range op.keys {
			if taken[k] || blocked[k] {
				conflict = true
				break
			}
		}
		if conflict {
			for _, k := range op.keys {
				blocked[k] = true
			}
			rest = append(rest, op)
			continue
		}
		for _, k := range op.keys {
			taken[k] = true
		}
		batch = append(batch, op)
	}
	return batch, rest
}

// runBatch prepares, commits and applies one batch, then answers every operation in it.
func (t *Tenant) runBatch(batch []*writeOp) {
	ops := make([]*writeOp, 0, len(batch))
	changes := make([]*change, 0, len(batch))
	for _, op := range batch {
		if !op.status.CompareAndSwap(opQueued, opTaken) {
			continue // abandoned by its caller while queued
		}
		ch, err := safePrepare(op, t.st)
		if err != nil {
			op.done <- opResult{err: err}
			continue
		}
		if ch == nil || len(ch.puts) == 0 {
			// Nothing to write (e.g. deleting what is already gone): answer now.
			if ch != nil && ch.apply != nil {
				t.mu.Lock()
				ch.apply(t.st)
				t.mu.Unlock()
			}
			var res any
			if ch != nil {
				res = ch.result
			}
			op.done <- opResult{result: res}
			continue
		}
		ops = append(ops, op)
		changes = append(changes, ch)
	}
	if len(ops) == 0 {
		return
	}
	err := t.db.Update(func(tx *bolt.Tx) error {
		for _, ch := range changes {
			for _, p := range ch.puts {
				b := tx.Bucket(p.bucket)
				if b == nil {
					return fmt.Errorf("bucket %s is missing", p.bucket)
				}
				var err error
				if p.del {
					err = b.Delete([]byte(p.key))
				} else {
					err = b.Put([]byte(p.key), p.value)
				}
				if err != nil {
					return fmt.Errorf("write %s/%s: %w", p.bucket, p.key, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.log.Error("tenant write failed", "path", t.path, "err", err)
		for _, op := range ops {
			op.done <- opResult{err: fmt.Errorf("tenant: commit failed: %w", err)}
		}
		return
	}
	t.mu.Lock()
	for _, ch := range changes {
		if ch.apply != nil {
			ch.apply(t.st)
		}
	}
	t.mu.Unlock()
	for i, op := range ops {
		op.done <- opResult{result: changes[i].result}
	}
}

// safePrepare runs op.prepare, turning a panic into an error so one bad request cannot stop the
// committer.
func safePrepare(op *writeOp, s *state) (ch *change, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tenant: internal error preparing a write: %v", r)
		}
	}()
	return op.prepare(s)
}
