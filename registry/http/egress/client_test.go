package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type callLog struct {
	mu    sync.Mutex
	calls []Call
}

func (l *callLog) RecordHTTP(c Call) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

func (l *callLog) all() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Call(nil), l.calls...)
}

func newClient(t *testing.T, opts Options) *http.Client {
	t.Helper()
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func get(t *testing.T, c *http.Client, rawURL string, opts CallOptions) (*Response, error) {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Do(context.Background(), c, req, opts)
}

// hitServer counts requests and answers "ok" with the path and query it saw.
func hitServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprintf(w, "ok %s %s", r.URL.RequestURI(), r.Host)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func port(srv *httptest.Server) string {
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return p
}

func TestNewClient_InvalidOptions(t *testing.T) {
	for _, opts := range []Options{
		{Policy: Policy{Allow: []string{"10.0.0.0/99"}}},
		{MaxResponseBytes: -1},
		{MaxRedirects: -2},
		{Policy: Policy{Map: map[string]string{"a.example": "nope"}}},
	} {
		if _, err := NewClient(opts); err == nil {
			t.Errorf("NewClient(%+v) succeeded, want an error", opts)
		}
	}
}

func TestDo_DeniesLoopbackByDefault(t *testing.T) {
	srv, hits := hitServer(t)
	c := newClient(t, Options{})
	_, err := get(t, c, srv.URL, CallOptions{})
	want := "egress denied: 127.0.0.1 is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	var de *DeniedError
	if !errors.As(err, &de) || de.Host != "127.0.0.1" || !errors.Is(err, ErrDenied) {
		t.Fatalf("err %#v is not a *DeniedError for 127.0.0.1", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("server was reached %d times", hits.Load())
	}
}

func TestDo_AllowPrivateAndAllowEntries(t *testing.T) {
	srv, _ := hitServer(t)
	for _, p := range []Policy{{AllowPrivate: true}, {Allow: []string{"127.0.0.1"}}, {Allow: []string{"127.0.0.0/8"}}} {
		t.Run(fmt.Sprint(p.Allow, p.AllowPrivate), func(t *testing.T) {
			resp, err := get(t, newClient(t, Options{Policy: p}), srv.URL+"/x?y=1", CallOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != 200 || resp.StatusText != "OK" || !strings.HasPrefix(string(resp.Body), "ok /x?y=1") {
				t.Fatalf("got %d %q %q", resp.Status, resp.StatusText, resp.Body)
			}
		})
	}
}

func TestDo_DNSRebindToLoopback(t *testing.T) {
	srv, hits := hitServer(t)
	dns := startFakeDNS(t, map[string]netip.Addr{"rebind.verq.test": netip.MustParseAddr("127.0.0.1")})
	target := "http://rebind.verq.test:" + port(srv) + "/"

	_, err := get(t, newClient(t, Options{Resolver: dns.resolver()}), target, CallOptions{})
	want := "egress denied: 127.0.0.1 (resolved from rebind.verq.test) is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if hits.Load() != 0 || dns.queries.Load() == 0 {
		t.Fatalf("hits=%d dns queries=%d; want the name resolved and the server untouched", hits.Load(), dns.queries.Load())
	}

	// The same resolver with private addresses opted in reaches the server: the name really
	// resolved to loopback through the Go resolver.
	resp, err := get(t, newClient(t, Options{Resolver: dns.resolver(), Policy: Policy{AllowPrivate: true}}), target, CallOptions{})
	if err != nil || resp.Status != 200 {
		t.Fatalf("with AllowPrivate: %v %v", resp, err)
	}
	// An allow-list entry for the name alone does not unlock the loopback answer.
	_, err = get(t, newClient(t, Options{Resolver: dns.resolver(), Policy: Policy{Allow: []string{"rebind.verq.test"}}}), target, CallOptions{})
	if !errors.Is(err, ErrDenied) {
		t.Fatalf("name-only allow entry: err = %v, want a denial", err)
	}
}

func TestDo_EveryResolvedAddressChecked(t *testing.T) {
	srv, hits := hitServer(t)
	res := &tableResolver{table: map[string][]netip.Addr{
		"mixed.example": {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1")},
	}}
	_, err := get(t, newClient(t, Options{Resolver: res}), "http://mixed.example:"+port(srv)+"/", CallOptions{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1 (resolved from mixed.example) is a loopback address") {
		t.Fatalf("err = %v, want the loopback answer denied", err)
	}
	if hits.Load() != 0 {
		t.Fatal("server reached")
	}
}

func TestDo_NameNotInAllowListIsNotResolved(t *testing.T) {
	res := &tableResolver{table: map[string][]netip.Addr{}}
	c := newClient(t, Options{Resolver: res, Policy: Policy{Allow: []string{"api.example.com"}}})
	_, err := get(t, c, "https://other.example/", CallOptions{})
	want := "egress denied: other.example is not in the egress allow-list (api.example.com); add it with --egress-allow other.example"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if res.lookups.Load() != 0 {
		t.Fatalf("denied name was resolved %d times", res.lookups.Load())
	}
}

func TestDo_Map(t *testing.T) {
	srv, _ := hitServer(t)
	log := &callLog{}
	c := newClient(t, Options{Policy: Policy{Map: map[string]string{
		"api.example.com":      srv.URL + "/prefix",
		"other.example.com:81": srv.URL,
	}}})
	ctx := WithRecorder(context.Background(), log)

	req, _ := http.NewRequest("GET", "https://api.example.com/v1/users?q=1", nil)
	resp, err := Do(ctx, c, req, CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantBody := "ok /prefix/v1/users?q=1 " + srv.Listener.Addr().String()
	if string(resp.Body) != wantBody {
		t.Fatalf("body %q, want %q", resp.Body, wantBody)
	}
	if resp.URL.String() != "https://api.example.com/v1/users?q=1" {
		t.Fatalf("resp.URL = %s, want the unmapped URL", resp.URL)
	}
	if calls := log.all(); len(calls) != 1 || calls[0].Host != "api.example.com" || calls[0].Status != 200 {
		t.Fatalf("recorded %+v", calls)
	}

	req, _ = http.NewRequest("GET", "http://other.example.com:81/p", nil)
	if resp, err = Do(ctx, c, req, CallOptions{}); err != nil || string(resp.Body) != "ok /p "+srv.Listener.Addr().String() {
		t.Fatalf("port-specific mapping: %v %v", resp, err)
	}
	req, _ = http.NewRequest("GET", "http://other.example.com:82/p", nil)
	if _, err = Do(ctx, c, req, CallOptions{}); err == nil {
		t.Fatal("mapping for port 81 applied to port 82")
	}

	// The stand-in's own address stays denied: its pooled connections are not shared.
	if _, err := get(t, c, srv.URL+"/direct", CallOptions{}); !errors.Is(err, ErrDenied) {
		t.Fatalf("direct call to the stand-in address: err = %v, want denial", err)
	}
}

func TestDo_RedirectIntoDeniedAddress(t *testing.T) {
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/go" {
			http.Redirect(w, r, srvURL+"/landed", http.StatusFound)
			return
		}
		io.WriteString(w, "landed")
	}))
	defer srv.Close()
	srvURL = srv.URL
	c := newClient(t, Options{Policy: Policy{Map: map[string]string{"api.example.com": srv.URL}}})
	_, err := get(t, c, "http://api.example.com/go", CallOptions{})
	if !errors.Is(err, ErrDenied) {
		t.Fatalf("redirect to the loopback address: err = %v, want denial", err)
	}
}

func TestDo_SizeLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		for i := 0; i < n; i += 100 {
			w.Write([]byte(strings.Repeat("x", min(100, n-i))))
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
	}))
	defer srv.Close()
	log := &callLog{}
	c := newClient(t, Options{Policy: Policy{AllowPrivate: true}, MaxResponseBytes: 1000})
	ctx := WithRecorder(context.Background(), log)
	tests := []struct {
		name  string
		query string
		opts  CallOptions
		limit int64 // 0 = allowed
	}{
		{"at limit", "n=1000", CallOptions{}, 0},
		{"over limit with length", "n=1001", CallOptions{}, 1000},
		{"over limit chunked", "n=5000&chunked=1", CallOptions{}, 1000},
		{"call limit lower", "n=600", CallOptions{MaxResponseBytes: 500}, 500},
		{"call limit chunked", "n=600&chunked=1", CallOptions{MaxResponseBytes: 500}, 500},
		{"call limit cannot raise", "n=1500", CallOptions{MaxResponseBytes: 5000}, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/?"+tt.query, nil)
			resp, err := Do(ctx, c, req, tt.opts)
			if tt.limit == 0 {
				if err != nil || len(resp.Body) != 1000 {
					t.Fatalf("got %v, %v", resp, err)
				}
				return
			}
			var se *SizeError
			if !errors.As(err, &se) || se.Limit != tt.limit || !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("err = %v, want a *SizeError with limit %d", err, tt.limit)
			}
			want := fmt.Sprintf("egress: response from %s exceeds the size limit of %d bytes", srv.Listener.Addr(), tt.limit)
			if err.Error() != want {
				t.Fatalf("message %q, want %q", err, want)
			}
			calls := log.all()
			if last := calls[len(calls)-1]; !strings.Contains(last.Error, "size limit") {
				t.Fatalf("recorded %+v, want the size error", last)
			}
		})
	}
}

