package tenant

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DefaultDomain is the domain of a tenant opened without Options.Domain.
const DefaultDomain = "local.verq"

// Options configure Open. The zero value is usable: every field has a documented default.
type Options struct {
	// Domain is the tenant's domain; the Management API base URL is https://<Domain>/api/v2 and
	// tokens carry iss https://<Domain>/ and aud https://<Domain>/api/v2/. Default: the domain stored
	// when the database was created, which is DefaultDomain ("local.verq") unless one was given then.
	Domain string
	// LockTimeout is how long Open waits for another process to release the database file.
	// Default 2s.
	LockTimeout time.Duration
	// ReadOnly opens the database with a shared lock; every write fails with ErrReadOnly (503 over
	// HTTP). A read-only open of a missing file fails instead of creating it.
	ReadOnly bool
	// RateLimit is the number of API requests per minute allowed per bearer token, as a token bucket
	// of that size refilled continuously. 0 (the default) disables rate limiting.
	RateLimit int
	// Logger receives operational logs (open, close, requests at debug level). Default: discard.
	Logger *slog.Logger
	// Now is the clock used for timestamps, token lifetimes and rate limits. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() (Options, error) {
	if o.LockTimeout <= 0 {
		o.LockTimeout = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RateLimit < 0 {
		return o, fmt.Errorf("tenant: RateLimit must be 0 (off) or a positive number of requests per minute, not %d", o.RateLimit)
	}
	if o.Domain != "" {
		if err := validDomain(o.Domain); err != nil {
			return o, err
		}
	}
	return o, nil
}

// validDomain accepts a host name with an optional port: "local.verq", "acme.eu.auth0.com",
// "127.0.0.1:8080".
func validDomain(d string) error {
	if len(d) > 253 || strings.ContainsAny(d, "/\\@?#% \t\r\n") || strings.Contains(d, "://") {
		return fmt.Errorf("tenant: domain %q must be a host name such as %q, without scheme or path", d, DefaultDomain)
	}
	host := d
	if i := strings.LastIndexByte(d, ':'); i >= 0 {
		host = d[:i]
		port := d[i+1:]
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return fmt.Errorf("tenant: domain %q has an invalid port", d)
		}
	}
	if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != "" {
		return fmt.Errorf("tenant: domain %q must be a host name such as %q", d, DefaultDomain)
	}
	return nil
}
