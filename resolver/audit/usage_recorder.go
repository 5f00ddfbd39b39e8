package audit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"
)

// usageShards is the number of independently locked parts of the in-memory aggregate (a power of 2).
const usageShards = 32

// usageKey identifies one aggregate.
type usageKey struct {
	tenant, runtime, rule, spec, resolved string
}

// usageLookup is the part of a key the shard maps hash; the runtime and the resolved value, which
// rarely vary for one (tenant, rule, spec), tell the entries under one lookup key apart. Hashing three
// strings instead of five is most of Record's saving.
type usageLookup struct {
	tenant, rule, spec string
}

// usageEntry is the in-memory aggregate of one key since the previous flush. Record updates it under
// its shard's read lock, with atomics; Flush reads and resets it under the shard's write lock. The
// fields Record reads and writes come first, to share a cache line.
type usageEntry struct {
	count   atomic.Uint64
	last    atomic.Int64 // unix nanoseconds
	next    *usageEntry  // the next entry of the same lookup key
	runtime string
	key     usageKey
	errors  atomic.Uint64
	first   int64 // unix nanoseconds, set when the entry is created
	lastErr atomic.Pointer[string]
}

type usageShard struct {
	mu sync.RWMutex
	m  map[usageLookup]*usageEntry
	_  [64]byte // keeps neighbouring shards' locks off one cache line
}

// UsageRecorder aggregates run-time requires in memory and writes the aggregates to a bbolt database,
// merging them with what is stored. Record is safe for concurrent use and cheap enough for every
// execution's requires; Flush, Start and Close manage the writes.
//
// Counts are never lost between flushes: a flush that fails keeps its counts for the next one. Counts
// recorded after Close are kept in memory only until an explicit Flush.
type UsageRecorder struct {
	db      *bbolt.DB
	maxKeys int64
	every   time.Duration
	now     func() time.Time
	log     *slog.Logger

	clock   atomic.Int64 // the time Record stamps, unix nanoseconds
	keys    atomic.Int64
	dropped atomic.Uint64
	shards  [usageShards]usageShard

	flushMu     sync.Mutex // serialises Flush
	carry       map[usageKey]usageDelta
	flushes     atomic.Uint64
	flushErrors atomic.Uint64
	logged      uint64 // dropped count already logged, under flushMu

	startOnce sync.Once
	stopOnce  sync.Once
	cancel    context.CancelFunc
	done      chan struct{}
}

// usageDelta is what a flush adds to one stored aggregate.
type usageDelta struct {
	count, errors uint64
	first, last   int64
	lastErr       string
}

