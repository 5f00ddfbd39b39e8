package egress

import (
	"context"
	"net"
	"net/netip"
	"strings"
)

// Resolver looks up the addresses of a host name. *net.Resolver implements it; tests and embedders
// may plug in their own (a fixed table, a DNS-over-HTTPS client, …).
type Resolver interface {
	// LookupNetIP returns the addresses of host for network "ip", "ip4" or "ip6".
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// dialer connects to destinations the policy permits. It resolves names itself and checks every
// address of the answer before connecting, so a name cannot be rebound to a private address between
// the check and the connection.
type dialer struct {
	rules    *rules
	resolver Resolver
	net      net.Dialer
	// targets, when non-nil, makes this the stand-in dialer: it reaches exactly these lower-case
	// "host:port" addresses (the Map targets), whatever their class, and nothing else.
	targets map[string]bool
}

// DialContext is the transport's dial function.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if d.targets != nil {
		if !d.targets[strings.ToLower(addr)] {
			return nil, &DeniedError{Host: host, reason: "is not a configured stand-in target"}
		}
	} else if !isIPLiteral(host) {
		if err := d.rules.checkName(host); err != nil {
			return nil, err
		}
	}
	ips, err := d.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	if d.targets == nil {
		for _, ip := range ips {
			if err := d.rules.checkAddr(host, ip); err != nil {
				return nil, err
			}
		}
	}
	var errs []error
	for _, ip := range ips {
		c, err := d.net.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errs[0]
}

// lookup resolves host, or parses it when it is an IP literal.
func (d *dialer) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{ip}, nil
	}
	ips, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return ips, nil
}
