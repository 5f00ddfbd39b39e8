package resolver

import (
	"hash/maphash"
	"strings"
	"sync"
)

// DefaultCacheSize is the number of resolutions a Resolver caches unless WithCacheSize says otherwise.
const DefaultCacheSize = 4096

// cacheKey identifies a cached answer.
type cacheKey struct {
	runtime, spec string
}

// cacheEntry is an immutable cached answer, valid while the catalog generation equals gen.
type cacheEntry struct {
	gen     uint64
	res     *Resolution
	err     error // nil or *Error
	outcome Outcome
}

// cache is a bounded, sharded map of answers. Lookups take one shard read lock and do not allocate.
// A full shard first drops entries of older generations, then an arbitrary entry (Go's map
// iteration order makes that a random eviction).
type cache struct {
	seed     maphash.Seed
	mask     uint64
	perShard int
	shards   []cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[cacheKey]*cacheEntry
	_  [32]byte // keep neighbouring shards' locks off one cache line
}

// newCache returns a cache holding at most size entries, or nil when size <= 0.
func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	n := 1
	for n < 64 && n*2 <= size/64 {
		n *= 2
	}
	c := &cache{seed: maphash.MakeSeed(), mask: uint64(n - 1), perShard: size / n, shards: make([]cacheShard, n)}
	for i := range c.shards {
		c.shards[i].m = make(map[cacheKey]*cacheEntry)
	}
	return c
}

func (c *cache) shard(runtime, spec string) *cacheShard {
	if c.mask == 0 {
		return &c.shards[0]
	}
	h := maphash.String(c.seed, spec) ^ uint64(len(runtime))
	return &c.shards[h&c.mask]
}

// get returns the entry for (runtime, spec) if it was stored at generation gen.
func (c *cache) get(runtime, spec string, gen uint64) *cacheEntry {
	s := c.shard(runtime, spec)
	s.mu.RLock()
	e := s.m[cacheKey{runtime, spec}]
	s.mu.RUnlock()
	if e == nil || e.gen != gen {
		return nil
	}
	return e
}

// put stores e for (runtime, spec). The key strings are copied so that a spec sliced out of a large
// source text does not keep that text alive.
func (c *cache) put(runtime, spec string, e *cacheEntry) {
	s := c.shard(runtime, spec)
	k := cacheKey{strings.Clone(runtime), strings.Clone(spec)}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.m[k]
	if ok && cur.gen > e.gen {
		return // a resolution against a newer catalog got there first
	}
	if !ok && len(s.m) >= c.perShard {
		for ok, old := range s.m {
			if old.gen != e.gen {
				delete(s.m, ok)
			}
		}
		for ok := range s.m {
			if len(s.m) < c.perShard {
				break
			}
			delete(s.m, ok)
		}
	}
	s.m[k] = e
}

// purge drops every entry.
func (c *cache) purge() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		clear(s.m)
		s.mu.Unlock()
	}
}

// len counts the entries (all generations).
func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