// NewUsageRecorder returns a recorder that writes to db, creating its buckets (see UsageBuckets).
// db must be open read-write; it stays owned by the caller and must outlive the recorder's Close.
// The recorder does not write until Flush, or until Start runs its background flusher.
func NewUsageRecorder(db *bbolt.DB, opts UsageOptions) (*UsageRecorder, error) {
	if db == nil {
		return nil, errors.New("usage recorder: no database")
	}
	if db.IsReadOnly() {
		return nil, errors.New("usage recorder: the database is open read-only; open it read-write to record usage")
	}
	if opts.FlushInterval < 0 || opts.MaxKeys < 0 {
		return nil, errors.New("usage recorder: FlushInterval and MaxKeys must not be negative")
	}
	u := &UsageRecorder{
		db:      db,
		maxKeys: int64(opts.MaxKeys),
		every:   opts.FlushInterval,
		now:     opts.Now,
		log:     opts.Logger,
	}
	if u.maxKeys == 0 {
		u.maxKeys = DefaultUsageMaxKeys
	}
	if u.every == 0 {
		u.every = DefaultUsageFlushInterval
	}
	if u.now == nil {
		u.now = time.Now
	}
	if u.log == nil {
		u.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for i := range u.shards {
		u.shards[i].m = make(map[usageLookup]*usageEntry)
	}
	if err := db.Update(ensureUsageBuckets); err != nil {
		return nil, err
	}
	u.tick()
	return u, nil
}

// tick refreshes the clock Record stamps and returns it.
func (u *UsageRecorder) tick() int64 {
	t := u.now().Truncate(time.Second).UnixNano()
	u.clock.Store(t)
	return t
}

// Record counts one require. It never blocks on the database and does not allocate for a key it
// already holds. Fields longer than MaxUsageFieldBytes are cut. For a new key, Record copies the
// spec, resolved value and error message, and keeps the tenant, runtime and rule strings it is given
// (an executor's long-lived configuration, compared by address first on later calls).
func (u *UsageRecorder) Record(r UsageRecord) {
	l := usageLookup{clip(r.Tenant, MaxUsageFieldBytes), clip(r.Rule, MaxUsageFieldBytes), clip(r.Spec, MaxUsageFieldBytes)}
	runtime, resolved := clip(r.Runtime, MaxUsageFieldBytes), clip(r.Resolved, MaxUsageFieldBytes)
	now := u.clock.Load()
	s := &u.shards[shardOf(&l)]
	s.mu.RLock()
	for e := s.m[l]; e != nil; e = e.next {
		if e.key.resolved == resolved && e.runtime == runtime {
			e.hit(now, r.Error)
			s.mu.RUnlock()
			return
		}
	}
	s.mu.RUnlock()
	u.insert(s, l, runtime, resolved, now, r.Error)
}

// hit counts a call on an existing entry; the caller holds the shard's read lock.
func (e *usageEntry) hit(now int64, failure string) {
	e.count.Add(1)
	if e.last.Load() < now {
		e.last.Store(now)
	}
	if failure != "" {
		e.errors.Add(1)
		failure = clip(failure, MaxUsageErrorBytes)
		if p := e.lastErr.Load(); p == nil || *p != failure {
			c := strings.Clone(failure)
			e.lastErr.Store(&c)
		}
	}
}

// insert adds a key not yet held, or counts it if another goroutine just added it.
func (u *UsageRecorder) insert(s *usageShard, l usageLookup, runtime, resolved string, now int64, failure string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	head := s.m[l]
	for e := head; e != nil; e = e.next {
		if e.key.resolved == resolved && e.runtime == runtime {
			e.hit(now, failure)
			return
		}
	}
	if u.keys.Load() >= u.maxKeys {
		u.dropped.Add(1)
		return
	}
	if head != nil {
		l = usageLookup{head.key.tenant, head.key.rule, head.key.spec} // the strings the map key already holds
	} else {
		l = usageLookup{keep(l.tenant, MaxUsageFieldBytes), keep(l.rule, MaxUsageFieldBytes), strings.Clone(l.spec)}
	}
	runtime = keep(runtime, MaxUsageFieldBytes)
	e := &usageEntry{first: now, next: head, runtime: runtime,
		key: usageKey{tenant: l.tenant, runtime: runtime, rule: l.rule, spec: l.spec, resolved: strings.Clone(resolved)}}
	e.hit(now, failure)
	s.m[l] = e
	u.keys.Add(1)
}

// keep returns s, or a copy of it when it was cut to n bytes from a longer string (so that the
// longer one is not kept alive).
func keep(s string, n int) string {
	if len(s) == n {
		return strings.Clone(s)
	}
	return s
}

// shardOf spreads keys over the shards by a cheap mix of lengths and last bytes: it only has to keep
// concurrent Records off one lock; the map inside the shard does the real hashing.
func shardOf(k *usageLookup) uint32 {
	h := uint32(len(k.rule))*31 + uint32(len(k.spec))*7 + uint32(len(k.tenant))
	if n := len(k.rule); n > 0 {
		h += uint32(k.rule[n-1]) * 17
	}
	if n := len(k.spec); n > 0 {
		h += uint32(k.spec[n-1])
	}
	if n := len(k.tenant); n > 0 {
		h += uint32(k.tenant[n-1]) * 13
	}
	return (h ^ h>>5) & (usageShards - 1)
}

// clip cuts s to at most n bytes at a UTF-8 boundary, without allocating.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Flush writes the counts gathered since the previous flush to the database in one transaction,
// merged with the stored aggregates (counts add up, first seen is the earliest, last seen the latest,
// the newest error message wins). If the transaction fails, nothing is written and the counts are
// kept for the next flush. Keys not seen since the previous flush leave memory. Flush is safe to call
// concurrently with Record and with itself.
func (u *UsageRecorder) Flush() error {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	u.tick()
	deltas := u.carry
	if deltas == nil {
		deltas = make(map[usageKey]usageDelta)
	}
	for i := range u.shards {
		s := &u.shards[i]
		s.mu.Lock()
		for l, head := range s.m {
			var kept *usageEntry
			for e := head; e != nil; {
				next := e.next
				if u.take(e, deltas) {
					e.next, kept = kept, e
				} else {
					u.keys.Add(-1) // idle since the previous flush: leave memory
				}
				e = next
			}
			if kept == nil {
				delete(s.m, l)
			} else {
				s.m[l] = kept
			}
		}
		s.mu.Unlock()
	}
	if d := u.dropped.Load(); d > u.logged {
		u.log.Warn("usage recorder: requires not recorded because the key limit was reached", "dropped", d-u.logged, "max_keys", u.maxKeys)
		u.logged = d
	}
	if len(deltas) == 0 {
		u.carry = nil
		return nil
	}
	if err := u.db.Update(func(tx *bbolt.Tx) error { return writeUsageDeltas(tx, deltas) }); err != nil {
		u.carry = deltas
		u.flushErrors.Add(1)
		return err
	}
	u.carry = nil
	u.flushes.Add(1)
	return nil
}

// take moves an entry's counts into deltas; the caller holds the entry's shard write lock. It
// reports false when the entry saw no call since the previous flush.
func (u *UsageRecorder) take(e *usageEntry, deltas map[usageKey]usageDelta) bool {
	n := e.count.Swap(0)
	if n == 0 {
		return false
	}
	d := usageDelta{count: n, errors: e.errors.Swap(0), first: e.first, last: e.last.Load()}
	if p := e.lastErr.Swap(nil); p != nil {
		d.lastErr = *p
	}
	if old, ok := deltas[e.key]; ok {
		d = old.add(d)
	} else if int64(len(deltas)) >= u.maxKeys {
		// Only reachable while flushes keep failing: the carried counts must not grow without bound.
		u.dropped.Add(n)
		return true
	}
	deltas[e.key] = d
	return true
}

// add merges two deltas of one key; b is the more recent.
func (a usageDelta) add(b usageDelta) usageDelta {
	a.count += b.count
	a.errors += b.errors
	a.first = min(a.first, b.first)
	a.last = max(a.last, b.last)
	if b.lastErr != "" {
		a.lastErr = b.lastErr
	}
	return a
}

// Start runs the background goroutine that refreshes Record's clock every UsageClockResolution and
// flushes every FlushInterval, logging failed flushes, until ctx ends or Close is called. Calls after
// the first do nothing.
func (u *UsageRecorder) Start(ctx context.Context) {
	u.startOnce.Do(func() {
		ctx, u.cancel = context.WithCancel(ctx)
		u.done = make(chan struct{})
		go u.loop(ctx)
	})
}

func (u *UsageRecorder) loop(ctx context.Context) {
	defer close(u.done)
	clock := time.NewTicker(UsageClockResolution)
	defer clock.Stop()
	flush := time.NewTicker(u.every)
	defer flush.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-clock.C:
			u.tick()
		case <-flush.C:
			if err := u.Flush(); err != nil {
				u.log.Warn("usage recorder: flush failed; the counts are kept for the next flush", "err", err)
			}
		}
	}
}

// Close stops the background goroutine, if started, and flushes. It returns the flush's error.
// Further calls only flush.
func (u *UsageRecorder) Close() error {
	u.stopOnce.Do(func() {
		u.startOnce.Do(func() {}) // a later Start does nothing
		if u.cancel != nil {
			u.cancel()
			<-u.done
		}
	})
	return u.Flush()
}

// Stats reports the recorder's state.
func (u *UsageRecorder) Stats() UsageStats {
	return UsageStats{Keys: int(u.keys.Load()), Dropped: u.dropped.Load(), Flushes: u.flushes.Load(), FlushErrors: u.flushErrors.Load()}
}
