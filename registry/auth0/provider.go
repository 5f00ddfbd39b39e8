package auth0

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0/internal/spec"
	"github.com/verq/verq/registry/http/egress"
)

// Options configure a Provider. The zero value talks to https://<domain>/api/v2 of whatever domain
// a rule passes, over a shared keep-alive transport that reaches public addresses only.
type Options struct {
	// MgmtURL, when set, is the Management API base URL of every client, whatever domain the rule
	// passes (e.g. "http://127.0.0.1:8081/api/v2"). It must be https, or http on a loopback host.
	// Client credentials then go to its origin + /oauth/token. Default: https://<domain>/api/v2.
	MgmtURL string
	// Transport carries every Management API and token request (e.g. the local tenant's in-process
	// RoundTripper). Default: a shared keep-alive pooled transport that enforces Egress (with CAFile,
	// if set) and ignores proxy environment variables. A Transport set here is used as is: Egress
	// and CAFile do not apply to it.
	Transport http.RoundTripper
	// Egress is the policy of the default transport: which destinations the domain a rule passes
	// may name. The zero Policy permits every public address and denies loopback, unspecified,
	// link-local, private and carrier-grade NAT addresses; a denied request fails with an APIError
	// whose statusCode is "ERR_EGRESS_DENIED" and whose message names the host and how to permit
	// it. With MgmtURL set, every request goes to MgmtURL's host, so the policy permits exactly that
	// host whatever its address (its Allow and AllowPrivate are replaced; its Map still applies).
	// Ignored when Transport is set.
	Egress egress.Policy
	// CAFile is a PEM bundle of extra trusted roots, added to the system pool of the default
	// transport. Ignored when Transport is set.
	CAFile string
	// Logger receives warnings (uncaught callback errors the host cannot take, dropped settlements).
	// Default: slog.Default().
	Logger *slog.Logger
}

// Provider serves require('auth0@X') for 2.x and 3.x with a Go implementation of that version's
// ManagementClient. It is safe for concurrent Load calls on different runtimes.
type Provider struct {
	base   *url.URL // nil: per-client https://<domain>/api/v2
	client *http.Client
	log    *slog.Logger
	tokens *tokenCache
}

// Compile-time check that Provider is a registry.Provider.
var _ registry.Provider = (*Provider)(nil)

// ErrBadOptions wraps every NewProvider configuration error.
var ErrBadOptions = errors.New("auth0: bad options")

// NewProvider returns a provider configured by opts.
func NewProvider(opts Options) (*Provider, error) {
	if _, err := spec.Load(); err != nil {
		return nil, err
	}
	p := &Provider{log: opts.Logger, tokens: newTokenCache()}
	if p.log == nil {
		p.log = slog.Default()
	}
	if opts.MgmtURL != "" {
		u, err := parseMgmtURL(opts.MgmtURL)
		if err != nil {
			return nil, err
		}
		p.base = u
	}
	rt := opts.Transport
	if rt == nil {
		t, err := defaultTransport(opts.CAFile, egressPolicy(opts.Egress, p.base))
		if err != nil {
			return nil, err
		}
		rt = t
	}
	p.client = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return p, nil
}

// parseMgmtURL validates a Management API base URL override.
func parseMgmtURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: MgmtURL %q is not an absolute URL; give e.g. http://127.0.0.1:8081/api/v2", ErrBadOptions, raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%w: MgmtURL %q uses plain http on a non-loopback host; use https, or http on 127.0.0.1/::1/localhost", ErrBadOptions, raw)
		}
	default:
		return nil, fmt.Errorf("%w: MgmtURL %q must use https (or http on loopback)", ErrBadOptions, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%w: MgmtURL %q must not carry a query, fragment or credentials", ErrBadOptions, raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// egressPolicy is the policy of the default transport: pol, or with a MgmtURL base (the only
// destination then) a policy permitting exactly the base's host, whatever its address. An IP entry
// permits its address; a name entry needs AllowPrivate to reach a private one (localhost).
func egressPolicy(pol egress.Policy, base *url.URL) egress.Policy {
	if base == nil {
		return pol
	}
	pol.Allow = []string{base.Hostname()}
	pol.AllowPrivate = true
	return pol
}

// defaultTransport is the policy-enforcing keep-alive transport used when Options.Transport is nil.
// It ignores proxy environment variables (a proxy would hide the destination from the policy).
func defaultTransport(caFile string, pol egress.Policy) (*egress.Transport, error) {
	eo := egress.Options{
		Policy:              pol,
		MaxResponseBytes:    maxBody + 1, // readBody reports the overflow with its own message
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CAFile: %v", ErrBadOptions, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CAFile %s holds no PEM certificate", ErrBadOptions, caFile)
		}
		eo.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	t, err := egress.NewTransport(eo)
	if err != nil {
		return nil, fmt.Errorf("%w: Egress: %v", ErrBadOptions, err)
	}
	return t, nil
}

// Info describes the provider.
func (p *Provider) Info() registry.Info {
	return registry.Info{Name: "auth0", Range: ">=2.0.0 <4", Kind: registry.KindGo, Description: "ManagementClient implemented in Go"}
}

// Load returns the exports of auth0@req.Version: {ManagementClient}. AuthenticationClient is not
// provided (see the package documentation).
func (p *Provider) Load(req *registry.LoadRequest) (goja.Value, error) {
	if req == nil || req.Runtime == nil || req.Host == nil {
		return nil, fmt.Errorf("auth0: Load needs a runtime and a host")
	}
	if req.Subpath != "" {
		return nil, fmt.Errorf("auth0@%s: no subpath %q is served; require 'auth0@%s'", req.Version, req.Subpath, req.Version)
	}
	m, err := p.newModule(req.Runtime, req.Host, req.Version)
	if err != nil {
		return nil, err
	}
	exports := req.Runtime.NewObject()
	if err := exports.Set("ManagementClient", m.ctor); err != nil {
		return nil, err
	}
	return exports, nil
}

// Versions returns the versions the reference describes (one per minor of 2.x and 3.7.2), ascending.
// Other 2.x/3.x versions load with the description of the same minor (see spec.Describing).
func Versions() []string { return spec.Probed() }

// MethodsOf returns the flat ManagementClient methods of version (prototype order), or false when
// the version is not a 2.x/3.x version. Members whose property access throws (wrapper bugs such as
// getGuardianFactors in 2.14–2.26) are listed: they exist on the prototype.
func MethodsOf(version string) ([]string, bool) {
	s, err := spec.SurfaceOf(version)
	if err != nil {
		return nil, false
	}
	out := make([]string, len(s.Flat))
	for i, f := range s.Flat {
		out[i] = f.Name
	}
	return out, true
}

// FirstVersionWith returns the first described version whose ManagementClient has method, or false.
func FirstVersionWith(method string) (string, bool) {
	for _, v := range spec.Probed() {
		ms, _ := MethodsOf(v)
		for _, m := range ms {
			if m == method {
				return v, true
			}
		}
	}
	return "", false
}
