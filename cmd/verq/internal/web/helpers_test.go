package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// testRuntime is the runtime the fixture imports from testdata/node20.json: the core modules of Node 20
// and the 123 packages of the public reconstruction of the canirequire list.
const testRuntime = "node20"

const testToken = "test-admin-token"

// fakeProvider is an implementation that only describes itself.
type fakeProvider struct{ info registry.Info }

func (p fakeProvider) Info() registry.Info                            { return p.info }
func (p fakeProvider) Load(*registry.LoadRequest) (goja.Value, error) { return goja.Undefined(), nil }

// testRegistry serves auth0 2.x in Go, a stored lodash 4.17.21 and the core modules crypto and url.
func testRegistry(t testing.TB) *registry.Registry {
	t.Helper()
	reg := registry.New()
	for _, p := range []registry.Provider{
		fakeProvider{registry.Info{Name: "auth0", Range: ">=2.0.0 <3.0.0", Kind: registry.KindGo, Description: "ManagementClient in Go"}},
		fakeProvider{registry.Info{Name: "lodash", Version: "4.17.21", Kind: registry.KindPackage, License: "MIT"}},
		fakeProvider{registry.Info{Name: "crypto", Kind: registry.KindCore}},
		fakeProvider{registry.Info{Name: "url", Kind: registry.KindCore}},
	} {
		if err := reg.Register(p); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// fixture is a server over a fresh catalog with the node20 runtime imported.
type fixture struct {
	t       testing.TB
	store   *catalog.Store
	srv     *Server
	metrics *Metrics
	handler http.Handler
}

func openTestStore(t testing.TB) *catalog.Store {
	t.Helper()
	st, err := catalog.Open(filepath.Join(t.TempDir(), "verq.db"), catalog.Options{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	data, err := os.ReadFile("testdata/node20.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := catalog.ParseList(data, catalog.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import("seed", testRuntime, l, catalog.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func newFixture(t testing.TB, edit ...func(*Config)) *fixture {
	t.Helper()
	st := openTestStore(t)
	return newFixtureOn(t, st, st, edit...)
}

// newFixtureOn builds a server reading cat (which may wrap st).
func newFixtureOn(t testing.TB, st *catalog.Store, cat Catalog, edit ...func(*Config)) *fixture {
	t.Helper()
	m := NewMetrics()
	reg := testRegistry(t)
	cfg := Config{
		Catalog:        cat,
		Registry:       reg,
		Resolver:       resolver.New(cat, reg),
		DefaultRuntime: testRuntime,
		Token:          NewToken(testToken),
		Metrics:        m,
	}
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: st, srv: srv, metrics: m, handler: srv}
}

// response is a recorded answer.
type response struct {
	*httptest.ResponseRecorder
}

func (r response) body() string { return r.Body.String() }

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body: %s", ct, r.body())
	}
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", r.body(), err)
	}
}

// errorBody decodes the JSON error shape and checks its status field.
func (r response) errorBody(t testing.TB) ErrorBody {
	t.Helper()
	var e ErrorBody
	r.json(t, &e)
	if e.Status != r.Code || e.Error == "" || e.Code == "" {
		t.Fatalf("error body %+v does not match status %d", e, r.Code)
	}
	return e
}

// do sends a request through the handler. header pairs are name, value.
func (f *fixture) do(method, target string, body any, header ...string) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, target, rd)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return response{rec}
}

// admin sends a request with the admin token.
func (f *fixture) admin(method, target string, body any, header ...string) response {
	f.t.Helper()
	return f.do(method, target, body, append([]string{"Authorization", "Bearer " + testToken}, header...)...)
}

func wantStatus(t testing.TB, r response, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d; body: %s", r.Code, code, r.body())
	}
}
