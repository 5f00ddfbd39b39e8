package auth0

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/verq/verq/registry/auth0/internal/spec"
	"github.com/verq/verq/registry/http/egress"
)

// maxBody bounds a Management API response body.
const maxBody = 32 << 20

// target is where and how a client sends: computed once per client on its first request.
type target struct {
	scheme, host, basePath string // base URL parts; basePath has no trailing slash
	header                 http.Header
	tokenURL               string
	err                    error // a base URL that cannot be used (bad domain)
}

// cachedHeaders holds a client's target once computed.
type cachedHeaders struct{ t *target }

// target returns the client's base URL and static headers.
func (c *clientObj) target() *target {
	if c.hdr.t != nil {
		return c.hdr.t
	}
	t := &target{}
	p := c.m.p
	if p.base != nil {
		t.scheme, t.host, t.basePath = p.base.Scheme, p.base.Host, p.base.EscapedPath()
		t.tokenURL = p.base.Scheme + "://" + p.base.Host + "/oauth/token"
	} else {
		u, err := url.Parse("https://" + c.cfg.domain + "/api/v2")
		if err != nil || u.Host == "" {
			t.err = fmt.Errorf("getaddrinfo ENOTFOUND %s", c.cfg.domain)
		} else {
			t.scheme, t.host, t.basePath = u.Scheme, u.Host, "/api/v2"
		}
		t.tokenURL = "https://" + c.cfg.domain + "/oauth/token"
	}
	h := make(http.Header, 8)
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("Accept-Encoding", "gzip, deflate")
	ua := "node.js/" + nodeVersion
	if c.cfg.userAgent != "" {
		ua = c.cfg.userAgent
	}
	h.Set("User-Agent", ua)
	if c.cfg.telemetry != "" {
		h.Set("Auth0-Client", c.cfg.telemetry)
	}
	for _, kv := range c.cfg.headers {
		if validHeader(kv[0], kv[1]) {
			h.Set(kv[0], kv[1])
		}
	}
	c.hdr.t = t
	t.header = h
	return t
}

func validHeader(k, v string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return !strings.ContainsAny(v, "\r\n\x00")
}

// sendSpec is everything the sending goroutine needs; it holds no goja value.
type sendSpec struct {
	t       *target
	token   string
	cc      *ccConfig
	retry   bool
	retries int
	policy  string
}

// response is the outcome of a request, handed back to the loop.
type response struct {
	method string // lower case, as requestInfo.method
	url    string // without query, as requestInfo.url
	status int
	header http.Header
	body   []byte
	netErr error
	// tokenFailure marks an error response of the token endpoint.
	tokenFailure bool
	token        string // getAccessToken result
}

// send performs req with the version's retry policy, bounded by ctx.
func (p *Provider) send(ctx context.Context, s *sendSpec, req *apiRequest) *response {
	path, pathQuery := escapePath(req.path)
	rawQuery := pathQuery
	if q := encodeQuery(req.query); q != "" {
		if rawQuery != "" {
			rawQuery += "&"
		}
		rawQuery += q
	}
	res := &response{method: strings.ToLower(req.method)}
	if s.t.err != nil {
		res.url = "https://" + s.t.host + s.t.basePath + path
		res.netErr = s.t.err
		return res
	}
	opaque := s.t.basePath + path
	res.url = s.t.scheme + "://" + s.t.host + opaque
	token := s.token
	if s.cc != nil {
		tok, tres := p.accessToken(ctx, s.t, s.cc)
		if tres != nil {
			return tres
		}
		token = tok
	}
	for attempt := 0; ; attempt++ {
		r := p.once(ctx, s.t, req, opaque, rawQuery, token)
		r.method, r.url = res.method, res.url
		if r.netErr != nil || r.status != http.StatusTooManyRequests || !s.retry || attempt >= s.retries {
			return r
		}
		wait, ok := retryWait(s.policy, r.header, attempt)
		if !ok {
			return r
		}
		if dl, has := ctx.Deadline(); has && time.Now().Add(wait).After(dl) {
			return r // never wait past the rule's deadline: report the 429 now
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return r
		case <-t.C:
		}
	}
}