func TestDo_Redirects(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if r.URL.Query().Get("stop") == strconv.Itoa(n) {
			io.WriteString(w, "done")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d?%s", n+1, r.URL.RawQuery), http.StatusFound)
	}))
	defer srv.Close()
	c := newClient(t, Options{Policy: Policy{AllowPrivate: true}})
	tests := []struct {
		name     string
		path     string
		opts     CallOptions
		wantErr  error
		wantMax  int
		wantHits int64
		status   int
	}{
		{"loop stops at client limit", "/r/0", CallOptions{}, ErrTooManyRedirects, 10, 11, 0},
		{"call limit", "/r/0", CallOptions{MaxRedirects: 3}, ErrTooManyRedirects, 3, 4, 0},
		{"within limit", "/r/0?stop=3", CallOptions{MaxRedirects: 3}, nil, 0, 4, 200},
		{"manual", "/r/0", CallOptions{Redirect: RedirectManual}, nil, 0, 1, 302},
		{"fail", "/r/0", CallOptions{Redirect: RedirectFail}, ErrRedirect, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			resp, err := get(t, c, srv.URL+tt.path, tt.opts)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var re *RedirectError
			if tt.wantMax > 0 && (!errors.As(err, &re) || re.Max != tt.wantMax) {
				t.Fatalf("err = %#v, want Max %d", err, tt.wantMax)
			}
			if hits.Load() != tt.wantHits {
				t.Fatalf("server hit %d times, want %d", hits.Load(), tt.wantHits)
			}
			if tt.status != 0 && resp.Status != tt.status {
				t.Fatalf("status %d, want %d", resp.Status, tt.status)
			}
			if tt.status == 200 && (!resp.Redirected || resp.URL.Path != "/r/3") {
				t.Fatalf("Redirected=%v URL=%s", resp.Redirected, resp.URL)
			}
		})
	}
}

