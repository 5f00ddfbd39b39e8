package tenant

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter is a token bucket per bearer token: limit requests of burst, refilled at limit per
// minute.
type rateLimiter struct {
	limit   float64
	perSec  float64
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perMinute int, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: float64(perMinute), perSec: float64(perMinute) / 60, now: now, buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket, sets the X-RateLimit-* headers and reports whether
// the request may proceed. Reset is the Unix time (seconds) at which the bucket is full again.
func (l *rateLimiter) allow(key string, h http.Header) bool {
	now := l.now()
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.limit, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.limit, b.tokens+el*l.perSec)
		b.last = now
	}
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	tokens := b.tokens
	l.calls++
	if l.calls%1024 == 0 {
		l.prune(now)
	}
	l.mu.Unlock()

	full := now.Add(time.Duration((l.limit - tokens) / l.perSec * float64(time.Second)))
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(l.limit)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Floor(tokens))))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(full.UnixNano())/1e9)), 10))
	if !ok {
		wait := (1 - tokens) / l.perSec
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
	}
	return ok
}

// prune forgets buckets that have refilled completely; they would start full anyway.
func (l *rateLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.perSec >= l.limit {
			delete(l.buckets, k)
		}
	}
}