// retryWait is the delay before the next attempt after a 429, or false when the policy gives up.
func retryWait(policy string, h http.Header, attempt int) (time.Duration, bool) {
	switch policy {
	case spec.RetryRateLimitHeaders:
		if h.Get("X-RateLimit-Limit") == "" {
			return 0, false
		}
		reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil {
			return 0, true
		}
		if d := time.Until(time.Unix(reset, 0)); d > 0 {
			return d, true
		}
		return 0, true
	case spec.RetryAlways:
		// The retry module's defaults: minTimeout 1 s, factor 2, randomized in [1, 2).
		ms := (1 + rand.Float64()) * 1000 * math.Pow(2, float64(attempt))
		return time.Duration(ms) * time.Millisecond, true
	}
	return 0, false
}

// once performs one HTTP exchange.
func (p *Provider) once(ctx context.Context, t *target, req *apiRequest, opaque, rawQuery, token string) *response {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, t.scheme+"://"+t.host+"/", body)
	if err != nil {
		return &response{netErr: err}
	}
	setRawPath(hr.URL, opaque)
	hr.URL.RawQuery = rawQuery
	hr.Header = t.header.Clone()
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	hr.Header.Set("Authorization", "Bearer "+token)
	return p.exchange(hr)
}

// setRawPath makes u carry exactly the escaped path opaque on the wire, with a decoded Path for
// in-process handlers whenever the escaping is valid.
func setRawPath(u *url.URL, opaque string) {
	if p, err := url.PathUnescape(opaque); err == nil {
		u.Path, u.RawPath = p, opaque
		if u.EscapedPath() == opaque {
			return
		}
	}
	u.Path, u.RawPath, u.Opaque = "", "", opaque
}

// exchange sends hr and reads the (decoded) body.
func (p *Provider) exchange(hr *http.Request) *response {
	resp, err := p.client.Do(hr)
	if err != nil {
		return &response{netErr: err}
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return &response{netErr: err}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

func readBody(resp *http.Response) ([]byte, error) {
	var r io.Reader = io.LimitReader(resp.Body, maxBody+1)
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = io.LimitReader(gz, maxBody+1)
	case "deflate":
		raw, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
			defer zr.Close()
			r = io.LimitReader(zr, maxBody+1)
		} else {
			r = io.LimitReader(flate.NewReader(bytes.NewReader(raw)), maxBody+1)
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("response body larger than %d bytes", maxBody)
	}
	return b, nil
}

// nodeError describes a transport failure the way Node reports it.
type nodeError struct {
	code, message, syscall string
	errno                  int
	address                string
	port                   int
}

// describeNetError maps a Go transport error to Node's system error fields.
func describeNetError(err error, hostport string) nodeError {
	host, portStr, _ := net.SplitHostPort(hostport)
	if host == "" {
		host = hostport
	}
	port, _ := strconv.Atoi(portStr)
	var opErr *net.OpError
	addr := hostport
	if errors.As(err, &opErr) && opErr.Addr != nil {
		addr = opErr.Addr.String()
		if h, ps, e := net.SplitHostPort(addr); e == nil {
			host = h
			port, _ = strconv.Atoi(ps)
		}
	}
	var dnsErr *net.DNSError
	var unk x509.UnknownAuthorityError
	var inv x509.CertificateInvalidError
	var hn x509.HostnameError
	var denied *egress.DeniedError
	switch {
	case errors.As(err, &denied):
		return nodeError{"ERR_EGRESS_DENIED", denied.Error(), "", 0, "", 0}
	case errors.Is(err, syscall.ECONNREFUSED):
		return nodeError{"ECONNREFUSED", "connect ECONNREFUSED " + addr, "connect", -111, host, port}
	case errors.As(err, &dnsErr):
		return nodeError{"ENOTFOUND", "getaddrinfo ENOTFOUND " + dnsErr.Name, "getaddrinfo", -3008, "", 0}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return nodeError{"ETIMEDOUT", "connect ETIMEDOUT " + addr, "connect", -110, host, port}
	case errors.Is(err, context.Canceled):
		return nodeError{"ECONNABORTED", "request aborted", "", -103, "", 0}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nodeError{"ECONNRESET", "socket hang up", "", -104, "", 0}
	case errors.As(err, &unk):
		return nodeError{"UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate", "", 0, "", 0}
	case errors.As(err, &hn):
		return nodeError{"ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: " + hn.Error(), "", 0, "", 0}
	case errors.As(err, &inv):
		return nodeError{"CERT_HAS_EXPIRED", "certificate has expired", "", 0, "", 0}
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	return nodeError{"ECONNRESET", msg, "", -104, "", 0}
}
