package tenant

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// everyScope is every scope the tenant knows.
var everyScope = knownScopes

// openTest opens a fresh tenant in a temporary directory and closes it at the end of the test.
func openTest(t testing.TB, opts Options) *Tenant {
	t.Helper()
	tn, err := Open(filepath.Join(t.TempDir(), "tenant.db"), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { tn.Close() })
	return tn
}

func token(t testing.TB, tn *Tenant, scopes ...string) string {
	t.Helper()
	tok, err := tn.IssueToken(scopes, time.Hour)
	if err != nil {
		t.Fatalf("IssueToken: %v", err)
	}
	return tok
}

// response is a decoded HTTP response.
type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) json(t testing.TB) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("response is not JSON (%d): %q", r.status, r.raw)
	}
	return v
}

func (r response) object(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("response is not an object: %s", r.raw)
	}
	return m
}

func (r response) array(t testing.TB) []any {
	t.Helper()
	a, ok := r.json(t).([]any)
	if !ok {
		t.Fatalf("response is not an array: %s", r.raw)
	}
	return a
}

// apiError checks the Management API error shape and returns it.
func (r response) apiError(t testing.TB) Error {
	t.Helper()
	var e Error
	if err := json.Unmarshal(r.raw, &e); err != nil {
		t.Fatalf("error body is not JSON: %q", r.raw)
	}
	if e.StatusCode != r.status || e.Reason != http.StatusText(r.status) || e.Message == "" {
		t.Fatalf("bad error body for %d: %s", r.status, r.raw)
	}
	return e
}

// do sends a request through the handler. body may be nil, a string (sent as is) or any value
// (sent as JSON).
func do(t testing.TB, tn *Tenant, method, path, tok string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, "https://local.verq"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	tn.Handler().ServeHTTP(w, req)
	return response{status: w.Code, header: w.Header(), raw: w.Body.Bytes()}
}

// expect fails unless the response has the status (and, for errors, the message fragment and
// error code).
func expect(t testing.TB, r response, status int, code, fragment string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if status >= 400 {
		e := r.apiError(t)
		if code != "" && e.Code != code {
			t.Fatalf("errorCode %q, want %q: %s", e.Code, code, r.raw)
		}
		if !strings.Contains(e.Message, fragment) {
			t.Fatalf("message %q does not contain %q", e.Message, fragment)
		}
	}
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var bg = context.Background()

type jsonNumber = json.Number

// boltTx lets tests read the database directly.
type boltTx = bolt.Tx
