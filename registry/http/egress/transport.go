package egress

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// Transport is the policy-enforcing http.RoundTripper behind NewClient. It rewrites mapped hosts,
// dials only permitted addresses, caps response bodies and reports every exchange to the context's
// Recorder. It is safe for concurrent use.
type Transport struct {
	rules        *rules
	direct       *http.Transport
	mapped       *http.Transport // nil without Map entries
	maxBytes     int64
	maxRedirects int
}

// MaxRedirects is the redirect limit the transport was built with.
func (t *Transport) MaxRedirects() int { return t.maxRedirects }

// MaxResponseBytes is the response size limit the transport was built with.
func (t *Transport) MaxResponseBytes() int64 { return t.maxBytes }

// CloseIdleConnections closes pooled connections that are not in use.
func (t *Transport) CloseIdleConnections() {
	t.direct.CloseIdleConnections()
	if t.mapped != nil {
		t.mapped.CloseIdleConnections()
	}
}

// RoundTrip implements http.RoundTripper. The response's Request is req (with its original,
// unmapped URL).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	rec := &recording{rec: RecorderFrom(req.Context()), method: req.Method, host: req.URL.Host, start: start}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		if req.Body != nil {
			req.Body.Close()
		}
		err := fmt.Errorf("%w %q: only http: and https: URLs can be called", ErrUnsupportedScheme, req.URL.Scheme+":")
		rec.finish(0, err)
		return nil, err
	}
	out, tr := req, t.direct
	if target := t.rules.mapped(req.URL.Host); target != nil {
		out = req.Clone(req.Context())
		rewrite(out.URL, target, req.URL)
		out.Host = ""
		tr = t.mapped
	}
	resp, err := tr.RoundTrip(out)
	if err != nil {
		rec.finish(0, err)
		return nil, err
	}
	resp.Request = req
	if resp.ContentLength > t.maxBytes {
		resp.Body.Close()
		err := &SizeError{Host: req.URL.Host, Limit: t.maxBytes}
		rec.finish(resp.StatusCode, err)
		return nil, err
	}
	rec.status = resp.StatusCode
	resp.Body = &limitedBody{rc: resp.Body, limit: t.maxBytes, host: req.URL.Host, rec: rec}
	return resp, nil
}

// rewrite points u at the stand-in target, keeping the request path (behind the target's prefix)
// and query.
func rewrite(u, target, orig *url.URL) {
	u.Scheme = target.Scheme
	u.Host = target.Host
	u.User = nil
	if target.Path != "" {
		u.Path = target.Path + orig.Path
		if orig.RawPath != "" || target.RawPath != "" {
			u.RawPath = target.EscapedPath() + orig.EscapedPath()
		}
	}
}

// hostPort returns u's host with the scheme's default port made explicit.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return u.Host + ":443"
	}
	return u.Host + ":80"
}

// recording reports one exchange exactly once.
type recording struct {
	rec    Recorder
	method string
	host   string
	start  time.Time
	status int
	done   atomic.Bool
}

func (r *recording) finish(status int, err error) {
	if r.rec == nil || r.done.Swap(true) {
		return
	}
	c := Call{Method: r.method, Host: r.host, Status: status, DurationUS: time.Since(r.start).Microseconds()}
	if err != nil {
		c.Error = err.Error()
	}
	r.rec.RecordHTTP(c)
}

// limitedBody fails reads past the limit with a *SizeError and records the exchange when the body
// ends (EOF, error or Close).
type limitedBody struct {
	rc    io.ReadCloser
	n     int64
	limit int64
	host  string
	rec   *recording
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.n > b.limit {
		return 0, &SizeError{Host: b.host, Limit: b.limit}
	}
	if room := b.limit - b.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		err = &SizeError{Host: b.host, Limit: b.limit}
		b.rec.finish(b.rec.status, err)
		return n, err
	}
	switch {
	case err == io.EOF:
		b.rec.finish(b.rec.status, nil)
	case err != nil:
		b.rec.finish(b.rec.status, err)
	}
	return n, err
}

func (b *limitedBody) Close() error {
	b.rec.finish(b.rec.status, nil)
	return b.rc.Close()
}

// checkRedirect is the CheckRedirect of clients from NewClient: it enforces the redirect limit for
// callers that use the client directly rather than through Do.
func (t *Transport) checkRedirect(next *http.Request, via []*http.Request) error {
	if len(via) > t.maxRedirects {
		return &RedirectError{Max: t.maxRedirects, URL: next.URL.Redacted()}
	}
	return nil
}
