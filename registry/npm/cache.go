package npm

import (
	"container/list"
	"sync"

	"github.com/dop251/goja"
)

// Default bounds of a Source's compiled-module cache.
const (
	DefaultCacheEntries = 8192
	DefaultCacheBytes   = 256 << 20
)

// compiled is one cached module: the program that evaluates to its wrapper function, and the size
// of the source it was compiled from (what the cache's byte bound counts).
type compiled struct {
	prog *goja.Program
	size int
}

// programCache is a bounded LRU of compiled modules keyed by content hash. Programs are safe to run
// in any number of runtimes at once. Compiles of the same key at the same time are merged.
type programCache struct {
	maxEntries int
	maxBytes   int64

	mu       sync.Mutex
	ll       *list.List // front = most recent; values are *cacheItem
	items    map[progKey]*list.Element
	bytes    int64
	inflight map[progKey]*flight

	hits, misses uint64
}

// progKey identifies a compiled module: the content hash and how the content is compiled (the
// same bytes compile differently as a .json and as a .js file).
type progKey struct {
	hash [32]byte
	json bool
}

type cacheItem struct {
	key progKey
	val *compiled
}

type flight struct {
	done chan struct{}
	val  *compiled
	err  error
}

func newProgramCache(entries int, bytes int64) *programCache {
	if entries <= 0 {
		entries = DefaultCacheEntries
	}
	if bytes <= 0 {
		bytes = DefaultCacheBytes
	}
	return &programCache{
		maxEntries: entries, maxBytes: bytes,
		ll: list.New(), items: make(map[progKey]*list.Element), inflight: make(map[progKey]*flight),
	}
}

// get returns the cached module for key, or runs build once (other callers for the same key wait)
// and caches its result. Failed builds are not cached.
func (c *programCache) get(key progKey, build func() (*compiled, error)) (*compiled, error) {
	c.mu.Lock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		c.hits++
		v := el.Value.(*cacheItem).val
		c.mu.Unlock()
		return v, nil
	}
	if f, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		<-f.done
		return f.val, f.err
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	c.misses++
	c.mu.Unlock()

	func() {
		defer close(f.done)
		defer func() {
			if x := recover(); x != nil {
				f.err = panicError(x)
			}
		}()
		f.val, f.err = build()
	}()

	c.mu.Lock()
	delete(c.inflight, key)
	if f.err == nil {
		c.add(key, f.val)
	}
	c.mu.Unlock()
	return f.val, f.err
}

// add inserts under c.mu and evicts the least recently used entries beyond the bounds.
func (c *programCache) add(key progKey, v *compiled) {
	if _, ok := c.items[key]; ok {
		return
	}
	c.items[key] = c.ll.PushFront(&cacheItem{key: key, val: v})
	c.bytes += int64(v.size)
	for c.ll.Len() > 1 && (c.ll.Len() > c.maxEntries || c.bytes > c.maxBytes) {
		el := c.ll.Back()
		it := el.Value.(*cacheItem)
		c.ll.Remove(el)
		delete(c.items, it.key)
		c.bytes -= int64(it.val.size)
	}
}

// CacheStats describes a Source's compiled-module cache.
type CacheStats struct {
	// Entries and Bytes (source size) held now.
	Entries int   `json:"entries"`
	Bytes   int64 `json:"bytes"`
	// Hits and Misses count lookups since the Source was created.
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

func (c *programCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: c.ll.Len(), Bytes: c.bytes, Hits: c.hits, Misses: c.misses}
}
