package auth0_test

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/internal/testloop"
	"github.com/verq/verq/registry/http/egress"
)

// countingTLS is an httptest TLS server counting the requests it receives.
func countingTLS(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			_, _ = w.Write([]byte(`{"access_token":"AT","expires_in":86400,"token_type":"Bearer"}`))
			return
		}
		_, _ = w.Write([]byte(`{"user_id":"u1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// caFileOf writes srv's certificate as a PEM bundle and returns its path.
func caFileOf(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// callWith constructs new ManagementClient(ctorOpts) of version on a fresh runtime served by p and
// returns the outcome of m.getUser({id: 'u1'}) as a promise.
func callWith(t *testing.T, p *auth0.Provider, version, ctorOpts string) callResult {
	t.Helper()
	l := testloop.New(p)
	if _, err := l.Run(probeJS + "var m = new (require('auth0@" + version + "').ManagementClient)(" + ctorOpts + ");"); err != nil {
		t.Fatalf("%s: construct: %v", version, err)
	}
	h := &harness{t: t, l: l, v: version}
	return h.call("m", "getUser", []any{map[string]any{"id": "u1"}}, "promise")
}

func TestEgress_DefaultDeniesLoopbackDomain(t *testing.T) {
	srv, hits := countingTLS(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	p, err := auth0.NewProvider(auth0.Options{CAFile: caFileOf(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version, ctor, host string
	}{
		{"ip token 2.44.1", "2.44.1", `{domain: '127.0.0.1:` + port + `', token: 't'}`, "127.0.0.1"},
		{"ip token 3.7.2", "3.7.2", `{domain: '127.0.0.1:` + port + `', token: 't'}`, "127.0.0.1"},
		{"ip token 2.9.1", "2.9.1", `{domain: '127.0.0.1:` + port + `', token: 't'}`, "127.0.0.1"},
		{"localhost token", "3.7.2", `{domain: 'localhost:` + port + `', token: 't'}`, "localhost"},
		{"ip client credentials", "3.7.2", `{domain: '127.0.0.1:` + port + `', clientId: 'c', clientSecret: 's'}`, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := callWith(t, p, tt.version, tt.ctor)
			if r.Rejected == nil {
				t.Fatalf("getUser was not rejected: %+v", r)
			}
			if r.Rejected.StatusCode != "ERR_EGRESS_DENIED" {
				t.Errorf("statusCode = %v, want ERR_EGRESS_DENIED", r.Rejected.StatusCode)
			}
			if !strings.HasPrefix(r.Rejected.Message, "egress denied: ") || !strings.Contains(r.Rejected.Message, tt.host) {
				t.Errorf("message = %q, want it to name the egress denial of %s", r.Rejected.Message, tt.host)
			}
			if oe := r.Rejected.OriginalError; oe == nil || oe.Code != "ERR_EGRESS_DENIED" {
				t.Errorf("originalError = %+v", oe)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server received %d requests, want none", n)
	}
}

func TestEgress_PolicyPermitsLoopbackDomain(t *testing.T) {
	srv, hits := countingTLS(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	p, err := auth0.NewProvider(auth0.Options{CAFile: caFileOf(t, srv), Egress: egress.Policy{Allow: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ctor := range []string{
		`{domain: '127.0.0.1:` + port + `', token: 't'}`,
		`{domain: '127.0.0.1:` + port + `', clientId: 'c', clientSecret: 's'}`,
	} {
		r := callWith(t, p, "3.7.2", ctor)
		if r.Resolved == nil || !strings.Contains(r.Resolved.JSON, `"u1"`) {
			t.Errorf("%s: getUser = %+v, want the user", ctor, r)
		}
	}
	if n := hits.Load(); n != 3 {
		t.Errorf("the server received %d requests, want 3 (user, token, user)", n)
	}
	// Other private addresses stay denied.
	r := callWith(t, p, "3.7.2", `{domain: '10.0.0.1', token: 't'}`)
	if r.Rejected == nil || r.Rejected.StatusCode != "ERR_EGRESS_DENIED" {
		t.Errorf("10.0.0.1: %+v, want an egress denial", r)
	}
}

func TestEgress_MgmtURLOnLoopback(t *testing.T) {
	rec := newRecorder(t)
	rec.handle = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			_, _ = w.Write([]byte(`{"access_token":"AT","expires_in":86400,"token_type":"Bearer"}`))
		} else {
			_, _ = w.Write([]byte(`{"user_id":"u1"}`))
		}
		return true
	}
	port := rec.URL[strings.LastIndex(rec.URL, ":")+1:]
	for _, base := range []string{rec.URL, "http://localhost:" + port} {
		t.Run(base, func(t *testing.T) {
			p, err := auth0.NewProvider(auth0.Options{MgmtURL: base + "/api/v2"})
			if err != nil {
				t.Fatal(err)
			}
			for _, ctor := range []string{`{domain: 'tenant.example.com', token: 't'}`, `{domain: '10.0.0.1', clientId: 'c', clientSecret: 's'}`} {
				rec.take()
				r := callWith(t, p, "2.44.1", ctor)
				if r.Resolved == nil || !strings.Contains(r.Resolved.JSON, `"u1"`) {
					t.Errorf("%s: getUser = %+v, want the user", ctor, r)
				}
				if got := rec.take(); len(got) == 0 || got[len(got)-1].Path != "/api/v2/users/u1" {
					t.Errorf("%s: server saw %+v", ctor, got)
				}
			}
		})
	}
}

func TestEgress_BadPolicy(t *testing.T) {
	_, err := auth0.NewProvider(auth0.Options{Egress: egress.Policy{Allow: []string{"https://x.example.com"}}})
	if !errors.Is(err, auth0.ErrBadOptions) || !strings.Contains(err.Error(), "Egress") {
		t.Errorf("NewProvider with a URL allow entry: %v, want ErrBadOptions naming Egress", err)
	}
}