func TestDo_Timeouts(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, Options{Policy: Policy{AllowPrivate: true}})

	req, _ := http.NewRequest("GET", srv.URL, nil)
	start := time.Now()
	_, err := Do(context.Background(), c, req, CallOptions{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "within 50ms") {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("timeout did not cancel the call")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = Do(ctx, c, req, CallOptions{Timeout: time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want the execution deadline", err)
	}
}

func TestDo_RecordsCalls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/final?token=secret", http.StatusMovedPermanently)
			return
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	log := &callLog{}
	ctx := WithRecorder(context.Background(), log)
	c := newClient(t, Options{Policy: Policy{AllowPrivate: true}})
	req, _ := http.NewRequest("POST", srv.URL+"/moved?api_key=secret", strings.NewReader("password=hunter2"))
	req.Header.Set("Authorization", "Bearer secret")
	if _, err := Do(ctx, c, req, CallOptions{}); err != nil {
		t.Fatal(err)
	}
	deniedReq, _ := http.NewRequest("GET", "http://169.254.169.254/latest/meta-data", nil)
	if _, err := Do(ctx, newClient(t, Options{}), deniedReq, CallOptions{}); !errors.Is(err, ErrDenied) {
		t.Fatalf("metadata address: %v", err)
	}
	// Without a recorder in the context nothing is reported and nothing fails.
	plain, _ := http.NewRequest("GET", srv.URL, nil)
	if _, err := Do(context.Background(), c, plain, CallOptions{}); err != nil {
		t.Fatal(err)
	}

	calls := log.all()
	host := srv.Listener.Addr().String()
	want := []Call{
		{Method: "POST", Host: host, Status: 301},
		{Method: "GET", Host: host, Status: 418},
		{Method: "GET", Host: "169.254.169.254", Error: "egress denied: 169.254.169.254 is a link-local address; allow it with --egress-allow 169.254.169.254 or --egress-allow-private"},
	}
	if len(calls) != len(want) {
		t.Fatalf("recorded %d calls %+v, want %d", len(calls), calls, len(want))
	}
	for i, c := range calls {
		if c.DurationUS < 0 {
			t.Errorf("call %d: negative duration", i)
		}
		c.DurationUS = 0
		if c != want[i] {
			t.Errorf("call %d = %+v, want %+v", i, c, want[i])
		}
		if s := fmt.Sprintf("%+v", c); strings.Contains(s, "secret") || strings.Contains(s, "hunter2") {
			t.Errorf("call %d leaks a credential: %s", i, s)
		}
	}
}

func TestDo_KeepAlive(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(t, Options{Policy: Policy{AllowPrivate: true}})
	for i := 0; i < 5; i++ {
		if _, err := get(t, c, srv.URL, CallOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if conns.Load() != 1 {
		t.Fatalf("5 sequential calls opened %d connections, want 1", conns.Load())
	}
}

func TestDo_UnsupportedScheme(t *testing.T) {
	_, err := get(t, newClient(t, Options{}), "ftp://files.example.com/x", CallOptions{})
	if !errors.Is(err, ErrUnsupportedScheme) {
		t.Fatalf("err = %v", err)
	}
}

func TestDo_ConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = get(t, newClient(t, Options{Policy: Policy{AllowPrivate: true}}), "http://"+addr+"/", CallOptions{})
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Fatalf("err = %#v, want the dial error unwrapped from *url.Error", err)
	}
}
