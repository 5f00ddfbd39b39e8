package web

import (
	"bytes"
	"compress/gzip"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Read responses are rendered once per catalog generation and served from memory: the ETag names the
// server instance, the generation and the request (path and query), so it is known before anything is
// rendered and a matching If-None-Match is answered 304 without touching the catalog.

// cacheControlRead is sent with catalog-derived reads: caches may keep them but must revalidate, which
// the ETag makes cheap, so curators' changes show at once.
const cacheControlRead = "no-cache"

// minGzipSize is the smallest body worth compressing.
const minGzipSize = 1024

// rendered is one cached response body.
type rendered struct {
	contentType string
	body        []byte
	gz          []byte // gzip of body; nil when body is small
}

// responseCache maps request keys to rendered bodies of one catalog generation. It is bounded: when full,
// it starts over. Safe for concurrent use.
type responseCache struct {
	mu  sync.RWMutex
	max int
	gen uint64
	m   map[string]*rendered
}

func newResponseCache(max int) *responseCache {
	return &responseCache{max: max, m: map[string]*rendered{}}
}

func (c *responseCache) get(gen uint64, key string) *rendered {
	if c.max < 0 {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.gen != gen {
		return nil
	}
	return c.m[key]
}

func (c *responseCache) put(gen uint64, key string, r *rendered) {
	if c.max < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return
	}
	if gen != c.gen || len(c.m) >= c.max {
		c.gen = gen
		c.m = make(map[string]*rendered, min(c.max, 64))
	}
	c.m[key] = r
}

// requestKey identifies a cacheable request: its path and raw query.
func requestKey(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return r.URL.Path
	}
	return r.URL.Path + "?" + r.URL.RawQuery
}

// etag is the weak entity tag of a request's response in a catalog generation.
func (s *Server) etag(gen uint64, key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	var b strings.Builder
	b.Grow(48)
	b.WriteString(`W/"`)
	b.WriteString(s.bootID)
	b.WriteByte('-')
	b.WriteString(strconv.FormatUint(gen, 10))
	b.WriteByte('-')
	b.WriteString(strconv.FormatUint(h.Sum64(), 36))
	b.WriteByte('"')
	return b.String()
}

// etagMatches implements the weak comparison of If-None-Match.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	weakless := strings.TrimPrefix(etag, "W/")
	for _, part := range strings.Split(header, ",") {
		p := strings.TrimSpace(part)
		if p == "*" || p == etag || strings.TrimPrefix(p, "W/") == weakless {
			return true
		}
	}
	return false
}

// serveRendered answers a cacheable GET: 304 on a matching If-None-Match, else the cached body or the
// body build renders (then cached). build returns the content type and body; its error is written as
// usual and nothing is cached. cors adds Access-Control-Allow-Origin: *.
func (s *Server) serveRendered(w http.ResponseWriter, r *http.Request, cors bool, build func() (string, []byte, error)) {
	gen := s.cat.Generation()
	key := requestKey(r)
	tag := s.etag(gen, key)
	h := w.Header()
	if cors {
		setCORS(h)
	}
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		h.Set("ETag", tag)
		h.Set("Cache-Control", cacheControlRead)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	rd := s.cache.get(gen, key)
	if rd == nil {
		ct, body, err := build()
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		rd = &rendered{contentType: ct, body: body}
		if len(body) >= minGzipSize {
			rd.gz = gzipBytes(body)
		}
		s.cache.put(gen, key, rd)
	}
	h.Set("Content-Type", rd.contentType)
	h.Set("ETag", tag)
	h.Set("Cache-Control", cacheControlRead)
	body := rd.body
	if rd.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = rd.gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip (q=0 refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// CORS: reads are public; writes are not offered cross-origin (no preflight allows them).
var (
	hdrAllowOrigin   = []string{"*"}
	hdrExposeHeaders = []string{"ETag"}
)

func setCORS(h http.Header) {
	h["Access-Control-Allow-Origin"] = hdrAllowOrigin
	h["Access-Control-Expose-Headers"] = hdrExposeHeaders
}

// handlePreflight answers CORS preflights for the read endpoints: GET and HEAD from any origin, with
// the conditional-request header.
func (s *Server) handlePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	setCORS(h)
	h.Set("Access-Control-Allow-Methods", "GET, HEAD")
	h.Set("Access-Control-Allow-Headers", "If-None-Match, Accept")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}
