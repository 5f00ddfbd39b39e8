package egress

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Defaults of Options fields left zero.
const (
	// DefaultMaxResponseBytes is the response body limit: 10 MiB.
	DefaultMaxResponseBytes = 10 << 20
	// DefaultMaxRedirects is the number of redirects one call may follow.
	DefaultMaxRedirects = 10
	// DefaultDialTimeout bounds connecting to one address.
	DefaultDialTimeout = 10 * time.Second
	// DefaultTLSHandshakeTimeout bounds a TLS handshake.
	DefaultTLSHandshakeTimeout = 10 * time.Second
	// DefaultIdleConnTimeout is how long an idle keep-alive connection stays pooled.
	DefaultIdleConnTimeout = 90 * time.Second
	// DefaultMaxIdleConnsPerHost is the keep-alive pool size per host.
	DefaultMaxIdleConnsPerHost = 32
)

// Options configures NewClient. Every zero field takes the documented default.
type Options struct {
	// Policy is the egress policy. Default: the zero Policy (public addresses only).
	Policy Policy
	// MaxResponseBytes caps every response body; a larger body fails the call with a *SizeError.
	// Default DefaultMaxResponseBytes (10 MiB). Negative values are invalid.
	MaxResponseBytes int64
	// MaxRedirects is the most redirects one call follows; a call may lower it (CallOptions) but
	// not raise it. Default DefaultMaxRedirects (10). Negative values are invalid.
	MaxRedirects int
	// Resolver resolves host names. Default net.DefaultResolver.
	Resolver Resolver
	// DialTimeout bounds connecting to one address. Default DefaultDialTimeout.
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake. Default DefaultTLSHandshakeTimeout.
	TLSHandshakeTimeout time.Duration
	// IdleConnTimeout is how long a pooled keep-alive connection may stay idle.
	// Default DefaultIdleConnTimeout.
	IdleConnTimeout time.Duration
	// MaxIdleConnsPerHost is the keep-alive pool size per host. Default DefaultMaxIdleConnsPerHost.
	MaxIdleConnsPerHost int
	// TLSClientConfig is used for https; nil means the system roots and Go's defaults. Tests set
	// RootCAs here for httptest TLS servers.
	TLSClientConfig *tls.Config
}

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if o.MaxResponseBytes < 0 {
		return o, fmt.Errorf("egress: MaxResponseBytes is %d; it must be 0 (default %d) or positive", o.MaxResponseBytes, DefaultMaxResponseBytes)
	}
	if o.MaxRedirects < 0 {
		return o, fmt.Errorf("egress: MaxRedirects is %d; it must be 0 (default %d) or positive", o.MaxRedirects, DefaultMaxRedirects)
	}
	if o.MaxResponseBytes == 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.TLSHandshakeTimeout <= 0 {
		o.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if o.IdleConnTimeout <= 0 {
		o.IdleConnTimeout = DefaultIdleConnTimeout
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	return o, nil
}

// NewClient returns an *http.Client that enforces opts: the egress policy (checked on every dial,
// against every resolved address), host mapping, the response size limit and the redirect limit.
// Connections are pooled and kept alive; environment proxies are ignored (a proxy would hide the
// destination from the policy). Every exchange is reported to the Recorder in the request's context
// (WithRecorder). The client has no overall timeout: bind each request to a context (Do does).
//
// The client is safe for concurrent use; share one per executor. It fails only when opts are invalid
// (an unparsable Allow entry or Map, a negative limit), with an error that names the bad value.
func NewClient(opts Options) (*http.Client, error) {
	t, err := NewTransport(opts)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: t, CheckRedirect: t.checkRedirect}, nil
}

// NewTransport returns the round tripper NewClient uses, for embedders that wrap it (for example to
// short-circuit a host to an in-process handler before the policy applies). The redirect limit is
// enforced by the client, not the transport.
func NewTransport(opts Options) (*Transport, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	r, err := opts.Policy.compile()
	if err != nil {
		return nil, err
	}
	t := &Transport{rules: r, maxBytes: opts.MaxResponseBytes, maxRedirects: opts.MaxRedirects}
	t.direct = newHTTPTransport(opts, &dialer{rules: r, resolver: opts.Resolver, net: net.Dialer{Timeout: opts.DialTimeout}})
	if len(r.maps) > 0 {
		targets := make(map[string]bool, len(r.maps))
		for _, u := range r.maps {
			targets[strings.ToLower(hostPort(u))] = true
		}
		t.mapped = newHTTPTransport(opts, &dialer{rules: r, resolver: opts.Resolver, net: net.Dialer{Timeout: opts.DialTimeout}, targets: targets})
	}
	return t, nil
}

func newHTTPTransport(opts Options, d *dialer) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          opts.MaxIdleConnsPerHost * 8,
		MaxIdleConnsPerHost:   opts.MaxIdleConnsPerHost,
		IdleConnTimeout:       opts.IdleConnTimeout,
		TLSHandshakeTimeout:   opts.TLSHandshakeTimeout,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       opts.TLSClientConfig.Clone(),
	}
}
